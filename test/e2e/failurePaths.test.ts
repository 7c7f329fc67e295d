/**
 * State never lies after a failure (issue 18), through the real engine: a refused rollback write leaves state naming
 * the model that really serves, and the next up converges, for a binding and for a ModelRollout's wave (whose audit
 * names it too); a gate over a bound model without metrics promotes
 * with one write and one audit line, and the next up has nothing to do; the verification probe rides out 429s;
 * `pin: "previous"` after drift resolves from what the binding declared.
 */
import * as path from "path";
import { BlobServiceClient } from "@azure/storage-blob";
import { listAuditedTargets, listPromotions } from "../../provider/audit";
import { bindingTargetKey } from "../../provider/ownership";
import type { TrainedModelBindingInputs } from "../../provider/targets/target";
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import type { StackConfig } from "../../examples/local/manifestConfig";
import { collectSteps, withStack } from "../support/pulumi";
import { SAMPLE_ROW, UploadedModel, boundPath, emulatorWrites, promotionStackConfig, resetEmulatorRequests, scoringModel, usePromotionEmulator } from "../support/promotion";

const project = path.join(__dirname, "fixtures", "promotion");
const env = usePromotionEmulator();

const models = () => BlobServiceClient.fromConnectionString(env.emulator.manifest.storage.connectionString).getContainerClient(env.emulator.manifest.containers.models);
const access = () => ({ accountName: env.emulator.manifest.storage.accountName, accountKey: env.emulator.manifest.storage.accountKey, blobEndpoint: env.emulator.manifest.storage.blobEndpoint });
const bindingOf = async (stack: { exportStack(): Promise<{ deployment: { resources: Array<{ urn: string; outputs?: Record<string, unknown> }> } }> }) =>
  (await stack.exportStack()).deployment.resources.find((r) => r.urn.endsWith("::scoring-model"))!.outputs as { model: { path: string }; verifiedBy: string; boundLocation: string };

interface BoundStack { stack: Stack; config: StackConfig; prefix: string; container: string; v1: UploadedModel; apiLocation: string; key: string }

/** A promotion-fixture stack whose endpoint serves v1 (`beforeUp` runs after the upload, before the first up). */
async function withBoundStack(overrides: Record<string, string>, fn: (s: BoundStack) => Promise<void>, beforeUp?: (prefix: string) => Promise<void>): Promise<void> {
  const config = promotionStackConfig(env.emulator.manifest, overrides);
  const prefix = config.classicPrefix.value;
  const v1 = await env.models.upload(prefix, "v1", 1);
  await beforeUp?.(prefix);
  await withStack(project, config, async ({ stack }) => {
    const created = await stack.up();
    const ctx = { stack, config, prefix, container: env.emulator.manifest.containers.models, v1, apiLocation: created.outputs.endpointApiLocation.value as string, key: created.outputs.endpointKey.value as string };
    await fn(ctx);
  });
}

/**
 * Runs `up` so that the service refuses its rollback: once the promotion's write reached the service (its answer held
 * back), `blob` — the content-addressed copy the target served before — is deleted. Returns the error message.
 */
async function upWithRollbackRefused(stack: Stack, blob: string): Promise<string> {
  await setFaults({ management: { answerDelayMs: 3000 } });
  await resetEmulatorRequests(env.emulator.url);
  let finished = false;
  const up = stack.up().finally(() => (finished = true));
  try {
    while (!finished && !(await emulatorWrites(env.emulator.url))["management PATCH"]) await new Promise((r) => setTimeout(r, 25));
    await models().getBlockBlobClient(blob).delete();
  } finally {
    await setFaults({});
  }
  return up.then(() => "", (err: Error) => err.message);
}

test("a refused rollback write: the update names what serves, state records it, and the next up binds the declared model", async () => {
  await withBoundStack({ samples: JSON.stringify([{ row: SAMPLE_ROW, expectLabel: ">50K" }]) }, async ({ stack, prefix, container, v1, apiLocation, key }) => {

    // v2 scores the sample wrong, and the copy of v1 is gone by the rollback, so the service refuses its write.
    const flipped = await env.models.upload(prefix, "v2", 1, "flipped");
    const failed = await upWithRollbackRefused(stack, boundPath(container, v1.sha256).slice(container.length + 1));
    expect(failed).toContain(`verification.samples[0] scored wrong`);
    expect(failed).toContain(`Rolling back to ${boundPath(container, v1.sha256)} failed too`);
    expect(failed).toContain(`The target serves ${boundPath(container, flipped.sha256)} (etag `);
    expect(await scoringModel(apiLocation, key)).toBe(boundPath(container, flipped.sha256));
    // State says what serves, unverified, not the model it served before.
    expect(await bindingOf(stack)).toMatchObject({ model: { sha256: flipped.sha256 }, boundLocation: boundPath(container, flipped.sha256), verifiedBy: "failed" });
    // So does the audit: its last line names the model left serving, unverified (before: v1, verified).
    const target = bindingTargetKey((await bindingOf(stack)) as unknown as Partial<TrainedModelBindingInputs>)!;
    expect((await listPromotions(access(), target, 2)).map((r) => [r.to.sha256, r.verifiedBy])).toEqual([[flipped.sha256, "failed"], [v1.sha256, expect.any(String)]]);

    // The program declares the old model again (uploaded again): one write, and the target serves it.
    const again = await env.models.upload(prefix, "v1", 1);
    await resetEmulatorRequests(env.emulator.url);
    expect((await stack.up()).summary.resourceChanges).toEqual({ same: 2, update: 1 });
    expect(await emulatorWrites(env.emulator.url)).toEqual({ "management PATCH": 1 });
    expect(await scoringModel(apiLocation, key)).toBe(boundPath(container, again.sha256));
    expect(await bindingOf(stack)).toMatchObject({ model: { path: again.path }, verifiedBy: "model-headers+samples" });
    expect((await listPromotions(access(), target, 1))[0]).toMatchObject({ to: { sha256: again.sha256 }, verifiedBy: "model-headers+samples" });
    await resetEmulatorRequests(env.emulator.url);
    expect((await stack.preview()).changeSummary).toEqual({ same: 3 });
    expect(await emulatorWrites(env.emulator.url)).toEqual({});
  });
});

test("a gate over a bound model without metrics: one write, one audit line, state on the new model, then nothing to do", async () => {
  // The bound model has no metrics (metrics are trusted only through its manifest, issue 16): the gate has no baseline.
  const noEvaluation = async (prefix: string) => {
    const manifest = models().getBlockBlobClient(`${prefix}v1/model.ilearner.manifest.json`);
    const { metrics: _m, ...rest } = JSON.parse((await manifest.downloadToBuffer()).toString("utf8"));
    await env.models.writeManifest(`${prefix}v1/model.ilearner`, { ...rest, metrics: {} });
    await models().getBlockBlobClient(`${prefix}v1/evaluation.csv`).delete();
  };
  await withBoundStack({}, async ({ stack, config, prefix, container, v1, apiLocation, key }) => {
    expect(await scoringModel(apiLocation, key)).toBe(boundPath(container, v1.sha256));

    // The gate comes with the next model (a gate at create would refuse v1: it has no metrics to meet a minimum).
    await stack.setConfig("gate", { value: JSON.stringify({ minimum: { auc: 0.5 }, maxDrop: { accuracy: 0.01 } }) });
    const v2 = await env.models.upload(prefix, "v2", 2);
    await resetEmulatorRequests(env.emulator.url);
    expect((await stack.up()).summary.resourceChanges).toEqual({ same: 2, update: 1 });
    expect(await emulatorWrites(env.emulator.url)).toEqual({ "management PATCH": 1 });
    expect(await scoringModel(apiLocation, key)).toBe(boundPath(container, v2.sha256));
    const state = (await stack.exportStack()).deployment.resources.find((r: { urn: string }) => r.urn.endsWith("::scoring-model"));
    expect(state.outputs.model.path).toBe(v2.path);
    // The verdict says the relative rule had no baseline; the minimum was checked on the new model alone.
    expect(state.outputs.gateVerdict).toMatchObject({ passed: true });
    expect(state.outputs.gateVerdict.checks).toEqual([
      { metric: "auc", rule: ">= 0.5", new: expect.any(Number), passed: true },
      { metric: "accuracy", rule: "drop <= 0.01", new: expect.any(Number), passed: true, note: "no baseline: the bound model has no evaluation" },
    ]);
    await resetEmulatorRequests(env.emulator.url);
    expect((await stack.up()).summary.resourceChanges).toEqual({ same: 3 });
    expect(await emulatorWrites(env.emulator.url)).toEqual({});

    const endpoint = config.endpointName.value;
    const target = (await listAuditedTargets(access())).find((t) => t.target.includes(`/${endpoint}/`))!.target;
    expect((await listPromotions(access(), target, 10)).map((r) => [r.operation, r.to.path])).toEqual([["update", v2.path], ["create", v1.path]]);
  }, noEvaluation);
});

/** The emulator's RRS scoring requests since the last reset. */
async function scoringRequests(): Promise<number> {
  const res = await fetch(`${env.emulator.url}/_emulator/requests`);
  return ((await res.json()) as Record<string, Record<string, number>>).rrs?.POST ?? 0;
}
const setFaults = (faults: unknown) => fetch(`${env.emulator.url}/_emulator/faults`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(faults) });

test("verification rides out 429s on the probe within timeoutSeconds, honouring Retry-After: the good model is kept", async () => {
  await withBoundStack({}, async ({ stack, prefix, container, apiLocation, key }) => {
    const v2 = await env.models.upload(prefix, "v2", 2);

    // Every scoring request answers 429 (Retry-After 1 s) until the probe has been refused 8 times: more attempts
    // than the transport's fixed retry count, far less than the fixture's verification.timeoutSeconds (30).
    await setFaults({ rrs: { throttleRate: 1, retryAfterSeconds: 1 } });
    await resetEmulatorRequests(env.emulator.url);
    let finished = false;
    const up = stack.up().finally(() => (finished = true));
    try {
      while (!finished && (await scoringRequests()) < 8) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await setFaults({});
    }
    const result = await up.then((r) => r.summary.resourceChanges, (err: Error) => err.message);
    expect(result).toEqual({ same: 2, update: 1 });
    expect(await scoringRequests()).toBeGreaterThanOrEqual(8);
    expect(await emulatorWrites(env.emulator.url)).toEqual({ "management PATCH": 1 });
    expect(await scoringModel(apiLocation, key)).toBe(boundPath(container, v2.sha256));
  });
});

test("pin previous after drift resolves from the binding's declared history, never to a model patched on out of band", async () => {
  await withBoundStack({}, async ({ stack, config, prefix, container, v1, apiLocation, key }) => {
    const v2 = await env.models.upload(prefix, "v2", 2);
    await stack.up();

    // Someone patches a model no program declared onto the endpoint; refresh records the drift, up restores v2.
    const stray = await env.models.upload(`${prefix.replace(/\/$/, "")}-stray/`, "v3", 3);
    await env.models.patchEndpointOutOfBand(config.endpointName.value, key, stray.path);
    await stack.refresh();
    expect((await stack.up()).summary.resourceChanges).toEqual({ same: 2, update: 1 });
    expect(await scoringModel(apiLocation, key)).toBe(boundPath(container, v2.sha256));

    // Rolling back goes to v1, the model declared before v2.
    await stack.setConfig("pin", { value: JSON.stringify("previous") });
    const events: EngineEvent[] = [];
    await stack.preview({ onEvent: (e) => events.push(e) });
    expect((collectSteps(events).find((s) => s.name === "scoring-model")!.newInputs?.model as { path: string }).path).toBe(v1.path);
    await stack.up();
    expect(await scoringModel(apiLocation, key)).toBe(boundPath(container, v1.sha256));
  });
});

test("a wave whose rollback write is refused: the update names what serves, the wave's state records it, and the next up converges", async () => {
  // Two endpoints through a ModelRollout: the canary, then one wave.
  const config = promotionStackConfig(env.emulator.manifest, { endpointCount: "2", canary: "1", waveSize: "1", samples: JSON.stringify([{ row: SAMPLE_ROW, expectLabel: ">50K" }]) });
  const prefix = config.classicPrefix.value;
  const container = env.emulator.manifest.containers.models;
  const v1 = await env.models.upload(prefix, "v1", 1);
  await withStack(path.join(__dirname, "fixtures", "rollout"), config, async ({ stack }) => {
    const created = await stack.up();
    const keys: string[] = created.outputs.endpointKeys.value;
    const apis: string[] = created.outputs.apiLocations.value;
    const canary = () => scoringModel(apis[0], keys[0]);
    const wave = async () => (await stack.exportStack()).deployment.resources.find((r: { urn: string }) => r.urn.endsWith("::census-canary")).outputs.bound as Array<{ model: { sha256?: string }; verifiedBy: string }>;

    // v2 scores the sample wrong, and the copy of v1 is gone by the canary's rollback, so the service refuses its write.
    const flipped = await env.models.upload(prefix, "v2", 1, "flipped");
    const failed = await upWithRollbackRefused(stack, boundPath(container, v1.sha256).slice(container.length + 1));
    expect(failed).toContain("verification.samples[0] scored wrong");
    expect(failed).toContain(`Rolling back to ${boundPath(container, v1.sha256)} failed too`);
    expect(failed).toContain(`serves ${boundPath(container, flipped.sha256)}`);
    expect(await canary()).toBe(boundPath(container, flipped.sha256));
    // The wave's state says what serves, unverified; the later wave never started.
    expect(await wave()).toMatchObject([{ model: { sha256: flipped.sha256 }, verifiedBy: "failed" }]);
    expect(await scoringModel(apis[1], keys[1])).toBe(boundPath(container, v1.sha256));
    // So does the canary's audit: its last line names the model left serving, unverified.
    const audited = (await listAuditedTargets(access())).find((t) => t.target.includes(`/${config.endpointName.value}-0/`))!.target;
    expect((await listPromotions(access(), audited, 1))[0]).toMatchObject({ to: { sha256: flipped.sha256 }, verifiedBy: "failed" });

    // The program declares the old model again (uploaded again; training gives other bytes, so both targets move).
    const again = await env.models.upload(prefix, "v1", 1);
    await resetEmulatorRequests(env.emulator.url);
    await stack.up();
    expect(await emulatorWrites(env.emulator.url)).toEqual({ "management PATCH": 2 });
    expect(await canary()).toBe(boundPath(container, again.sha256));
    expect(await scoringModel(apis[1], keys[1])).toBe(boundPath(container, again.sha256));
    expect(await wave()).toMatchObject([{ model: { sha256: again.sha256 }, verifiedBy: "model-headers+samples" }]);
    await resetEmulatorRequests(env.emulator.url);
    expect((await stack.preview()).changeSummary).not.toHaveProperty("update");
    expect(await emulatorWrites(env.emulator.url)).toEqual({});
  });
});
