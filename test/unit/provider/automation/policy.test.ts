/**
 * Choosing a model (provider/automation/policy.ts) and writing its pin into stack config (pinFile.ts): the three
 * policies, bad sources named field by field, and a pin edit that leaves comments and secrets as they were.
 */
import type { BlobIdentity } from "../../../../provider/clients/storage";
import { checkModelSource, chooseModel, runIdOf } from "../../../../provider/automation/policy";
import { readPin, writePin } from "../../../../provider/automation/pinFile";
import { pullRequestBody, MAX_BODY_CHARS } from "../../../../provider/automation/update";

const blob = (path: string, lastModified: string): BlobIdentity => ({ container: "models", path, etag: "e", size: 1, lastModified });
const blobs = [
  blob("census/runs/9/model.ilearner", "2026-12-03T00:00:00Z"),
  blob("census/runs/12/model.ilearner", "2026-12-01T00:00:00Z"),
  blob("census/runs/12/evaluation.csv", "2026-12-04T00:00:00Z"),
  blob("census/runs/10/model.ilearner", "2026-12-02T00:00:00Z"),
];
const metrics: Record<string, { auc: number }> = { "census/runs/9/model.ilearner": { auc: 0.7 }, "census/runs/12/model.ilearner": { auc: 0.9 }, "census/runs/10/model.ilearner": { auc: 0.86 } };
const metricsOf = async (b: BlobIdentity) => metrics[b.path];

test("newest by time, highest run id, newest passing the gate", async () => {
  expect((await chooseModel({ key: "model", container: "models" }, blobs, metricsOf)).model?.path).toBe("census/runs/9/model.ilearner");
  expect((await chooseModel({ key: "model", container: "models", policy: "run-id" }, blobs, metricsOf)).model?.path).toBe("census/runs/12/model.ilearner");
  const gated = await chooseModel({ key: "model", container: "models", policy: "gate", gate: { minimum: { auc: 0.85 } } }, blobs, metricsOf);
  expect(gated).toMatchObject({ model: { path: "census/runs/10/model.ilearner" }, metrics: { auc: 0.86 } });
  expect(gated.reason).toMatch(/^newest passing the gate/);
  // maxDrop is measured against the pinned model's metrics.
  expect((await chooseModel({ key: "model", container: "models", policy: "gate", gate: { maxDrop: { auc: 0.01 } } }, blobs, metricsOf, { auc: 0.89 })).model?.path).toBe("census/runs/12/model.ilearner");
  expect(await chooseModel({ key: "model", container: "models", policy: "gate", gate: { minimum: { auc: 0.95 } } }, blobs, metricsOf)).toEqual({ reason: "no model under models/ passes the gate" });
  expect(runIdOf("census/runs/12/model.ilearner", "runs/(\\d+)/")).toBe(12);
  expect(runIdOf("census/latest/model.ilearner")).toBeUndefined();
});

test("a bad source is refused field by field, before any read", () => {
  expect(checkModelSource({ policy: "latest" as never, runIdPattern: "runs/\\d+/" }, "models[0]")).toEqual([
    'models[0].key: give the stack config key of the pin, e.g. "model"',
    "models[0].container: give the container the models land in",
    'models[0].policy: "latest" is not a policy: use newest, run-id, gate',
    'models[0].runIdPattern: needs a capture group around the run id, e.g. "runs/(\\\\d+)/"',
  ]);
  expect(checkModelSource({ key: "model", container: "models", policy: "gate" }, "m")).toEqual(["m.gate: the gate policy needs rules, e.g. { minimum: { auc: 0.85 } }"]);
});

const STACK_YAML = `# prod scoring, promoted by pull request
config:
  azureml-retrain-gitops:workspaceToken:
    secure: v1:abc123
  # the model the endpoint serves: written by azureml-retrain-update
  azureml-retrain-gitops:model:
    container: models
    path: census/v1/model.ilearner
    sha256: ${"a".repeat(64)}
  azureml-retrain-gitops:endpointName: census
`;

test("the pin is read and rewritten in place: comments, secrets and other keys untouched", () => {
  expect(readPin(STACK_YAML, "azureml-retrain-gitops", "model")).toEqual({ container: "models", path: "census/v1/model.ilearner", sha256: "a".repeat(64) });
  const next = writePin(STACK_YAML, "azureml-retrain-gitops", "model", { container: "models", path: "census/v2/model.ilearner", sha256: "b".repeat(64) });
  expect(next).toBe(STACK_YAML.replace("census/v1/", "census/v2/").replace("a".repeat(64), "b".repeat(64)));
  // A stack without a pin yet gets one.
  const added = writePin("config:\n  p:endpointName: x\n", "p", "model", { container: "models", path: "m.ilearner", sha256: "c".repeat(64) });
  expect(readPin(added, "p", "model")).toEqual({ container: "models", path: "m.ilearner", sha256: "c".repeat(64) });
});

test("the pull request body: pins old → new, then the review, cut below the forge's limit", () => {
  const change = { key: "model", old: { container: "models", path: "census/v1/model.ilearner", sha256: "a".repeat(64) }, new: { container: "models", path: "census/v2/model.ilearner", sha256: "b".repeat(64), lastModified: "2026-12-02T08:00:00.000Z" }, reason: "newest by last-modified" };
  const body = pullRequestBody("prod", [change], "## Promotion review");
  expect(body).toContain("| `model` | `models/census/v1/model.ilearner` sha256 `aaaaaaaaaaaa` | `models/census/v2/model.ilearner` sha256 `bbbbbbbbbbbb` (2026-12-02 08:00:00Z) | newest by last-modified |");
  expect(body).toContain("## Promotion review");
  expect(pullRequestBody("prod", [change], "x".repeat(100_000)).length).toBeLessThan(MAX_BODY_CHARS + 200);
});
