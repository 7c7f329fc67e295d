/**
 * examples/local (what `npm start` drives) through the real engine: the training service, a BES retraining run,
 * an added endpoint and two bindings. New data at the same blob path makes exactly the run (and the bindings that
 * follow it) update; nothing else is touched.
 */
import * as path from "path";
import { BlobServiceClient } from "@azure/storage-blob";
import { RunningEmulator, startEmulator } from "../../emulator";
import { generateAdultCsv } from "../../emulator/ml";
import { configFromManifest } from "../../examples/local/manifestConfig";
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { collectSteps, withStack } from "../support/pulumi";
import { boundPath, emulatorWrites, resetEmulatorRequests, scoringModel } from "../support/promotion";
import { testStorageConnectionString, uniqueName } from "../support/storage";

const project = path.join(__dirname, "..", "..", "examples", "local");
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ inMemory: true, port: 0, storageConnectionString: testStorageConnectionString(), logLevel: "silent" });
});
afterAll(async () => emulator?.close());

async function dropDataset(datasetPath: string, seed: number): Promise<void> {
  const csv = generateAdultCsv(3000, seed, { drift: seed > 1 ? 1 : 0 });
  const container = BlobServiceClient.fromConnectionString(emulator.manifest.storage.connectionString).getContainerClient(emulator.manifest.containers.training);
  await container.getBlockBlobClient(datasetPath).upload(csv, Buffer.byteLength(csv));
}

test("reviewed (the default): a model trained in an up is held, the next preview shows it old → new, the next up promotes it", async () => {
  const datasetPath = `${uniqueName("census")}/latest.csv`;
  await dropDataset(datasetPath, 1);
  const config = { ...configFromManifest(emulator.manifest, datasetPath), endpointName: { value: uniqueName("local") } };
  const models = emulator.manifest.containers.models;

  await withStack(project, config, async ({ stack }) => {
    // The first up trains a model no preview showed: both bindings hold it and keep the model served now.
    await resetEmulatorRequests(emulator.url);
    const created = await stack.up();
    expect(created.summary.resourceChanges).toEqual({ create: 6 });
    const first = created.outputs.trainedModel.value;
    expect(first.path).toMatch(/^census\/runs\/.+\/model\.ilearner$/);
    expect(created.outputs.metrics.value.auc).toBeGreaterThan(0.8);
    expect(created.outputs.classicHeldModel.value.path).toBe(first.path);
    expect(created.outputs.armHeldModel.value.path).toBe(first.path);
    expect(created.outputs.classicHeldReason.value).toContain('promotion "reviewed"');
    expect(await emulatorWrites(emulator.url)).toEqual({ "management PUT": 1 });
    const served = await scoringModel(created.outputs.scoringApiLocation.value, created.outputs.scoringKey.value);
    expect(served).not.toBe(boundPath(models, first.sha256));

    // The review: the held promotions, served model → trained model, with metrics.
    const reviewed = await reviewedPromotions(stack);
    expect(reviewed.map((p) => [p.name, p.newPath])).toEqual([
      ["census-arm-model", first.path],
      ["census-scoring-model", first.path],
    ]);
    expect(reviewed.every((p) => p.oldPath !== first.path && p.newAuc !== undefined)).toBe(true);
    expect(await emulatorWrites(emulator.url)).toEqual({ "management PUT": 1 });

    // What the preview showed is promoted: one write per target.
    await resetEmulatorRequests(emulator.url);
    const promoted = await stack.up();
    expect(promoted.summary.resourceChanges).toEqual({ same: 4, update: 2 });
    expect(await emulatorWrites(emulator.url)).toEqual({ "management PATCH": 1, "arm PATCH": 1 });
    expect(await scoringModel(promoted.outputs.scoringApiLocation.value, promoted.outputs.scoringKey.value)).toBe(boundPath(models, first.sha256));
    expect(promoted.outputs.classicHeldModel).toBeUndefined();

    await resetEmulatorRequests(emulator.url);
    expect((await stack.preview()).changeSummary).toEqual({ same: 6 });
    expect(await emulatorWrites(emulator.url)).toEqual({});

    // New data at the same path: the preview names the reason, the dataset's etag old → new.
    await dropDataset(datasetPath, 2);
    const events: EngineEvent[] = [];
    expect((await stack.preview({ onEvent: (e) => events.push(e) })).changeSummary).toEqual({ same: 3, update: 3 });
    const run = collectSteps(events).find((s) => s.name === "census-retrain")!;
    expect(run.op).toBe("update");
    const [before, after] = [run.oldInputs?.inputBlob, run.newInputs?.inputBlob] as Array<{ etag: string } | undefined>;
    expect(after?.etag).toBeTruthy();
    expect(after?.etag).not.toBe(before?.etag);

    // up retrains and holds; the next preview is the review of the new model; the up after it promotes.
    const retrained = await stack.up();
    const second = retrained.outputs.trainedModel.value;
    expect(second.path).not.toBe(first.path);
    expect(await emulatorWrites(emulator.url)).toEqual({});
    expect(retrained.outputs.classicBoundModel.value).toBe(boundPath(models, first.sha256));
    expect((await reviewedPromotions(stack)).map((p) => [p.oldPath, p.newPath])).toEqual([
      [first.path, second.path],
      [first.path, second.path],
    ]);
    const final = await stack.up();
    expect(final.summary.resourceChanges).toEqual({ same: 4, update: 2 });
    expect(await emulatorWrites(emulator.url)).toEqual({ "management PATCH": 1, "arm PATCH": 1 });
    expect(final.outputs.classicBoundModel.value).toBe(boundPath(models, second.sha256));
    expect(await scoringModel(final.outputs.scoringApiLocation.value, final.outputs.scoringKey.value)).toBe(boundPath(models, second.sha256));
    expect(await scoringModel(emulator.manifest.arm.apiLocation, emulator.manifest.arm.primaryKey)).toBe(boundPath(models, second.sha256));
  });
});

test("gated: one up trains and promotes when the gate passes", async () => {
  const datasetPath = `${uniqueName("census")}/latest.csv`;
  await dropDataset(datasetPath, 1);
  const config = { ...configFromManifest(emulator.manifest, datasetPath), endpointName: { value: uniqueName("local") }, promotion: { value: "gated" } };
  await withStack(project, config, async ({ stack }) => {
    await resetEmulatorRequests(emulator.url);
    const created = await stack.up();
    const first = created.outputs.trainedModel.value;
    expect(await emulatorWrites(emulator.url)).toEqual({ "management PUT": 1, "management PATCH": 1, "arm PATCH": 1 });
    expect(await scoringModel(created.outputs.scoringApiLocation.value, created.outputs.scoringKey.value)).toBe(boundPath(emulator.manifest.containers.models, first.sha256));
  });
});

/** The bindings a preview will update, with the model each serves (old outputs) and the one it will bind. */
async function reviewedPromotions(stack: Stack): Promise<Array<{ name: string; oldPath?: string; newPath?: string; newAuc?: number }>> {
  const events: EngineEvent[] = [];
  await stack.preview({ onEvent: (e) => events.push(e) });
  return events
    .map((e) => e.resourcePreEvent?.metadata)
    .filter((m): m is NonNullable<typeof m> => !!m && m.op === "update" && m.type.endsWith(":TrainedModelBinding"))
    .map((m) => {
      const oldModel = m.old?.outputs?.model as { path?: string } | undefined;
      // The CLI's preview --diff starts from the stored inputs: they must name the served model too.
      expect((m.old?.inputs?.model as { path?: string } | undefined)?.path).toBe(oldModel?.path);
      const newModel = m.new?.inputs?.model as { path?: string; metrics?: { auc?: number } } | undefined;
      return { name: m.urn.split("::").pop()!, oldPath: oldModel?.path, newPath: newModel?.path, newAuc: newModel?.metrics?.auc };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
