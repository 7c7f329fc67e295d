import { DatasetError } from "../../../../emulator/ml/errors";
import { parseEvaluationCsv, renderEvaluationCsv } from "../../../../emulator/ml/evaluate";
import { generateAdultCsv } from "../../../../emulator/ml/generator";
import { decodeIlearner } from "../../../../emulator/ml/ilearner";
import { trainFromCsv } from "../../../../emulator/ml/train";

const CSV = generateAdultCsv(4000, 5);

describe("trainFromCsv", () => {
  const result = trainFromCsv(CSV);
  const { payload } = decodeIlearner(result.model);

  it("holds out 25% of each label, trains on the rest and evaluates on the holdout", () => {
    const positives = CSV.split("\n").filter((line) => line.endsWith(",>50K")).length;
    const heldPositives = Math.round(positives / 4);
    const heldNegatives = Math.round((4000 - positives) / 4);
    const { evaluation } = result;
    expect(evaluation.truePositives + evaluation.falseNegatives).toBe(heldPositives);
    expect(evaluation.rows).toBe(heldPositives + heldNegatives);
    expect(payload.training).toEqual({
      rows: 4000 - evaluation.rows,
      holdoutRows: evaluation.rows,
      l2: 1,
      seed: 0,
      iterations: expect.any(Number),
      converged: true,
    });
    expect(result.evaluation.auc).toBeGreaterThan(0.85);
    expect(result.evaluation.accuracy).toBeGreaterThan(0.8);
  });

  it("returns the evaluation also as the Evaluate Model CSV", () => {
    expect(result.evaluationCsv).toBe(renderEvaluationCsv(result.evaluation));
    expect(parseEvaluationCsv(result.evaluationCsv)).toEqual(result.evaluation);
  });

  it("repeats the split and the fit for the same seed", () => {
    const again = trainFromCsv(CSV);
    expect(again.evaluationCsv).toBe(result.evaluationCsv);
    expect(decodeIlearner(again.model).payload.weights).toEqual(payload.weights);
  });

  it("splits differently for another seed, and honours holdoutFraction and l2", () => {
    const other = trainFromCsv(CSV, { seed: 1, holdoutFraction: 0.5, l2: 10 });
    expect(other.evaluation.rows).toBe(2000);
    expect(other.evaluationCsv).not.toBe(result.evaluationCsv);
    expect(decodeIlearner(other.model).payload.training).toMatchObject({ rows: 2000, seed: 1, l2: 10 });
  });

  it("learns visibly different weights from drifted data", () => {
    const drifted = decodeIlearner(trainFromCsv(generateAdultCsv(4000, 5, { drift: 1 })).model).payload;
    const change = drifted.weights.coefficients.map((w, i) => Math.abs(w - payload.weights.coefficients[i]));
    expect(Math.max(...change)).toBeGreaterThan(0.3);
  });

  it("reads the label from a renamed column", () => {
    const renamed = CSV.replace(/,income\n/, ",Label\n");
    const model = decodeIlearner(trainFromCsv(renamed, { labelColumn: "Label" }).model).payload;
    expect(model.schema.labelColumn).toBe("Label");
  });

  it("keeps at least one row of each label in both parts of a small dataset", () => {
    const tiny = generateAdultCsv(400, 2).split("\n");
    const rich = tiny.filter((line) => line.endsWith(",>50K")).slice(0, 2);
    const poor = tiny.filter((line) => line.endsWith(",<=50K")).slice(0, 3);
    const { evaluation } = trainFromCsv([tiny[0], ...rich, ...poor].join("\n"));
    expect(evaluation.truePositives + evaluation.falseNegatives).toBe(1);
    expect(evaluation.rows).toBe(2);
  });

  it("names the label that lacks rows to hold out", () => {
    const lines = generateAdultCsv(400, 2).split("\n");
    const text = [lines[0], lines.find((l) => l.endsWith(",>50K")), ...lines.filter((l) => l.endsWith(",<=50K"))].join("\n");
    expect(() => trainFromCsv(text)).toThrow(
      new DatasetError(
        "Only 1 row(s) are labelled '>50K'; holding out a test split needs at least 2 of each label. Add more rows of that label.",
      ),
    );
  });

  it.each([
    [{ holdoutFraction: 0 }, "holdoutFraction must be between 0 and 1 (exclusive), got 0."],
    [{ holdoutFraction: 1 }, "holdoutFraction must be between 0 and 1 (exclusive), got 1."],
    [{ l2: 0 }, "l2 must be greater than 0, got 0."],
  ])("rejects options %j", (options, message) => {
    expect(() => trainFromCsv(CSV, options)).toThrow(new RangeError(message));
  });
});
