/**
 * Provider lifecycle methods driven directly against the real emulator over loopback HTTP on Azurite.
 * Request counts (requestLog) prove zero writes on previews and no-ops, and exactly one write per promotion.
 */
import * as fs from "fs";
import * as path from "path";
import { BlobServiceClient } from "@azure/storage-blob";
import { testStorageConnectionString, uniqueName } from "../../support/storage";
import { generateAdultCsv, trainFromCsv } from "../../../emulator/ml";
import { requestLog, resetRequestLog, RequestLogEntry } from "../../../provider/transport";
import { scoringEndpointProvider, ScoringEndpointInputs, ScoringEndpointState } from "../../../provider/lifecycle/scoringEndpoint";
import { trainedModelBindingProvider, TrainedModelBindingInputs, TrainedModelBindingState } from "../../../provider/lifecycle/trainedModelBinding";
import { retrainingRunProvider, RetrainingRunInputs, RetrainingRunState } from "../../../provider/lifecycle/retrainingRun";
import { trainingServiceProvider, TrainingServiceInputs } from "../../../provider/lifecycle/trainingService";
import { getLatestModelBlob } from "../../../provider/latestModel";
import type { ModelBlobRef } from "../../../provider/validation";
import { sha256Hex } from "../../../provider/promotion/modelIdentity";
import { copyPathFor } from "../../../provider/promotion/immutableCopy";

// The emulator is written in parallel; these tests run once emulator/index.ts exists.
const EMULATOR = path.join(__dirname, "../../../emulator/index.ts");
const suite = fs.existsSync(EMULATOR) ? describe : describe.skip;

/* eslint-disable @typescript-eslint/no-explicit-any */
type Manifest = any;
const FAST = { retryBaseDelayMs: 10, maxRetries: 2, timeoutSeconds: 10 };

function writes(log: RequestLogEntry[] = requestLog()): RequestLogEntry[] {
  // Scoring probes are POSTs with no side effects; everything else that is not a read is a write.
  return log.filter((e) => e.method !== "GET" && e.method !== "HEAD" && e.surface !== "rrs");
}

suite("provider lifecycle against the emulator", () => {
  let emulator: { url: string; manifest: Manifest; close(): Promise<void> };
  let m: Manifest;
  let modelsContainer: string;
  let sampleRow: Record<string, string>;
  const blobs = () => BlobServiceClient.fromConnectionString(m.storage.connectionString ?? testStorageConnectionString());

  async function uploadModel(pathInContainer: string, seed: number): Promise<void> {
    const result = trainFromCsv(generateAdultCsv(400, seed), { seed });
    const c = blobs().getContainerClient(modelsContainer);
    await c.getBlockBlobClient(pathInContainer).upload(result.model, result.model.length);
    const evalPath = pathInContainer.replace(/[^/]+$/, "evaluation.csv");
    await c.getBlockBlobClient(evalPath).upload(result.evaluationCsv, Buffer.byteLength(result.evaluationCsv));
    // What a training run writes beside the model (issue 16): the manifest that binds these metrics to these bytes.
    const manifest = JSON.stringify({ version: 1, sha256: sha256Hex(result.model), metrics: result.evaluation });
    await c.getBlockBlobClient(`${pathInContainer}.manifest.json`).upload(manifest, Buffer.byteLength(manifest));
  }

  function storageArgs() {
    return { storageAccountName: m.storage.accountName, storageAccountKey: m.storage.accountKey, storageBlobEndpoint: m.storage.blobEndpoint };
  }

  async function latest(prefix: string): Promise<ModelBlobRef> {
    return getLatestModelBlob({ ...storageArgs(), container: modelsContainer, prefix });
  }

  function endpointInputs(name: string, extra: Partial<ScoringEndpointInputs> = {}): Partial<ScoringEndpointInputs> {
    return {
      resourceName: name,
      workspaceId: m.classic.workspaceId,
      webServiceId: m.classic.predictiveService.id,
      endpointName: name,
      workspaceToken: m.classic.workspaceToken,
      region: m.classic.region,
      managementBaseUrl: m.classic.managementBaseUrl,
      http: FAST,
      ...extra,
    };
  }

  async function createEndpoint(name: string, extra: Partial<ScoringEndpointInputs> = {}): Promise<ScoringEndpointState> {
    const checked = await scoringEndpointProvider.check!({} as never, endpointInputs(name, extra) as never);
    expect(checked.failures).toEqual([]);
    const created = await scoringEndpointProvider.create!(checked.inputs as ScoringEndpointInputs);
    return created.outs as ScoringEndpointState;
  }

  function bindingInputs(ep: ScoringEndpointState, model: ModelBlobRef, extra: Partial<TrainedModelBindingInputs> = {}): Partial<TrainedModelBindingInputs> {
    return {
      resourceName: `bind-${ep.endpointName}`,
      targetKind: "classic",
      managementBaseUrl: ep.managementBaseUrl,
      region: ep.region,
      workspaceId: ep.workspaceId,
      webServiceId: ep.webServiceId,
      endpointName: ep.endpointName,
      apiLocation: ep.apiLocation,
      endpointKey: ep.primaryKey,
      trainedModelName: m.classic.predictiveService.trainedModelResourceName,
      model,
      ...storageArgs(),
      verification: { sampleRow, timeoutSeconds: 20, intervalSeconds: 0.2 },
      http: FAST,
      ...extra,
    };
  }

  beforeAll(async () => {
    const { startEmulator } = require(EMULATOR);
    emulator = await startEmulator({ port: 0, inMemory: true, storageConnectionString: testStorageConnectionString(), logLevel: "silent", jobRunMs: 100, armProvisioningDelayMs: 100 });
    m = emulator.manifest;
    modelsContainer = m.containers?.models ?? "models";
    const [header, row] = generateAdultCsv(1, 99).trim().split(/\r?\n/);
    const cols = header.split(",");
    const vals = row.split(",");
    sampleRow = Object.fromEntries(cols.map((c, i) => [c, vals[i]]).filter(([c]) => c !== "income"));
  });

  afterAll(async () => {
    await emulator?.close();
  });

  beforeEach(() => resetRequestLog());

  describe("ScoringEndpoint", () => {
    test("create, no-op diff, settings update, refresh, delete", async () => {
      const name = uniqueName("ep");
      const outs = await createEndpoint(name, { description: "first" });
      expect(writes().map((e) => e.method)).toEqual(["PUT"]);
      expect(outs.apiLocation).toMatch(/^http/);
      expect(outs.patchUrl).toBe(`${m.classic.managementBaseUrl}/workspaces/${m.classic.workspaceId}/webservices/${m.classic.predictiveService.id}/endpoints/${name}`);
      expect(outs.trainedModelResourceNames).toContain(m.classic.predictiveService.trainedModelResourceName);
      expect(outs.primaryKey).toBeTruthy();

      resetRequestLog();
      const again = await scoringEndpointProvider.check!(outs as never, endpointInputs(name, { description: "first" }) as never);
      const d = await scoringEndpointProvider.diff!(name, outs, again.inputs as ScoringEndpointInputs);
      expect(d.changes).toBe(false);
      expect(requestLog()).toEqual([]);

      const next = (await scoringEndpointProvider.check!(outs as never, endpointInputs(name, { description: "second" }) as never)).inputs as ScoringEndpointInputs;
      expect((await scoringEndpointProvider.diff!(name, outs, next)).changes).toBe(true);
      const updated = (await scoringEndpointProvider.update!(name, outs, next)).outs as ScoringEndpointState;
      expect(writes().map((e) => e.method)).toEqual(["PATCH"]);
      expect(updated.description).toBe("second");

      const read = await scoringEndpointProvider.read!(name, updated);
      expect(read.props).toMatchObject({ description: "second", endpointName: name });

      resetRequestLog();
      await scoringEndpointProvider.delete!(name, updated);
      expect(writes().map((e) => e.method)).toEqual(["DELETE"]);
      expect(await scoringEndpointProvider.read!(name, updated)).toEqual({});
    });

    test("an existing endpoint is refused without adopt, and adopted without PUT or DELETE", async () => {
      const name = uniqueName("ep");
      const original = await createEndpoint(name);
      const refused = await scoringEndpointProvider.check!({} as never, endpointInputs(name) as never);
      expect(refused.failures).toEqual([expect.objectContaining({ property: "endpointName", reason: expect.stringContaining("already exists") })]);

      resetRequestLog();
      const adopted = await createEndpoint(name, { adopt: true });
      expect(writes()).toEqual([]);
      expect(adopted.adopted).toBe(true);
      expect(adopted.primaryKey).toBe(original.primaryKey);
      await scoringEndpointProvider.delete!(name, adopted);
      expect(writes()).toEqual([]);
      await scoringEndpointProvider.delete!(name, original);
    });
  });

  describe("TrainedModelBinding (classic)", () => {
    let ep: ScoringEndpointState;
    let prefix: string;
    beforeAll(async () => {
      ep = await createEndpoint(uniqueName("bind"));
      prefix = `${uniqueName("census")}/`;
      await uploadModel(`${prefix}2024-01/model.ilearner`, 1);
    });
    afterAll(async () => {
      if (ep) await scoringEndpointProvider.delete!(ep.endpointName, ep);
    });

    test("bind, no-op, promote with exactly one PATCH, drift on refresh, restore", async () => {
      const first = await latest(prefix);
      const checked = await trainedModelBindingProvider.check!({} as never, bindingInputs(ep, first) as never);
      expect(checked.failures).toEqual([]);
      resetRequestLog();
      const created = await trainedModelBindingProvider.create!(checked.inputs as TrainedModelBindingInputs);
      let state = created.outs as TrainedModelBindingState;
      // The content-addressed copy and its manifest (storage, written once per content), then the one service write.
      expect(writes().map((e) => `${e.surface} ${e.method}`)).toEqual(["storage PUT", "storage PUT", "management PATCH"]);
      expect(state).toMatchObject({ boundLocation: `${modelsContainer}/${copyPathFor(first.sha256!)}`, verifiedBy: "model-headers" });
      expect(JSON.stringify(state)).not.toMatch(/[?&]sig=|SasBlobToken/);

      // No-op preview: zero requests.
      resetRequestLog();
      const same = await trainedModelBindingProvider.check!(state as never, bindingInputs(ep, await latest(prefix)) as never);
      resetRequestLog(); // the program-side getLatestModelBlob above is not the provider's
      expect((await trainedModelBindingProvider.diff!(created.id, state, same.inputs as TrainedModelBindingInputs)).changes).toBe(false);
      expect(requestLog()).toEqual([]);

      // A new model appears: preview = one storage read, zero writes; up = exactly one PATCH.
      await uploadModel(`${prefix}2024-02/model.ilearner`, 2);
      const second = await latest(prefix);
      expect(second.path).toBe(`${prefix}2024-02/model.ilearner`);
      expect(second.metrics?.auc).toEqual(expect.any(Number));
      const promoted = (await trainedModelBindingProvider.check!(state as never, bindingInputs(ep, second) as never)).inputs as TrainedModelBindingInputs;
      resetRequestLog();
      expect(await trainedModelBindingProvider.diff!(created.id, state, promoted)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
      expect(requestLog().map((e) => `${e.surface} ${e.method}`)).toEqual(["storage HEAD"]);
      resetRequestLog();
      state = (await trainedModelBindingProvider.update!(created.id, state, promoted)).outs as TrainedModelBindingState;
      expect(writes().map((e) => `${e.surface} ${e.method}`)).toEqual(["storage PUT", "storage PUT", "management PATCH"]);
      expect(state.model.etag).toBe(second.etag);
      expect(state.verifiedBy).toBe("model-headers");

      // Out-of-band PATCH back to the first model: refresh shows it, the next up restores the declared one.
      await trainedModelBindingProvider.update!(created.id, state, { ...promoted, model: first } as TrainedModelBindingInputs);
      const refreshed = await trainedModelBindingProvider.read!(created.id, state);
      const drifted = refreshed.props as TrainedModelBindingState;
      // Refresh names what serves: the content-addressed copy of the first model's bytes.
      expect(drifted.model).toMatchObject({ container: modelsContainer, path: copyPathFor(first.sha256!), sha256: first.sha256 });
      expect((await trainedModelBindingProvider.diff!(created.id, drifted, promoted)).changes).toBe(true);
      resetRequestLog();
      const restored = (await trainedModelBindingProvider.update!(created.id, drifted, promoted)).outs as TrainedModelBindingState;
      expect(writes().map((e) => e.method)).toEqual(["PATCH"]);
      expect(restored.boundLocation).toBe(`${modelsContainer}/${copyPathFor(second.sha256!)}`);

      // A promotion to the first model whose answer was lost (the engine kept the old state): refresh records the
      // copy the target serves, and the up that follows writes nothing, since those bytes already serve.
      const toFirst = { ...promoted, model: { ...first, sha256: first.sha256 } } as TrainedModelBindingInputs;
      await trainedModelBindingProvider.update!(created.id, restored, toFirst);
      const afterCrash = (await trainedModelBindingProvider.read!(created.id, restored)).props as TrainedModelBindingState;
      expect(afterCrash.model).toMatchObject({ path: copyPathFor(first.sha256!), sha256: first.sha256 });
      resetRequestLog();
      const converged = (await trainedModelBindingProvider.update!(created.id, afterCrash, toFirst)).outs as TrainedModelBindingState;
      expect(writes()).toEqual([]);
      expect(converged.model).toMatchObject({ path: first.path, sha256: first.sha256 });
    });

    test("a changed blob after preview fails before any write, naming both identities", async () => {
      await uploadModel(`${prefix}2024-03/model.ilearner`, 4);
      const model = await latest(prefix);
      const inputs = (await trainedModelBindingProvider.check!({ x: 1 } as never, bindingInputs(ep, model) as never)).inputs as TrainedModelBindingInputs;
      expect(inputs.model.sha256).toBe(model.sha256);
      // Overwritten in place after the preview: same path, other bytes.
      await uploadModel(model.path, 5);
      resetRequestLog();
      await expect(trainedModelBindingProvider.create!(inputs)).rejects.toThrow(new RegExp(`is not the model the diff showed: it was .*sha256 ${model.sha256!.slice(0, 12)}.*, it is now .*etag 0x`));
      expect(writes()).toEqual([]);
      // A stale etag alone, with the bytes' sha256 declared, is not a change: the identity is the content.
      const declared = (await trainedModelBindingProvider.check!({ x: 1 } as never, bindingInputs(ep, { ...model, etag: "0xSTALE" }) as never)) as { failures: Array<{ reason: string }> };
      expect(declared.failures.map((f) => f.reason).join()).toMatch(/expected sha256 .*, actual sha256/);
    });

    test("service errors carry status, code and request id, never a key or SAS", async () => {
      const model = await latest(prefix);
      const inputs = (await trainedModelBindingProvider.check!({ x: 1 } as never, bindingInputs(ep, model, { endpointKey: "wrong-key-0123456789", workspaceToken: undefined }) as never)).inputs as TrainedModelBindingInputs;
      const err = await trainedModelBindingProvider.create!(inputs).catch((e: Error) => e);
      // The first call with the key is the read of what the endpoint serves (the rollback baseline), before any write.
      expect((err as Error).message).toMatch(/^TrainedModelBinding "bind-[^"]+": read the model the target serves failed: 401 ManagementRequestUnauthorized: .*\(request id [0-9a-f-]+\)$/);
      expect((err as Error).message).not.toMatch(/wrong-key-0123456789|sig=|AccountKey/);
    });
  });

  describe("TrainedModelBinding (ARM)", () => {
    test("one definition update per promotion, verified by provisioningState and read-back", async () => {
      if (!m.arm) return;
      const prefix = `${uniqueName("arm")}/`;
      await uploadModel(`${prefix}a/model.ilearner`, 3);
      const model = await latest(prefix);
      const inputs: Partial<TrainedModelBindingInputs> = {
        resourceName: "arm-binding",
        targetKind: "arm",
        armBaseUrl: m.arm.baseUrl,
        subscriptionId: m.arm.subscriptionId,
        resourceGroup: m.arm.resourceGroup,
        webServiceName: m.arm.webServiceName,
        armToken: m.arm.token,
        apiLocation: m.arm.apiLocation,
        scoringKey: m.arm.primaryKey,
        trainedModelName: m.arm.trainedModelAssetName,
        model,
        ...storageArgs(),
        verification: { sampleRow, timeoutSeconds: 30, intervalSeconds: 0.2 },
        http: FAST,
      };
      const wrong = await trainedModelBindingProvider.check!({} as never, { ...inputs, trainedModelName: "Nope [trained model]" } as never);
      expect(wrong.failures).toEqual([expect.objectContaining({ property: "trainedModelName" })]);
      const checked = await trainedModelBindingProvider.check!({} as never, inputs as never);
      expect(checked.failures).toEqual([]);
      resetRequestLog();
      const created = await trainedModelBindingProvider.create!(checked.inputs as TrainedModelBindingInputs);
      expect(writes().map((e) => `${e.surface} ${e.method}`)).toEqual(["storage PUT", "storage PUT", "arm PATCH"]);
      expect((created.outs as TrainedModelBindingState).boundLocation).toBe(`${modelsContainer}/${copyPathFor(model.sha256!)}`);
    });
  });

  describe("TrainingService and RetrainingRun", () => {
    function serviceInputs(extra: Partial<TrainingServiceInputs> = {}): Partial<TrainingServiceInputs> {
      return { resourceName: "training", apiLocation: m.classic.trainingService.apiLocation, apiKey: m.classic.trainingService.primaryKey, http: FAST, ...extra };
    }

    test("TrainingService validates location and key", async () => {
      const ok = await trainingServiceProvider.check!({} as never, serviceInputs() as never);
      expect(ok.failures).toEqual([]);
      const created = await trainingServiceProvider.create!(ok.inputs as TrainingServiceInputs);
      expect(created.outs?.validatedAt).toBeTruthy();
      const bad = await trainingServiceProvider.check!({} as never, serviceInputs({ apiKey: "wrong-key-abcdef" }) as never);
      expect(bad.failures).toEqual([expect.objectContaining({ property: "apiKey", reason: expect.stringMatching(/401/) })]);
      expect(JSON.stringify(bad.failures)).not.toContain("wrong-key-abcdef");
    });

    test("a run trains a model with metrics; no-op diff does not rerun; a failed job fails with Details", async () => {
      const trainingContainer = m.containers?.training ?? "training";
      const datasetPath = `${uniqueName("ds")}/census.csv`;
      const csv = generateAdultCsv(400, 5);
      await blobs().getContainerClient(trainingContainer).getBlockBlobClient(datasetPath).upload(csv, Buffer.byteLength(csv));
      const runInputs: Partial<RetrainingRunInputs> = {
        resourceName: uniqueName("run"),
        apiLocation: m.classic.trainingService.apiLocation,
        apiKey: m.classic.trainingService.primaryKey,
        inputName: m.classic.trainingService.inputName,
        modelOutputName: m.classic.trainingService.modelOutputName,
        evaluationOutputName: m.classic.trainingService.evaluationOutputName,
        input: { container: trainingContainer, path: datasetPath },
        outputContainer: modelsContainer,
        ...storageArgs(),
        pollIntervalSeconds: 0.1,
        timeoutMinutes: 2,
        http: FAST,
      };
      const checked = await retrainingRunProvider.check!({} as never, runInputs as never);
      expect(checked.failures).toEqual([]);
      const created = await retrainingRunProvider.create!(checked.inputs as RetrainingRunInputs);
      const state = created.outs as RetrainingRunState;
      expect(state.model.path).toMatch(/\/model\.ilearner$/);
      expect(state.metrics?.auc).toEqual(expect.any(Number));
      expect(JSON.stringify(state)).not.toMatch(/sig=/);

      // A preview of the unchanged run: one storage read (check records the dataset's identity), diff compares it.
      resetRequestLog();
      const again = (await retrainingRunProvider.check!(state as never, runInputs as never)).inputs as RetrainingRunInputs;
      expect(again.inputBlob?.etag).toBe(state.inputIdentity.etag);
      const d = await retrainingRunProvider.diff!(created.id, state, again);
      expect(d.changes).toBe(false);
      expect(requestLog().map((e) => `${e.surface} ${e.method}`)).toEqual(["storage HEAD"]);

      const garbage = `${uniqueName("bad")}/census.csv`;
      await blobs().getContainerClient(trainingContainer).getBlockBlobClient(garbage).upload("not,a\ndataset", 13);
      const bad = (await retrainingRunProvider.check!({} as never, { ...runInputs, input: { container: trainingContainer, path: garbage } } as never)).inputs as RetrainingRunInputs;
      await expect(retrainingRunProvider.create!(bad)).rejects.toThrow(/training job \S+ failed: /);

      const missing = await retrainingRunProvider.check!({} as never, { ...runInputs, input: { container: trainingContainer, path: "nope/none.csv" } } as never);
      expect(missing.failures).toEqual([expect.objectContaining({ property: "input.path", reason: expect.stringContaining("does not exist") })]);
    });
  });
});
