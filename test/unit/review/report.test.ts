/**
 * The review report from engine events (the shape `stack.preview({ onEvent })` delivers): rows per target, metric
 * deltas, the gate verdict or "no gate", refusals from diagnostics, trainings, other changes, the summary line, and
 * folding at 200 targets.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { buildReview, renderMarkdown } from "../../../provider/review";
import { summaryLine } from "../../../provider/review/review";
import { UNKNOWN } from "../../../provider/review/rows";
import { evaluateGate, gateRefusal } from "../../../provider/promotion/gate";

const PREFIX = "urn:pulumi:dev::azureml-retrain-local::";
const BINDING = "pulumi-nodejs:dynamic/azureml:TrainedModelBinding";

function model(path: string, etag: string, auc: number, accuracy: number) {
  return { container: "models", path, etag, lastModified: "2026-12-01T10:00:00.000Z", size: 1234, metrics: { auc, accuracy } };
}

function step(op: string, type: string, name: string, olds?: Record<string, unknown>, news?: Record<string, unknown>): EngineEvent {
  const urn = `${PREFIX}${type}::${name}`;
  return {
    sequence: 0,
    timestamp: 0,
    resourcePreEvent: {
      metadata: {
        op: op as never,
        urn,
        type,
        provider: "",
        ...(olds ? { old: { type, urn, id: "x", parent: "", inputs: olds, outputs: {}, provider: "" } } : {}),
        ...(news ? { new: { type, urn, id: "", parent: "", inputs: news, outputs: {}, provider: "" } } : {}),
      } as never,
      planning: true,
    },
  } as EngineEvent;
}

function diagnostic(name: string, message: string): EngineEvent {
  return { sequence: 0, timestamp: 0, diagnosticEvent: { urn: `${PREFIX}${BINDING}::${name}`, message, color: "never", severity: "error" } } as EngineEvent;
}

const v1 = model("census/runs/20261201T100000Z/model.ilearner", "0x8DE0C1A2B3C4D5E", 0.9012, 0.84);
const v2 = model("census/runs/20261202T090000Z/model.ilearner", "0x8DE0C9F8E7D6C5B", 0.9134, 0.851);

const classicPromotion = step("update", BINDING, "census-scoring-model", { targetKind: "classic", endpointName: "retrain01", model: v1 }, { targetKind: "classic", endpointName: "retrain01", model: v2 });

test("a promotion: current → proposed model, every metric with its delta, no gate, the write it makes", () => {
  const review = buildReview({ stack: "dev", events: [classicPromotion, step("same", BINDING, "other-model", {}, {})] });
  expect(review.summary).toBe("1 promotion, 0 refused by gate, 0 trainings, 0 other changes");
  expect(review.promotions).toEqual([
    expect.objectContaining({
      key: "census-scoring-model",
      target: "classic endpoint retrain01",
      current: expect.objectContaining({ path: v1.path, etag: v1.etag }),
      proposed: expect.objectContaining({ path: v2.path, etag: v2.etag }),
      metrics: [
        { metric: "auc", old: 0.9012, new: 0.9134, delta: 0.0122 },
        { metric: "accuracy", old: 0.84, new: 0.851, delta: 0.011 },
      ],
      gate: { status: "none", summary: "no gate" },
      write: "classic PATCH",
    }),
  ]);
  const md = renderMarkdown(review);
  expect(md).toContain("**1 promotion, 0 refused by gate, 0 trainings, 0 other changes**");
  expect(md).toContain(
    "| `census-scoring-model`<br>classic endpoint retrain01 | `models/census/runs/20261201T100000Z/model.ilearner` (…2B3C4D5E, 2026-12-01 10:00:00Z) | `models/census/runs/20261202T090000Z/model.ilearner` (…8E7D6C5B, 2026-12-01 10:00:00Z) | auc 0.9012 → 0.9134 (+0.0122)<br>accuracy 0.84 → 0.851 (+0.011) | no gate | classic PATCH |",
  );
});

test("the binding's gateVerdict is the gate column; an ARM target is a definition update", () => {
  const verdict = { passed: true, summary: "auc 0.9134 ≥ 0.9 and dropped by no more than 0.01", checks: [{ metric: "auc", rule: "minimum 0.9", old: 0.9012, new: 0.9134, passed: true }] };
  const review = buildReview({
    stack: "dev",
    events: [step("update", BINDING, "census-arm-model", { targetKind: "arm", webServiceName: "census-arm", model: v1 }, { targetKind: "arm", webServiceName: "census-arm", model: v2, gateVerdict: verdict })],
  });
  expect(review.promotions[0]).toMatchObject({ target: "ARM web service census-arm", write: "ARM definition update", gate: { status: "passed", summary: verdict.summary, checks: verdict.checks } });
  expect(renderMarkdown(review)).toContain("| ✅ auc 0.9134 ≥ 0.9 and dropped by no more than 0.01 | ARM definition update |");
});

test("without a recorded gateVerdict, the binding's gate rules are evaluated on the two models' metrics", () => {
  const gate = { minimum: { auc: 0.9 }, maxDrop: { accuracy: 0.02 } };
  const review = buildReview({ stack: "dev", events: [step("update", BINDING, "b", { __targetKind: "classic", model: v1, gate }, { __targetKind: "classic", model: v2, gate })] });
  expect(review.promotions[0].gate).toEqual({
    status: "passed",
    summary: "gate passed (auc 0.9134 >= 0.9, accuracy 0.8510 drop <= 0.02)",
    checks: [
      { metric: "auc", rule: ">= 0.9", old: 0.9012, new: 0.9134, passed: true },
      { metric: "accuracy", rule: "drop <= 0.02", old: 0.84, new: 0.851, passed: true },
    ],
  });
});

test("a preview that fails with the gate's refusal is a refused row with the diagnostic's text, its current model from state", () => {
  const urn = `${PREFIX}${BINDING}::census-scoring-model`;
  const worse = { ...v2, metrics: { auc: 0.85, accuracy: 0.8 } };
  const refusal = gateRefusal("TrainedModelBinding", "census-scoring-model", evaluateGate({ minimum: { auc: 0.9 } }, v1.metrics, worse.metrics), v1, worse, "preview");
  // How the engine reports a check failure on the binding.
  const message = `<{%reset%}>${BINDING} resource 'census-scoring-model': property gate value {<nil>} has a problem: ${refusal}<{%reset%}>\n`;
  const review = buildReview({
    stack: "dev",
    events: [diagnostic("census-scoring-model", message), diagnostic("census-scoring-model", message)],
    failure: "preview failed",
    stateInputs: { [urn]: { __targetKind: "classic", endpointName: "retrain01", model: v1 } },
  });
  expect(review.preview).toBe("failed");
  expect(review.summary).toBe("0 promotions, 1 refused by gate, 0 trainings, 0 other changes");
  const summary = `gate refused the promotion of models/${v2.path}: auc 0.8500 is below the minimum 0.9`;
  expect(review.promotions).toEqual([
    expect.objectContaining({
      key: "census-scoring-model",
      current: expect.objectContaining({ path: v1.path }),
      proposed: { container: "models", path: v2.path },
      gate: { status: "refused", summary, diagnostic: expect.stringContaining(refusal.split("\n")[1]) },
      // A refused target is never listed as a write.
      write: "none",
    }),
  ]);
  expect(review.errors).toEqual([]);
  const md = renderMarkdown(review);
  expect(md).toContain("⛔ The gate refused 1 promotion: `pulumi up` fails until each is fixed or overridden");
  expect(md).toContain(`- \`census-scoring-model\`: ${summary}`);
  // The whole diagnostic, both metric sets in its table, folded below.
  expect(md).toContain(`\`\`\`text\n${BINDING} resource 'census-scoring-model': property gate value {<nil>} has a problem: ${refusal}\n\`\`\``);
});

test("trainings show the dataset old → new; a model known only after training is held under promotion 'reviewed', gated at apply under 'gated'; other changes are listed", () => {
  const run = step(
    "update",
    "pulumi-nodejs:dynamic/azureml:RetrainingRun",
    "census-retrain",
    { input: { container: "training", path: "census/latest.csv" }, inputBlob: { etag: "0x8DE0AAAAAAAAAAA", lastModified: "2026-12-01T09:00:00.000Z" } },
    { input: { container: "training", path: "census/latest.csv" }, inputBlob: { etag: "0x8DE0BBBBBBBBBBB", lastModified: "2026-12-02T08:00:00.000Z" } },
  );
  const reviewed = step("update", BINDING, "census-scoring-model", { targetKind: "classic", endpointName: "retrain01", model: v1 }, { targetKind: "classic", endpointName: "retrain01", model: UNKNOWN });
  const gated = step("update", BINDING, "census-arm-model", { __targetKind: "arm", webServiceName: "census-arm", model: v1 }, { __targetKind: "arm", webServiceName: "census-arm", model: UNKNOWN, promotion: "gated", gate: { minimum: { auc: 0.8 } } });
  const endpoint = step("update", "pulumi-nodejs:dynamic/azureml:ScoringEndpoint", "census-scoring", { description: "a" }, { description: "b" });
  const review = buildReview({ stack: "dev", events: [run, reviewed, gated, endpoint] });
  expect(review.summary).toBe("1 promotion, 0 refused by gate, 1 held for review, 1 training, 1 other change");
  expect(review.trainings).toEqual([
    { resource: "census-retrain", type: "RetrainingRun", op: "update", dataset: "training/census/latest.csv", old: { etag: "0x8DE0AAAAAAAAAAA", lastModified: "2026-12-01T09:00:00.000Z" }, new: { etag: "0x8DE0BBBBBBBBBBB", lastModified: "2026-12-02T08:00:00.000Z" } },
  ]);
  expect(review.promotions).toEqual([
    expect.objectContaining({ key: "census-arm-model", proposed: null, gate: { status: "pending", summary: "gate runs at apply, on the trained model" }, write: "ARM definition update" }),
    expect.objectContaining({ key: "census-scoring-model", proposed: null, metrics: [{ metric: "auc", old: 0.9012 }, { metric: "accuracy", old: 0.84 }], write: "none", held: expect.stringContaining("held for review") }),
  ]);
  const md = renderMarkdown(review);
  expect(md).toContain("| known after apply | auc 0.9012 → –<br>accuracy 0.84 → – | ⏳ gate runs at apply, on the trained model | ARM definition update |");
  expect(md).toContain('| known after apply | auc 0.9012 → –<br>accuracy 0.84 → – | no gate | none: held for review (promotion "reviewed")');
  expect(md).toContain("| `census-retrain` (RetrainingRun, update) | `training/census/latest.csv` | …AAAAAAAA, 2026-12-01 09:00:00Z → …BBBBBBBB, 2026-12-02 08:00:00Z |");
  expect(md).toContain("- `census-scoring` (ScoringEndpoint): update");
});

test("a ModelRollout wave is one row per target whose model moves; a target added to the wave has no current model", () => {
  const WAVE = "pulumi-nodejs:dynamic/azureml:RolloutWave";
  const ws = "a".repeat(32);
  const svc = "b".repeat(32);
  const t = (endpointName: string) => ({ kind: "classic", workspaceId: ws, webServiceId: svc, endpointName, trainedModelName: "m" });
  const arm = { kind: "arm", key: "eu-arm", subscriptionId: "s", resourceGroup: "rg", webServiceName: "census-eu", trainedModelName: "m" };
  const wave = step("update", WAVE, "census-rollout-wave-0", { model: v1, targets: [t("ep1"), arm] }, { model: v2, targets: [t("ep1"), arm, t("ep2")], promotion: "gated" });
  const review = buildReview({ stack: "dev", events: [wave] });
  expect(review.summary).toBe("3 promotions, 0 refused by gate, 0 trainings, 0 other changes");
  expect(review.promotions.map((p) => [p.key, p.target, p.current?.path, p.proposed?.path, p.write])).toEqual([
    [`census-rollout-wave-0/classic/${ws}/${svc}/ep1`, "classic endpoint ep1", v1.path, v2.path, "classic PATCH"],
    [`census-rollout-wave-0/classic/${ws}/${svc}/ep2`, "classic endpoint ep2", undefined, v2.path, "classic PATCH"],
    ["census-rollout-wave-0/eu-arm", "ARM web service census-eu", v1.path, v2.path, "ARM definition update"],
  ]);
  // Same model, one target added: only the new target is a row.
  const added = buildReview({ stack: "dev", events: [step("update", WAVE, "w", { model: v2, targets: [t("ep1")] }, { model: v2, targets: [t("ep1"), t("ep2")] })] });
  expect(added.promotions.map((p) => p.key)).toEqual([`w/classic/${ws}/${svc}/ep2`]);
});

test("a no-op preview is an empty review", () => {
  const review = buildReview({ stack: "dev", events: [step("same", BINDING, "census-scoring-model", { model: v1 }, { model: v1 })] });
  expect(review.summary).toBe("0 promotions, 0 refused by gate, 0 trainings, 0 other changes");
  expect(renderMarkdown(review)).toContain("No changes: `pulumi up` will write nothing.");
});

test("at 200 targets the summary fits one screen and the details fold; targets making the same change share a row", () => {
  const events = Array.from({ length: 200 }, (_, n) =>
    step("update", BINDING, `model-${n}`, { targetKind: "classic", endpointName: `ep${n}`, model: v1 }, { targetKind: "classic", endpointName: `ep${n}`, model: v2 }),
  );
  const md = renderMarkdown(buildReview({ stack: "fleet", events }));
  const top = md.slice(0, md.indexOf("<details"));
  expect(top.split("\n").length).toBeLessThan(25);
  expect(top).toContain("**200 promotions, 0 refused by gate, 0 trainings, 0 other changes**");
  expect(md).toContain("<details open><summary>Promotions (200): 1 distinct change</summary>");
  expect(md.split("\n").filter((l) => l.startsWith("| **200 targets** (listed below) | `models/")).length).toBe(1);
  // One change: its metrics as a small chart, proposed bars over the current line.
  expect(md).toContain("```mermaid\nxychart-beta\n  title \"proposed (bars) vs current (line)\"\n  x-axis [auc, accuracy]\n  y-axis 0 --> 1\n  bar [0.9134, 0.851]\n  line [0.9012, 0.84]\n```");
  for (let n = 0; n < 200; n++) expect(md.match(new RegExp(`classic endpoint ep${n}(,|$)`, "gm"))).toHaveLength(1);
});

const WAVE = "pulumi-nodejs:dynamic/azureml:RolloutWave";
function wave(name: string, from: number, count: number, news: Record<string, unknown> = {}): EngineEvent {
  const targets = Array.from({ length: count }, (_, k) => ({ kind: "classic", key: `ep${from + k}`, endpointName: `ep${from + k}`, trainedModelName: "m" }));
  // Recorded inputs keep the list as __targets, `targets` is its digest (lifecycle/quiet.ts).
  return step("update", WAVE, name, { model: v1, __targets: targets, targets: `${count} targets` }, { model: v2, __targets: targets, targets: `${count} targets`, ...news });
}

test("every refused wave is reported, each target once, none as a write; the refusals recorded in review mode need no diagnostic", () => {
  const worse = { ...v2, metrics: { auc: 0.85, accuracy: 0.8 } };
  const refusal = (name: string) => gateRefusal("RolloutWave", name, evaluateGate({ minimum: { auc: 0.9 } }, v1.metrics, worse.metrics), v1, worse, "preview");
  const events = [wave("r-canary", 0, 1), wave("r-wave-1", 1, 3), wave("r-wave-2", 4, 3)];
  const review = buildReview({
    stack: "dev",
    events,
    refusals: [
      { resource: "r-canary", message: refusal("r-canary") },
      { resource: "r-wave-1", message: `${refusal("r-wave-1")}\n    at Object.diff (/x/rolloutWave.js:1:2)` },
      { resource: "r-wave-2", message: refusal("r-wave-2") },
    ],
  });
  expect(review.summary).toBe("0 promotions, 7 refused by gate, 0 trainings, 0 other changes");
  expect(review.preview).toBe("failed");
  expect(review.promotions.map((p) => [p.key, p.gate.status, p.write])).toEqual(
    ["r-canary/ep0", "r-wave-1/ep1", "r-wave-1/ep2", "r-wave-1/ep3", "r-wave-2/ep4", "r-wave-2/ep5", "r-wave-2/ep6"].map((k) => [k, "refused", "none"]),
  );
  const md = renderMarkdown(review);
  expect(md).toContain("⛔ The gate refused 7 promotions");
  expect(md).not.toMatch(/classic PATCH|at Object\.diff/);
  // The three waves' refusals read the same: one line, one table row; each wave's diagnostic once.
  expect(md.match(/gate refused the promotion of/g)!.length).toBeLessThanOrEqual(5);
  expect(md).toContain("<summary>Refusals in full (3)</summary>");
});

test("a review whose preview could not run says why, without the Automation API's wrapping", () => {
  const failure = "Command failed with exit code 255: pulumi preview --stack dev\ncode: 255\n stdout: \n stderr: error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n  online: false\n";
  const review = buildReview({ stack: "dev", events: [], failure });
  expect(review.preview).toBe("failed");
  expect(review.errors).toEqual(["error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`."]);
  expect(renderMarkdown(review)).toContain("❌ The preview failed:\n\n- error: the stack is currently locked");
});

test("1,000 targets in 8 waves: the Markdown stays under 100 KB with a one-screen top", () => {
  const events = [wave("big-canary", 0, 1), ...Array.from({ length: 7 }, (_, k) => wave(`big-wave-${k + 1}`, 1 + k * 143, k === 6 ? 141 : 143))];
  const review = buildReview({ stack: "fleet", events });
  expect(review.promotions).toHaveLength(1000);
  const md = renderMarkdown(review);
  expect(Buffer.byteLength(md)).toBeLessThan(100 * 1024);
  expect(md.slice(0, md.indexOf("<details")).split("\n").length).toBeLessThan(25);
  // Every wave refused: still under 100 KB, every target named once, the top one screen.
  const worse = { ...v2, metrics: { auc: 0.85, accuracy: 0.8 } };
  const refusals = events.map((e) => {
    const name = e.resourcePreEvent!.metadata.urn.split("::").pop()!;
    return { resource: name, message: gateRefusal("RolloutWave", name, evaluateGate({ minimum: { auc: 0.9 } }, v1.metrics, worse.metrics), v1, worse, "preview") };
  });
  const refused = buildReview({ stack: "fleet", events, refusals });
  expect(refused.summary).toBe("0 promotions, 1000 refused by gate, 0 trainings, 0 other changes");
  const rmd = renderMarkdown(refused);
  expect(Buffer.byteLength(rmd)).toBeLessThan(100 * 1024);
  expect(rmd.slice(0, rmd.indexOf("<details")).split("\n").length).toBeLessThan(25);
  for (const n of [0, 1, 500, 999]) expect(rmd.match(new RegExp(`classic endpoint ep${n}(,|$)`, "gm"))).toHaveLength(1);
});

test("an overridden promotion is counted apart in the summary, so '0 refused' never hides it", () => {
  expect(summaryLine({ promotions: 3, refused: 0, held: 0, trainings: 0, other: 0, overridden: 1 })).toBe("3 promotions (1 by override), 0 refused by gate, 0 trainings, 0 other changes");
  expect(summaryLine({ promotions: 1, refused: 0, held: 0, trainings: 1, other: 0 })).toBe("1 promotion, 0 refused by gate, 1 training, 0 other changes");
});

test("an integrity refusal (the blob holds other bytes than declared) is a refused row counted apart from the gate's, never a write", () => {
  const urn = `${PREFIX}${BINDING}::census-scoring-model`;
  const changed = `TrainedModelBinding "census-scoring-model": model blob models/${v2.path} holds other bytes than the program declares: expected sha256 ${"a".repeat(64)}, actual sha256 ${"b".repeat(64)} (etag 0x8DE0FFFF)`;
  const worse = { ...v2, metrics: { auc: 0.85, accuracy: 0.8 } };
  const gated = gateRefusal("TrainedModelBinding", "other-model", evaluateGate({ minimum: { auc: 0.9 } }, v1.metrics, worse.metrics), v1, worse, "preview");
  const review = buildReview({
    stack: "dev",
    events: [],
    refusals: [{ resource: "census-scoring-model", message: changed }, { resource: "other-model", message: gated }],
    stateInputs: { [urn]: { __targetKind: "classic", endpointName: "retrain01", model: v1 }, [`${PREFIX}${BINDING}::other-model`]: { __targetKind: "classic", endpointName: "retrain02", model: v1 } },
  });
  expect(review.preview).toBe("failed");
  expect(review.summary).toBe("0 promotions, 1 refused by gate, 1 refused: model bytes not as declared, 0 trainings, 0 other changes");
  expect(review.promotions.map((p) => [p.key, p.gate.status, p.write, p.proposed?.path])).toEqual([
    ["census-scoring-model", "refused", "none", v2.path],
    ["other-model", "refused", "none", v2.path],
  ]);
  const md = renderMarkdown(review);
  expect(md).toContain("⛔ The gate refused 1 promotion:");
  expect(md).toContain("⛔ 1 promotion refused because the model blob does not hold the bytes declared");
});
