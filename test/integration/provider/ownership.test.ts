/**
 * Endpoint ownership and the promotion audit (provider/ownership.ts, provider/audit.ts), driving the lifecycle of
 * a binding (and of a rollout wave) directly against the emulator on Azurite: the claim and audit blobs as storage
 * holds them, and the request log proving a refused binding writes nothing.
 */
import { BlobServiceClient } from "@azure/storage-blob";
import { listPromotions } from "../../../provider/audit";
import { STATE_CONTAINER } from "../../../provider/clients/stateBlobs";
import type { ScoringEndpointState } from "../../../provider/lifecycle/scoringEndpoint";
import { trainedModelBindingProvider, TrainedModelBindingInputs, TrainedModelBindingState } from "../../../provider/lifecycle/trainedModelBinding";
import { rolloutWaveProvider, RolloutWaveInputs } from "../../../provider/lifecycle/rolloutWave";
import { getLatestModelBlob } from "../../../provider/latestModel";
import { acquireClaim, claimPath, bindingTargetKey } from "../../../provider/ownership";
import { requestLog, resetRequestLog } from "../../../provider/transport";
import { fromWire } from "../../../provider/lifecycle/quiet";
import type { ModelBlobRef } from "../../../provider/validation";
import { SAMPLE_ROW, usePromotionEmulator } from "../../support/promotion";
import { uniqueName } from "../../support/storage";
import { FAST_HTTP, createAddedEndpoint } from "../../support/endpoints";

const env = usePromotionEmulator();
const FAST = FAST_HTTP;
const STACK_A = "organization/promotion/team-a";
const STACK_B = "organization/promotion/team-b";

const storage = () => {
  const s = env.emulator.manifest.storage;
  return { storageAccountName: s.accountName, storageAccountKey: s.accountKey, storageBlobEndpoint: s.blobEndpoint };
};
const stateContainer = () => BlobServiceClient.fromConnectionString(env.emulator.manifest.storage.connectionString).getContainerClient(STATE_CONTAINER);
const writes = () => requestLog().filter((e) => e.method !== "GET" && e.method !== "HEAD" && e.surface !== "rrs").map((e) => `${e.surface} ${e.method}`);

const createEndpoint = (): Promise<ScoringEndpointState> => createAddedEndpoint(env.emulator.manifest, "own");

function binding(ep: ScoringEndpointState, model: ModelBlobRef, ownerStack: string, extra: Partial<TrainedModelBindingInputs> = {}): Partial<TrainedModelBindingInputs> {
  return {
    resourceName: "scoring-model", targetKind: "classic", managementBaseUrl: ep.managementBaseUrl, region: ep.region, workspaceId: ep.workspaceId,
    webServiceId: ep.webServiceId, endpointName: ep.endpointName, apiLocation: ep.apiLocation, endpointKey: ep.primaryKey,
    trainedModelName: env.emulator.manifest.classic.predictiveService.trainedModelResourceName, model, ...storage(),
    // Ownership, not approval: "reviewed" would hold a model no preview marked (promotion/previewLedger.ts).
    promotion: "gated", verification: { sampleRow: SAMPLE_ROW, timeoutSeconds: 10, intervalSeconds: 0.2 }, http: FAST, ownerStack, ...extra,
  };
}

async function latest(prefix: string): Promise<ModelBlobRef> {
  return getLatestModelBlob({ ...storage(), container: env.emulator.manifest.containers.models, prefix });
}

test("the first stack claims the target; a second is refused at check and at apply with zero writes; destroy releases", async () => {
  const prefix = `${uniqueName("own")}/`;
  await env.models.upload(prefix, "v1", 1);
  const ep = await createEndpoint();
  const v1 = await latest(prefix);

  const a = await trainedModelBindingProvider.check!({} as never, binding(ep, v1, STACK_A, { actor: "alice" }) as never);
  expect(a.failures).toEqual([]);
  const created = await trainedModelBindingProvider.create!(a.inputs as TrainedModelBindingInputs);
  const key = bindingTargetKey(fromWire(a.inputs as TrainedModelBindingInputs))!;
  expect(key).toBe(`classic/${ep.region}/${ep.workspaceId}/${ep.webServiceId}/${ep.endpointName}/${env.emulator.manifest.classic.predictiveService.trainedModelResourceName}`);
  const claim = JSON.parse((await stateContainer().getBlobClient(claimPath(key)).downloadToBuffer()).toString());
  expect(claim).toMatchObject({ owner: STACK_A, target: key, binding: "scoring-model" });

  // Stack B: preview (check of a new binding) is refused naming the owner, after reads only.
  resetRequestLog();
  const b = await trainedModelBindingProvider.check!({} as never, binding(ep, v1, STACK_B) as never);
  expect(b.failures).toEqual([
    expect.objectContaining({ property: "endpointName", reason: expect.stringContaining(`is owned by stack ${STACK_A} (binding "scoring-model"`) }),
  ]);
  expect(b.failures![0].reason).toContain("remove the binding and run pulumi up, or run pulumi destroy");
  expect(writes()).toEqual([]);
  // Apply without a preview is refused before the binding's write: reads, and the create-only PUT of the claim, which lost.
  resetRequestLog();
  await expect(trainedModelBindingProvider.create!(b.inputs as TrainedModelBindingInputs)).rejects.toThrow(`is owned by stack ${STACK_A}`);
  expect(writes()).toEqual(["storage PUT"]);

  // B's binding from before ownership (state without ownerStack): its next promotion is refused at diff.
  await env.models.upload(prefix, "v2", 2);
  const legacy = { ...created.outs, ownerStack: undefined } as TrainedModelBindingState;
  const promoted = (await trainedModelBindingProvider.check!(legacy, binding(ep, await latest(prefix), STACK_B) as never)).inputs as TrainedModelBindingInputs;
  resetRequestLog();
  await expect(trainedModelBindingProvider.diff!(created.id, legacy, promoted)).rejects.toThrow(`endpointName: target ${key} is owned by stack ${STACK_A}`);
  expect(writes()).toEqual([]);

  // The owner's destroy releases the claim; then B binds and owns it.
  await trainedModelBindingProvider.delete!(created.id, created.outs!);
  expect(await stateContainer().getBlobClient(claimPath(key)).exists()).toBe(false);
  const b2 = await trainedModelBindingProvider.check!({} as never, binding(ep, v1, STACK_B) as never);
  expect(b2.failures).toEqual([]);
  const bCreated = await trainedModelBindingProvider.create!(b2.inputs as TrainedModelBindingInputs);
  expect(JSON.parse((await stateContainer().getBlobClient(claimPath(key)).downloadToBuffer()).toString()).owner).toBe(STACK_B);
  // A's old state deleted again (e.g. a retried destroy) leaves B's claim alone.
  await trainedModelBindingProvider.delete!(created.id, created.outs!);
  expect(await stateContainer().getBlobClient(claimPath(key)).exists()).toBe(true);
  await trainedModelBindingProvider.delete!(bCreated.id, bCreated.outs!);
  expect(await stateContainer().getBlobClient(claimPath(key)).exists()).toBe(false);
});

test("of two stacks claiming a free target at once, exactly one wins", async () => {
  const ep = await createEndpoint();
  const model = { container: "models", path: "x/model.ilearner", etag: "0x1", lastModified: "", size: 1 };
  const results = await Promise.allSettled([STACK_A, STACK_B, "organization/promotion/team-c"].map((s) => acquireClaim(binding(ep, model, s) as TrainedModelBindingInputs)));
  expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  expect(results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason))).toEqual([
    expect.stringContaining("is owned by stack"),
    expect.stringContaining("is owned by stack"),
  ]);
});

test("each verified write appends one audit line; a write that fails verification appends none", async () => {
  const prefix = `${uniqueName("aud")}/`;
  await env.models.upload(prefix, "v1", 1);
  const ep = await createEndpoint();
  const v1 = await latest(prefix);
  const checked = await trainedModelBindingProvider.check!({} as never, binding(ep, v1, STACK_A, { actor: "alice" }) as never);
  const created = await trainedModelBindingProvider.create!(checked.inputs as TrainedModelBindingInputs);
  const key = bindingTargetKey(fromWire(checked.inputs as TrainedModelBindingInputs))!;
  const access = { accountName: storage().storageAccountName, accountKey: storage().storageAccountKey, blobEndpoint: storage().storageBlobEndpoint };

  await env.models.upload(prefix, "v2", 2);
  const v2 = await latest(prefix);
  const promoted = (await trainedModelBindingProvider.check!(created.outs as never, binding(ep, v2, STACK_A, { actor: "bob" }) as never)).inputs as TrainedModelBindingInputs;
  resetRequestLog();
  const updated = (await trainedModelBindingProvider.update!(created.id, created.outs as TrainedModelBindingState, promoted)).outs as TrainedModelBindingState;
  // The audit append is a storage write, never a service one.
  expect(writes().filter((w) => !w.startsWith("storage"))).toEqual(["management PATCH"]);

  const records = await listPromotions(access, key, 5);
  expect(records.map((r) => [r.operation, r.actor, r.stack, r.from?.path, r.to.path])).toEqual([
    ["update", "bob", STACK_A, v1.path, v2.path],
    ["create", "alice", STACK_A, expect.any(String), v1.path],
  ]);
  expect(records[0]).toMatchObject({ target: key, from: { etag: v1.etag, metrics: v1.metrics }, to: { etag: v2.etag, metrics: v2.metrics }, verifiedBy: "model-headers" });

  // Scoring fails after the PATCH: the update fails, and the audit is unchanged.
  await env.models.upload(prefix, "v3", 3);
  const v3 = await latest(prefix);
  const failing = (await trainedModelBindingProvider.check!(updated as never, binding(ep, v3, STACK_A) as never)).inputs as TrainedModelBindingInputs;
  await fetch(`${env.emulator.url}/_emulator/faults`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ rrs: { errorRate: 1 } }) });
  try {
    await expect(trainedModelBindingProvider.update!(created.id, updated, failing)).rejects.toThrow(/verification of .* failed/);
  } finally {
    await fetch(`${env.emulator.url}/_emulator/faults`, { method: "PUT", headers: { "content-type": "application/json" }, body: "{}" });
  }
  expect((await listPromotions(access, key, 5)).map((r) => r.to.path)).toEqual([v2.path, v1.path]);
  await trainedModelBindingProvider.delete!(created.id, updated);
});

test("a RolloutWave claims its targets like a binding: refused at check for an owned one, audited per target, released on delete", async () => {
  const prefix = `${uniqueName("wave")}/`;
  await env.models.upload(prefix, "v1", 1);
  const [owned, free] = [await createEndpoint(), await createEndpoint()];
  const v1 = await latest(prefix);
  const a = await trainedModelBindingProvider.check!({} as never, binding(owned, v1, STACK_A) as never);
  const bindingA = await trainedModelBindingProvider.create!(a.inputs as TrainedModelBindingInputs);
  const { classic } = env.emulator.manifest;
  const target = (ep: ScoringEndpointState) => ({
    kind: "classic" as const, trainedModelName: classic.predictiveService.trainedModelResourceName, managementBaseUrl: ep.managementBaseUrl,
    workspaceId: ep.workspaceId, webServiceId: ep.webServiceId, endpointName: ep.endpointName, apiLocation: ep.apiLocation,
  });
  const wave = (targets: ReturnType<typeof target>[]): Partial<RolloutWaveInputs> => ({
    resourceName: "rollout-wave", model: v1, targets, workspaceToken: classic.workspaceToken, ...storage(),
    promotion: "gated", verification: { timeoutSeconds: 10, intervalSeconds: 0.2 }, http: FAST, ownerStack: STACK_B, actor: "carol",
  });

  resetRequestLog();
  const refused = await rolloutWaveProvider.check!({} as never, wave([target(free), target(owned)]) as never);
  expect(refused.failures).toEqual([expect.objectContaining({ property: "targets[1].endpointName", reason: expect.stringContaining(`is owned by stack ${STACK_A}`) })]);
  expect(writes()).toEqual([]);

  const ok = await rolloutWaveProvider.check!({} as never, wave([target(free)]) as never);
  expect(ok.failures).toEqual([]);
  const created = await rolloutWaveProvider.create!(ok.inputs as RolloutWaveInputs);
  const freeKey = bindingTargetKey({ ...binding(free, v1, STACK_B), region: undefined } as TrainedModelBindingInputs)!;
  expect(JSON.parse((await stateContainer().getBlobClient(claimPath(freeKey)).downloadToBuffer()).toString()).owner).toBe(STACK_B);
  const access = { accountName: storage().storageAccountName, accountKey: storage().storageAccountKey, blobEndpoint: storage().storageBlobEndpoint };
  expect((await listPromotions(access, freeKey, 5)).map((r) => [r.operation, r.actor, r.stack, r.to.path])).toEqual([["create", "carol", STACK_B, v1.path]]);

  await rolloutWaveProvider.delete!(created.id, created.outs!);
  expect(await stateContainer().getBlobClient(claimPath(freeKey)).exists()).toBe(false);
  await trainedModelBindingProvider.delete!(bindingA.id, bindingA.outs!);
});

test("after pulumi stack rename the binding's next promotion keeps its claim under the new name", async () => {
  const prefix = `${uniqueName("ren")}/`;
  await env.models.upload(prefix, "v1", 1);
  const ep = await createEndpoint();
  const checked = await trainedModelBindingProvider.check!({} as never, binding(ep, await latest(prefix), STACK_A) as never);
  const created = await trainedModelBindingProvider.create!(checked.inputs as TrainedModelBindingInputs);
  const key = bindingTargetKey(fromWire(checked.inputs as TrainedModelBindingInputs))!;

  await env.models.upload(prefix, "v2", 2);
  const renamed = `${STACK_A}-renamed`;
  const promoted = (await trainedModelBindingProvider.check!(created.outs as never, binding(ep, await latest(prefix), renamed) as never)).inputs as TrainedModelBindingInputs;
  await trainedModelBindingProvider.diff!(created.id, created.outs as TrainedModelBindingState, promoted);
  const updated = (await trainedModelBindingProvider.update!(created.id, created.outs as TrainedModelBindingState, promoted)).outs as TrainedModelBindingState;
  expect(JSON.parse((await stateContainer().getBlobClient(claimPath(key)).downloadToBuffer()).toString()).owner).toBe(renamed);
  // Another stack is still refused.
  expect((await trainedModelBindingProvider.check!({} as never, binding(ep, promoted.model, STACK_B) as never)).failures).toEqual([
    expect.objectContaining({ reason: expect.stringContaining(`is owned by stack ${renamed}`) }),
  ]);
  await trainedModelBindingProvider.delete!(created.id, updated);
  expect(await stateContainer().getBlobClient(claimPath(key)).exists()).toBe(false);
});
