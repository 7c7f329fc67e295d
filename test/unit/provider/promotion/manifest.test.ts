import { evaluationCsvMetrics, manifestPathFor, metricRangeProblems, parseModelManifest, provenanceOf } from "../../../../provider/promotion/manifest";
import { copyPathFor, isContentAddressed, sameBytes } from "../../../../provider/promotion/immutableCopy";
import { sha256Hex } from "../../../../provider/promotion/modelIdentity";

const SHA = sha256Hex("model bytes");
const OTHER = sha256Hex("other bytes");
const CSV =
  "True Positive,False Negative,False Positive,True Negative,Positive Label,Negative Label,Accuracy,Precision,Recall,F-Score,AUC,Average Log Loss,Rows\n" +
  "1,2,3,4,>50K,<=50K,0.81,0.7,0.6,0.65,0.88,0.4,10\n";

test("the manifest sits beside the model, and copies are named by their hash", () => {
  expect(manifestPathFor("census/v2/model.ilearner")).toBe("census/v2/model.ilearner.manifest.json");
  expect(copyPathFor(SHA)).toBe(`.models/sha256/${SHA}.ilearner`);
  expect(isContentAddressed(copyPathFor(SHA))).toBe(true);
  expect(isContentAddressed("census/v2/model.ilearner")).toBe(false);
});

test.each([
  [{ auc: 10 }, ["auc 10 is not in [0, 1]"]],
  [{ accuracy: -0.1 }, ["accuracy -0.1 is not in [0, 1]"]],
  [{ truePositives: -3 }, ["truePositives -3 is negative"]],
  [{ f1: Number.NaN }, ["f1 null is not a finite number"]],
  [{ auc: "0.9" }, ['auc "0.9" is not a finite number']],
  [{ auc: 0.9, rows: 1000, positiveLabel: ">50K" }, []],
])("metric ranges: %j", (metrics, problems) => {
  expect(metricRangeProblems(metrics)).toEqual(problems);
});

test("a manifest is trusted only for the bytes it names", () => {
  const text = JSON.stringify({ version: 1, sha256: SHA, metrics: { auc: 0.91234, accuracy: 0.8, rows: 10 } });
  const read = parseModelManifest(text);
  expect(provenanceOf(SHA, read, "models/a.ilearner")).toEqual({ metrics: { auc: 0.9123, accuracy: 0.8 } });
  expect(provenanceOf(OTHER, read, "models/a.ilearner").untrusted).toMatch(/describes another model/);
  expect(provenanceOf(SHA, undefined, "models/a.ilearner").untrusted).toMatch(/no manifest/);
  expect(provenanceOf(SHA, parseModelManifest("{"), "models/a.ilearner").malformed).toMatch(/is not JSON/);
  expect(parseModelManifest(JSON.stringify({ sha256: SHA, metrics: { auc: 2 } })).problem).toMatch(/auc 2 is not in \[0, 1\]/);
  expect(parseModelManifest(JSON.stringify({ sha256: "abc", metrics: {} })).problem).toMatch(/no sha256/);
});

test("an evaluation CSV becomes manifest metrics, every column range-checked", () => {
  expect(evaluationCsvMetrics(CSV)).toEqual({
    metrics: { auc: 0.88, accuracy: 0.81, precision: 0.7, recall: 0.6, f1: 0.65, truePositives: 1, falseNegatives: 2, falsePositives: 3, trueNegatives: 4, averageLogLoss: 0.4, rows: 10 },
    problems: [],
  });
  expect(evaluationCsvMetrics(CSV.replace("0.88,0.4", "10,0.4")).problems).toEqual(["auc 10 is not in [0, 1]"]);
  expect(evaluationCsvMetrics(CSV.replace("1,2,3,4", "-1,2,3,4")).problems).toEqual(["truePositives -1 is negative"]);
});

test("same bytes: by sha256 when both know it, else by container/path/etag", () => {
  const a = { container: "m", path: "a/model.ilearner", etag: "1", sha256: SHA };
  expect(sameBytes(a, { container: "m", path: copyPathFor(SHA), etag: "9", sha256: SHA })).toBe(true);
  expect(sameBytes(a, { ...a, sha256: OTHER })).toBe(false);
  expect(sameBytes({ ...a, sha256: undefined }, { ...a, sha256: undefined })).toBe(true);
  expect(sameBytes({ ...a, sha256: undefined }, { ...a, etag: "2", sha256: undefined })).toBe(false);
});
