import { GateArgs, checkGateArgs, evaluateGate, gateRefusal } from "../../../../provider/promotion/gate";
import type { InputFailure } from "../../../../provider/validation";

const bound = { auc: 0.9, accuracy: 0.84 };
const SHA_A = "a".repeat(64);
const SHA_B = "b".repeat(64);
const model = { container: "models", path: "census/v2/model.ilearner", etag: "0x2", lastModified: "", size: 1 };

test.each([
  ["passes when every rule holds", { minimum: { auc: 0.85 }, maxDrop: { accuracy: 0.005 } }, { auc: 0.91, accuracy: 0.838 }, true, /^gate passed/],
  ["a drop of exactly the limit passes", { maxDrop: { accuracy: 0.01 } }, { accuracy: 0.83 }, true, /^gate passed/],
  ["refuses below a minimum", { minimum: { auc: 0.95 } }, { auc: 0.91 }, false, /auc 0\.9100 is below the minimum 0\.95/],
  ["refuses a larger drop", { maxDrop: { accuracy: 0.005 } }, { accuracy: 0.822 }, false, /accuracy dropped by 0\.0180 \(0\.8400 → 0\.8220\), more than 0\.005/],
  ["refuses a rule whose metric the new model lacks", { minimum: { f1: 0.5 } }, { auc: 0.9 }, false, /f1: no verified evaluation of the new model has this metric/],
  ["an override of this model passes a refusal, visibly", { minimum: { auc: 0.95 }, override: { sha256: SHA_A, reason: "accepted by review" } }, { auc: 0.91 }, true, /gate overridden: .*\(override for sha256 a{12}…: accepted by review\)/],
  ["an override of another model has no effect", { minimum: { auc: 0.95 }, override: { sha256: SHA_B, reason: "accepted by review" } }, { auc: 0.91 }, false, /gate refused: .*the override for sha256 b{12}… does not apply to this model \(sha256 a{64}\)/],
])("%s", (_name, gate, proposed, passed, summary) => {
  const verdict = evaluateGate(gate as GateArgs, bound, proposed, SHA_A);
  expect(verdict.passed).toBe(passed);
  expect(verdict.summary).toMatch(summary);
});

test("a relative rule without a baseline passes and says why", () => {
  const verdict = evaluateGate({ maxDrop: { accuracy: 0.005 } }, undefined, { accuracy: 0.5 });
  expect(verdict.passed).toBe(true);
  expect(verdict.checks[0].note).toBe("no baseline: the bound model has no evaluation");
});

test("the refusal names the rule and shows both metric sets side by side", () => {
  const verdict = evaluateGate({ minimum: { auc: 0.85 }, maxDrop: { accuracy: 0.005 } }, bound, { auc: 0.88, accuracy: 0.82 });
  const text = gateRefusal("TrainedModelBinding", "b", verdict, { ...model, path: "census/v1/model.ilearner" }, model, "preview");
  expect(text).toContain('TrainedModelBinding "b": gate refused the promotion of models/census/v2/model.ilearner');
  expect(text).toMatch(/bound:\s+models\/census\/v1\/model\.ilearner/);
  expect(text).toMatch(/auc\s+0\.9000\s+0\.8800\s+-0\.0200\s+>= 0\.85\s+pass/);
  expect(text).toMatch(/accuracy\s+0\.8400\s+0\.8200\s+-0\.0200\s+drop <= 0\.005\s+FAIL/);
  expect(text).toContain("Nothing was written");
});

test.each([
  [{ minimum: { auc: 2 } }, "gate.minimum.auc", /not a number from 0 to 1/],
  [{ maxDrop: { rmse: 0.1 } }, "gate.maxDrop.rmse", /not a metric of the evaluation output/],
  [{ minimum: "auc>0.8" }, "gate.minimum", /not a map of metric to number/],
  [{ override: { sha256: SHA_A, reason: "" } }, "gate.override.reason", /must be the reason/],
  [{ override: "accepted" }, "gate.override", /must name the model it approves/],
  [{ override: { sha256: "abc", reason: "ok" } }, "gate.override.sha256", /is not a SHA-256/],
  [{ threshold: 1 }, "gate.threshold", /has no setting "threshold"/],
])("bad gate %j is refused at check on %s", (gate, property, reason) => {
  const out: InputFailure[] = [];
  checkGateArgs(out, "gate", gate);
  expect(out).toEqual([expect.objectContaining({ property, reason: expect.stringMatching(reason) })]);
});
