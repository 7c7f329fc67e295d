/**
 * RolloutWave's lifecycle against the emulator: refresh sees a target that someone moved by hand, the next diff
 * reports it, and the update re-binds that target alone (one PATCH); refresh records no outputs as inputs.
 */
import type { ScoringEndpointState } from "../../../provider/lifecycle/scoringEndpoint";
import { rolloutWaveProvider, RolloutWaveInputs, RolloutWaveState } from "../../../provider/lifecycle/rolloutWave";
import { getLatestModelBlob } from "../../../provider/latestModel";
import { requestLog, resetRequestLog } from "../../../provider/transport";
import { SAMPLE_ROW, usePromotionEmulator } from "../../support/promotion";
import { uniqueName } from "../../support/storage";
import { FAST_HTTP, createAddedEndpoint } from "../../support/endpoints";

const env = usePromotionEmulator();
const FAST = FAST_HTTP;
const writes = () => requestLog().filter((e) => e.method !== "GET" && e.method !== "HEAD" && e.surface !== "rrs" && e.surface !== "storage").map((e) => `${e.surface} ${e.method}`);

const createEndpoint = (): Promise<ScoringEndpointState> => createAddedEndpoint(env.emulator.manifest, "wave");

test("refresh sees a hand-moved target; the next update re-binds only that target", async () => {
  const { classic, storage, containers } = env.emulator.manifest;
  const prefix = `${uniqueName("wave")}/`;
  const v1 = await env.models.upload(prefix, "v1", 1);
  const eps = [await createEndpoint(), await createEndpoint(), await createEndpoint()];
  const model = await getLatestModelBlob({ storageAccountName: storage.accountName, storageAccountKey: storage.accountKey, storageBlobEndpoint: storage.blobEndpoint, container: containers.models, prefix });
  const wave: Partial<RolloutWaveInputs> = {
    resourceName: "wave", model, workspaceToken: classic.workspaceToken, storageAccountName: storage.accountName, storageAccountKey: storage.accountKey,
    storageBlobEndpoint: storage.blobEndpoint, verification: { sampleRow: SAMPLE_ROW, timeoutSeconds: 10, intervalSeconds: 0.2 }, http: FAST, promotion: "gated",
    targets: eps.map((ep) => ({ kind: "classic" as const, trainedModelName: classic.predictiveService.trainedModelResourceName, managementBaseUrl: ep.managementBaseUrl, workspaceId: ep.workspaceId, webServiceId: ep.webServiceId, endpointName: ep.endpointName })),
  };
  const checked = await rolloutWaveProvider.check!({} as never, wave as never);
  expect(checked.failures).toEqual([]);
  resetRequestLog();
  const created = await rolloutWaveProvider.create!(checked.inputs as RolloutWaveInputs);
  expect(writes()).toEqual(["management PATCH", "management PATCH", "management PATCH"]);

  // Someone points the second endpoint at another model by hand.
  const other = await env.models.upload(prefix, "other", 3);
  await env.models.patchEndpointOutOfBand(eps[1].endpointName, classic.workspaceToken, other.path);
  const refreshed = await rolloutWaveProvider.read!(created.id, created.outs as RolloutWaveState);
  const drifted = (refreshed.props as RolloutWaveState).bound.find((b) => b.key.endsWith(eps[1].endpointName))!;
  expect(drifted).toMatchObject({ model: { path: other.path }, verifiedBy: "refresh" });
  expect(Object.keys(refreshed.inputs ?? {})).not.toContain("bound");

  const again = await rolloutWaveProvider.check!(refreshed.inputs as never, wave as never);
  const diff = await rolloutWaveProvider.diff!(created.id, refreshed.props as RolloutWaveState, again.inputs as RolloutWaveInputs);
  expect(diff.changes).toBe(true);
  resetRequestLog();
  const updated = await rolloutWaveProvider.update!(created.id, refreshed.props as RolloutWaveState, again.inputs as RolloutWaveInputs);
  expect(writes()).toEqual(["management PATCH"]);
  expect((updated.outs as RolloutWaveState).bound.every((b) => b.model.path === v1.path)).toBe(true);
});

test("a throttled service (429 with Retry-After) slows a wave down but every target is bound once and verified", async () => {
  const { classic, storage, containers } = env.emulator.manifest;
  const prefix = `${uniqueName("throttle")}/`;
  const v1 = await env.models.upload(prefix, "v1", 1);
  const eps = [await createEndpoint(), await createEndpoint(), await createEndpoint(), await createEndpoint()];
  const model = await getLatestModelBlob({ storageAccountName: storage.accountName, storageAccountKey: storage.accountKey, storageBlobEndpoint: storage.blobEndpoint, container: containers.models, prefix });
  const wave: Partial<RolloutWaveInputs> = {
    resourceName: "throttled", model, workspaceToken: classic.workspaceToken, storageAccountName: storage.accountName, storageAccountKey: storage.accountKey,
    storageBlobEndpoint: storage.blobEndpoint, verification: { sampleRow: SAMPLE_ROW, timeoutSeconds: 30, intervalSeconds: 0.2 }, promotion: "gated",
    http: { ...FAST, maxRetries: 8 },
    targets: eps.map((ep) => ({ kind: "classic" as const, trainedModelName: classic.predictiveService.trainedModelResourceName, managementBaseUrl: ep.managementBaseUrl, workspaceId: ep.workspaceId, webServiceId: ep.webServiceId, endpointName: ep.endpointName })),
  };
  const checked = await rolloutWaveProvider.check!({} as never, wave as never);
  await fetch(`${env.emulator.url}/_emulator/faults`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ management: { throttleRate: 0.4, retryAfterSeconds: 1 }, rrs: { throttleRate: 0.4, retryAfterSeconds: 1 } }) });
  try {
    resetRequestLog();
    const created = await rolloutWaveProvider.create!(checked.inputs as RolloutWaveInputs);
    const log = requestLog();
    expect(log.some((e) => e.status === 429)).toBe(true);
    // Exactly one PATCH per target was accepted; the 429s were answered before anything was applied.
    expect(log.filter((e) => e.method === "PATCH" && e.status === 200)).toHaveLength(4);
    expect((created.outs as RolloutWaveState).bound.map((b) => [b.model.path, b.verifiedBy])).toEqual(Array(4).fill([v1.path, "model-headers"]));
  } finally {
    await fetch(`${env.emulator.url}/_emulator/faults`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: "{}" });
  }
});
