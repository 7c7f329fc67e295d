/**
 * `promotion: "pinned"` (issue 17 item 4): a binding or a rollout wave takes only a model carrying a pin's sha256;
 * check refuses anything else, at preview and at apply, so no kind of `up` binds what no merged pin approved.
 */
import { checkTrainedModelBinding } from "../../../../provider/lifecycle/trainedModelBinding";
import { checkRolloutWave } from "../../../../provider/lifecycle/rolloutWave";
import { UNKNOWN } from "../../../../provider/validation";

const WS = "0123456789abcdef0123456789abcdef";
const SVC = "fedcba9876543210fedcba9876543210";
const latest = { container: "models", path: "census/v2/model.ilearner", etag: "E2", lastModified: "2026-12-02T00:00:00Z", size: 10 };
// getLatestModelBlob knows the bytes' sha256 too (issue 16): only pinnedModel's pinnedFrom makes a model a pin.
const hashed = { ...latest, sha256: "ab".repeat(32) };
const pinned = { ...hashed, pinnedFrom: "config:model" };
const binding = (model: unknown, promotion = "pinned") => ({
  resourceName: "b",
  targetKind: "classic",
  workspaceId: WS,
  webServiceId: SVC,
  endpointName: "ep1",
  workspaceToken: "t",
  trainedModelName: "Census Model [trained model]",
  storageAccountName: "acct",
  storageAccountKey: "k",
  model,
  promotion,
});
const refusal = expect.objectContaining({ property: "model.sha256", reason: 'promotion "pinned" binds only a model pinned in stack config, and this model is not one' });

test("a binding under pinned refuses the newest blob, takes the pin, and decides later while the model is unknown", () => {
  expect(checkTrainedModelBinding(binding(latest) as never).failures).toEqual([refusal]);
  expect(checkTrainedModelBinding(binding(hashed) as never).failures).toEqual([refusal]);
  expect(checkTrainedModelBinding(binding(pinned) as never).failures).toEqual([]);
  expect(checkTrainedModelBinding(binding(UNKNOWN) as never).failures).toEqual([]);
  expect(checkTrainedModelBinding(binding(latest, "reviewed") as never).failures).toEqual([]);
});

test("a wave under pinned reports the refusal once, whatever the number of targets", () => {
  const targets = ["ep1", "ep2", "ep3"].map((endpointName) => ({ kind: "classic", workspaceId: WS, webServiceId: SVC, endpointName, trainedModelName: "m" }));
  const wave = { resourceName: "w", targets, workspaceToken: "t", storageAccountName: "acct", storageAccountKey: "k", promotion: "pinned" };
  expect(checkRolloutWave({ ...wave, model: latest } as never).failures.filter((f) => f.property === "model.sha256")).toEqual([refusal]);
  expect(checkRolloutWave({ ...wave, model: pinned } as never).failures).toEqual([]);
});
