/**
 * `npm start`: the retrain-and-promote walkthrough on the embedded default.
 *
 * Starts Azurite and the emulator, deploys examples/local with the real Pulumi engine (the first model is trained and
 * held for review), reviews and promotes it, scores a sample, drops new training data, retrains (held again), shows
 * the preview a reviewer approves (old → new model with metrics), promotes, and scores the same sample again. Every run starts from fresh emulator
 * data and a fresh stack, so it is safe to run twice; the final state stays in .state/start for inspection.
 */
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import axios from "axios";
import { BlobServiceClient } from "@azure/storage-blob";
import * as fs from "fs";
import * as path from "path";
import { startEmulator } from "../emulator";
import { generateAdultCsv } from "../emulator/ml";
import { configFromManifest } from "../examples/local/manifestConfig";
import { REPO_ROOT, pulumiBinDir, pulumiEnv } from "./services/pulumiEnv";

const STACK = "dev";
const DATASET_PATH = "census/latest.csv";
const DATASET_ROWS = 20_000;
const SAMPLE = {
  age: "45", workclass: "Private", fnlwgt: "160000", education: "Masters", "education-num": "14",
  "marital-status": "Married-civ-spouse", occupation: "Exec-managerial", relationship: "Husband", race: "White",
  sex: "Male", "capital-gain": "0", "capital-loss": "0", "hours-per-week": "50", "native-country": "United-States",
};

function step(title: string): void {
  console.log(`\n\x1b[1m==> ${title}\x1b[0m`);
}

async function uploadDataset(connectionString: string, container: string, seed: number, drift: number): Promise<void> {
  const csv = generateAdultCsv(DATASET_ROWS, seed, { drift });
  const blob = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container).getBlockBlobClient(DATASET_PATH);
  await blob.upload(csv, Buffer.byteLength(csv));
  console.log(`uploaded ${DATASET_ROWS} rows (seed ${seed}, drift ${drift}) to ${container}/${DATASET_PATH}`);
}

interface Scored { label: string; probability: string; model: string }

async function score(apiLocation: string, key: string): Promise<Scored> {
  const res = await axios.post(
    `${apiLocation}/execute?api-version=2.0&details=true`,
    { Inputs: { input1: { ColumnNames: Object.keys(SAMPLE), Values: [Object.values(SAMPLE)] } }, GlobalParameters: {} },
    { headers: { Authorization: `Bearer ${key}` } },
  );
  const table = res.data.Results.output1.value;
  const row: string[] = table.Values[0];
  return {
    label: row[table.ColumnNames.indexOf("Scored Labels")],
    probability: row[table.ColumnNames.indexOf("Scored Probabilities")],
    model: `${res.headers["x-ms-azureml-model-location"]} (etag ${res.headers["x-ms-azureml-model-etag"]})`,
  };
}

async function scoreBoth(stack: Stack, armApiLocation: string, armKey: string): Promise<void> {
  const outputs = await stack.outputs();
  const classic = await score(outputs.scoringApiLocation.value, outputs.scoringKey.value);
  const arm = await score(armApiLocation, armKey);
  console.log(`classic endpoint : ${classic.label} p=${classic.probability}  served by ${classic.model}`);
  console.log(`ARM web service  : ${arm.label} p=${arm.probability}  served by ${arm.model}`);
}

async function writeCount(emulatorUrl: string): Promise<number> {
  const res = await axios.get(`${emulatorUrl}/_emulator/requests`);
  return countWrites(res.data);
}

/** Writes the emulator saw on the management and ARM surfaces (PUT, PATCH, POST, DELETE). */
function countWrites(counts: Record<string, Record<string, number>>): number {
  let total = 0;
  for (const surface of ["management", "arm"]) {
    for (const [method, n] of Object.entries(counts[surface] ?? {})) {
      if (method !== "GET" && method !== "HEAD") total += n;
    }
  }
  return total;
}

async function main(): Promise<void> {
  const dataDir = path.join(REPO_ROOT, ".data", "start");
  const stateDir = path.join(REPO_ROOT, ".state", "start");
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(stateDir, { recursive: true, force: true });

  step("Starting Azurite and the Azure ML (classic) emulator");
  const emulator = await startEmulator({ dataDir, port: 0, azuritePort: 0 });
  try {
    const { manifest } = emulator;
    console.log(`emulator ${emulator.url}, manifest ${emulator.manifestPath}`);
    await uploadDataset(manifest.storage.connectionString, manifest.containers.training, 1, 0);

    const envVars = pulumiEnv({ stateDir });
    const pulumiCommand = await PulumiCommand.get({ root: path.dirname(pulumiBinDir()) });
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: STACK, workDir: REPO_ROOT },
      { pulumiCommand, envVars, pulumiHome: envVars.PULUMI_HOME },
    );
    await stack.setAllConfig(configFromManifest(manifest, DATASET_PATH));
    const print = (text: string) => process.stdout.write(text);

    step("pulumi up: training service, retraining run, scoring endpoint, bindings (classic + ARM)");
    await stack.up({ onOutput: print, color: "always" });
    const held = await stack.outputs();
    console.log(`held for review (promotion "reviewed"): ${held.classicHeldReason?.value ?? "nothing held"}`);

    step("pulumi preview: the review — the held promotion, served model → trained model, with metrics");
    await stack.preview({ onOutput: print, diff: true, color: "always" });

    step("pulumi up: promote what the preview showed (one write per target, gate checked again first)");
    await stack.up({ onOutput: print, color: "always" });

    step("Scoring a sample with the first model");
    await scoreBoth(stack, manifest.arm.apiLocation, manifest.arm.primaryKey);

    step("Dropping new training data (drifted) at the same blob path");
    await uploadDataset(manifest.storage.connectionString, manifest.containers.training, 2, 1);

    step("pulumi preview: the dataset changed, so the run trains again and the bindings follow");
    await stack.preview({ onOutput: print, diff: true, color: "always" });

    step("pulumi up: the run trains; the bindings hold the new model, which no preview showed yet");
    await stack.up({ onOutput: print, color: "always" });

    step("pulumi preview: what a reviewer approves — old → new model, with metrics, gate checked");
    await stack.preview({ onOutput: print, diff: true, color: "always" });

    step("pulumi up: promote (one PATCH for the classic endpoint, one definition update for the ARM service)");
    const before = await writeCount(emulator.url);
    await stack.up({ onOutput: print, color: "always" });
    console.log(`writes the emulator saw during the promotion: ${(await writeCount(emulator.url)) - before}`);

    step("Scoring the same sample with the promoted model");
    await scoreBoth(stack, manifest.arm.apiLocation, manifest.arm.primaryKey);

    step("Done");
    console.log(`stack state: ${path.relative(process.cwd(), stateDir)} (stack "${STACK}"); emulator data: ${path.relative(process.cwd(), dataDir)}`);
  } finally {
    await emulator.close();
  }
}

main().catch((err) => {
  console.error(`\nnpm start failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
