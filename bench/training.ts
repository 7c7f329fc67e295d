/**
 * Times the emulator's ML core on the UCI Adult data and on generated rows, and records the figures in
 * BENCHMARKS.md under "## Training (emulator ML core)", replacing only that section.
 *
 *     npx ts-node --transpile-only bench/training.ts
 */
import * as fs from "fs";
import { writeSection } from "./report";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { Dataset, parseDatasetCsv } from "../emulator/ml/csv";
import { EvaluationMetrics, evaluate } from "../emulator/ml/evaluate";
import { generateAdultCsv } from "../emulator/ml/generator";
import { ModelPayload } from "../emulator/ml/ilearner";
import { predictRows } from "../emulator/ml/model";
import { DEFAULT_L2, fitModel } from "../emulator/ml/train";

const COMMAND = "npx ts-node --transpile-only bench/training.ts";
const SECTION_HEADING = "## Training (emulator ML core)";
const REPO_ROOT = path.resolve(__dirname, "..");
const ADULT_DIR = path.resolve(REPO_ROOT, "../shared/data/adult");
const BENCHMARKS_FILE = path.join(REPO_ROOT, "BENCHMARKS.md");
const RUNS = 5;
const GENERATED_ROWS = 32_561; // as many as adult.data
const GENERATED_TEST_ROWS = 16_281; // as many as adult.test
const GENERATED_TRAIN_SEED = 1;
const GENERATED_TEST_SEED = 2;

interface Measurement {
  name: string;
  rows: number;
  medianMs: number;
  runsMs: number[];
  payload: ModelPayload;
}

function measureTraining(name: string, csv: string): Measurement {
  const runsMs: number[] = [];
  let result: { payload: ModelPayload; rows: number } | undefined;
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    const dataset = parseDatasetCsv(csv);
    const payload = fitModel(dataset, { l2: DEFAULT_L2, labelColumn: "income" });
    runsMs.push(performance.now() - start);
    result = { payload, rows: dataset.labels.length };
  }
  const sorted = [...runsMs].sort((a, b) => a - b);
  return { name, rows: result!.rows, medianMs: sorted[Math.floor(RUNS / 2)], runsMs, payload: result!.payload };
}

function score(payload: ModelPayload, test: Dataset): EvaluationMetrics {
  return evaluate(test.labels, predictRows(payload, test.features));
}

function main(): void {
  const adultData = path.join(ADULT_DIR, "adult.data");
  const adultTest = path.join(ADULT_DIR, "adult.test");
  if (!fs.existsSync(adultData) || !fs.existsSync(adultTest)) {
    console.error(`bench/training.ts needs the UCI Adult files adult.data and adult.test in ${ADULT_DIR}.`);
    process.exit(1);
  }
  const realTest = parseDatasetCsv(fs.readFileSync(adultTest, "utf8"));
  const generatedTest = parseDatasetCsv(generateAdultCsv(GENERATED_TEST_ROWS, GENERATED_TEST_SEED));

  const generateStart = performance.now();
  const generatedCsv = generateAdultCsv(GENERATED_ROWS, GENERATED_TRAIN_SEED);
  const generateMs = performance.now() - generateStart;

  const measurements = [
    measureTraining("UCI adult.data", fs.readFileSync(adultData, "utf8")),
    measureTraining(`generated (seed ${GENERATED_TRAIN_SEED})`, generatedCsv),
  ];

  const cpus = os.cpus();
  const lines = [
    SECTION_HEADING,
    "",
    `Command: \`${COMMAND}\` — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ` +
      `${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${os.platform()} ${os.release()}.`,
    "",
    `Parse + fit = CSV text → rows → encoder → logistic regression (L2 = ${DEFAULT_L2}, Newton/IRLS), median of ` +
      `${RUNS} runs in one process. Evaluation on adult.test (16,281 rows) and on ${GENERATED_TEST_ROWS.toLocaleString("en-US")} ` +
      `generated rows (seed ${GENERATED_TEST_SEED}); threshold 0.5.`,
    "",
    "| training data | rows | parse + fit (median) | all runs (ms) | iterations | adult.test AUC | adult.test accuracy | generated AUC | generated accuracy |",
    "|---|--:|--:|---|--:|--:|--:|--:|--:|",
    ...measurements.map((m) => {
      const real = score(m.payload, realTest);
      const generated = score(m.payload, generatedTest);
      return (
        `| ${m.name} | ${m.rows.toLocaleString("en-US")} | ${Math.round(m.medianMs)} ms | ` +
        `${m.runsMs.map((ms) => Math.round(ms)).join(", ")} | ${m.payload.training.iterations} | ` +
        `${real.auc.toFixed(4)} | ${real.accuracy.toFixed(4)} | ${generated.auc.toFixed(4)} | ${generated.accuracy.toFixed(4)} |`
      );
    }),
    "",
    `Generating ${GENERATED_ROWS.toLocaleString("en-US")} rows took ${Math.round(generateMs)} ms. Reference for this ` +
      "model on the UCI split: accuracy 0.8531, AUC 0.9054 (`../shared/data/adult/README.md`, §5).",
    "",
  ];
  writeSection(SECTION_HEADING, lines.slice(1).join("\n"));
  console.log(lines.join("\n"));
}

main();
