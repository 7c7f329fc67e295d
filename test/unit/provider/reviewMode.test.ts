/**
 * Review mode (lifecycle/reviewMode.ts): with AZUREML_RETRAIN_REVIEW_LOG set, a gate refusal in check or diff is
 * recorded and the step goes on; any other failure, and every call without the variable, is unchanged.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REVIEW_LOG_ENV, readRefusals, reviewAware } from "../../../provider/lifecycle/reviewMode";

const refusal = 'RolloutWave "w1": gate refused the promotion of models/m.ilearner: auc 0.5 is below the minimum 0.9.';
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "review-mode-"));
});
afterEach(() => {
  delete process.env[REVIEW_LOG_ENV];
  fs.rmSync(dir, { recursive: true, force: true });
});

test("without the variable a refusal fails diff and check as before", async () => {
  const diff = reviewAware("diff", async () => {
    throw new Error(refusal);
  });
  await expect(diff("id", {}, { __name: "w1" })).rejects.toThrow(refusal);
  const check = reviewAware("check", async () => ({ inputs: {}, failures: [{ property: "gate", reason: refusal }] }));
  expect(await check({}, {})).toEqual({ inputs: {}, failures: [{ property: "gate", reason: refusal }] });
});

test("in review mode a refused diff is a change and a refused check keeps only its other failures; each is recorded once", async () => {
  const log = path.join(dir, "refusals.jsonl");
  process.env[REVIEW_LOG_ENV] = log;
  const diff = reviewAware("diff", async () => {
    throw new Error(refusal);
  });
  expect(await diff("id", {}, { __name: "w1" })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  expect(await diff("id", {}, { __name: "w1" })).toMatchObject({ changes: true });
  const other = { property: "model", reason: "blob not found" };
  const check = reviewAware("check", async () => ({ inputs: { __name: "b2" }, failures: [{ property: "gate", reason: refusal.replace("w1", "b2") }, other] }));
  expect(await check({}, {})).toEqual({ inputs: { __name: "b2" }, failures: [other] });
  expect(readRefusals(log)).toEqual([
    { resource: "w1", message: refusal },
    { resource: "b2", message: refusal.replace("w1", "b2") },
  ]);
  // Anything that is not a refusal still fails the step.
  const broken = reviewAware("diff", async () => {
    throw new Error("endpoint not found");
  });
  await expect(broken("id", {}, {})).rejects.toThrow("endpoint not found");
  // Apply is never wrapped.
  const create = async () => ({ id: "x" });
  expect(reviewAware("create", create)).toBe(create);
});
