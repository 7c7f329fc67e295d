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
import { EngineEvent } from "@pulumi/pulumi/automation";
import { collectSteps, withStack } from "../support/pulumi";
import { emulatorWrites, resetEmulatorRequests, scoringModel } from "../support/promotion";
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

test("retrains when the dataset changes and promotes the new model to both targets", async () => {
  const datasetPath = `${uniqueName("census")}/latest.csv`;
  await dropDataset(datasetPath, 1);
  const config = { ...configFromManifest(emulator.manifest, datasetPath), endpointName: { value: uniqueName("local") } };

  await withStack(project, config, async ({ stack }) => {
    const created = await stack.up();
    expect(created.summary.resourceChanges).toEqual({ create: 6 });
    const first = created.outputs.trainedModel.value;
    expect(first.path).toMatch(/^census\/runs\/.+\/model\.ilearner$/);
    expect(created.outputs.metrics.value.auc).toBeGreaterThan(0.8);
    const models = emulator.manifest.containers.models;
    expect(await scoringModel(created.outputs.scoringApiLocation.value, created.outputs.scoringKey.value)).toBe(`${models}/${first.path}`);

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
    expect(before?.etag).toBeTruthy();
    expect(after?.etag).toBeTruthy();
    expect(after?.etag).not.toBe(before?.etag);

    const retrained = await stack.up();
    expect(retrained.summary.resourceChanges).toEqual({ same: 3, update: 3 });
    const second = retrained.outputs.trainedModel.value;
    expect(second.path).not.toBe(first.path);
    expect(retrained.outputs.classicBoundModel.value).toBe(`${models}/${second.path}`);
    expect(retrained.outputs.armBoundModel.value).toBe(`${models}/${second.path}`);
    expect(await scoringModel(retrained.outputs.scoringApiLocation.value, retrained.outputs.scoringKey.value)).toBe(`${models}/${second.path}`);
    expect(await scoringModel(emulator.manifest.arm.apiLocation, emulator.manifest.arm.primaryKey)).toBe(`${models}/${second.path}`);
  });
});
