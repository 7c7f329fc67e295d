/**
 * examples/pipeline through the real engine: a designer pipeline endpoint retrains, and the binding promotes the
 * model the pipeline wrote. New data at the same blob path makes the PipelineRun run again (its dataset identity
 * old → new in preview) and the endpoint serve the new model after one `up`.
 */
import * as path from "path";
import { BlobServiceClient } from "@azure/storage-blob";
import { EngineEvent } from "@pulumi/pulumi/automation";
import { RunningEmulator, startEmulator } from "../../emulator";
import { generateAdultCsv } from "../../emulator/ml";
import { pipelineConfigFromManifest } from "../../examples/pipeline/manifestConfig";
import { collectSteps, withStack } from "../support/pulumi";
import { boundPath, emulatorWrites, resetEmulatorRequests, scoringModel } from "../support/promotion";
import { testStorageConnectionString, uniqueName } from "../support/storage";

const project = path.join(__dirname, "..", "..", "examples", "pipeline");
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ inMemory: true, port: 0, storageConnectionString: testStorageConnectionString(), logLevel: "silent", jobRunMs: 50 });
});
afterAll(async () => emulator?.close());

async function dropDataset(datasetPath: string, seed: number): Promise<void> {
  const csv = generateAdultCsv(2000, seed, { drift: seed > 1 ? 1 : 0 });
  const container = BlobServiceClient.fromConnectionString(emulator.manifest.storage.connectionString).getContainerClient(emulator.manifest.containers.training);
  await container.getBlockBlobClient(datasetPath).upload(csv, Buffer.byteLength(csv));
}

test("a pipeline run retrains on new data and its model is promoted", async () => {
  const datasetPath = `${uniqueName("pipe")}/latest.csv`;
  await dropDataset(datasetPath, 1);
  const config = { ...pipelineConfigFromManifest(emulator.manifest, datasetPath), endpointName: { value: uniqueName("pipe") } };
  const models = emulator.manifest.containers.models;

  await withStack(project, config, async ({ stack }) => {
    const created = await stack.up();
    expect(created.summary.resourceChanges).toEqual({ create: 4 });
    const first = created.outputs.trainedModel.value;
    expect(first.path).toMatch(/\.ilearner$/);
    expect(first.metrics.auc).toBeGreaterThan(0.8);
    expect(await scoringModel(created.outputs.scoringApiLocation.value, created.outputs.scoringKey.value)).toBe(boundPath(models, first.sha256));

    await resetEmulatorRequests(emulator.url);
    expect((await stack.preview()).changeSummary).toEqual({ same: 4 });
    expect(await emulatorWrites(emulator.url)).toEqual({});

    await dropDataset(datasetPath, 2);
    const events: EngineEvent[] = [];
    expect((await stack.preview({ onEvent: (e) => events.push(e) })).changeSummary).toEqual({ same: 2, update: 2 });
    const run = collectSteps(events).find((s) => s.name === "census-pipeline")!;
    expect(run.op).toBe("update");
    const [before, after] = [run.oldInputs?.inputBlob, run.newInputs?.inputBlob] as Array<{ etag: string } | undefined>;
    expect(before?.etag).toBeTruthy();
    expect(after?.etag).not.toBe(before?.etag);

    await resetEmulatorRequests(emulator.url);
    const retrained = await stack.up();
    expect(retrained.summary.resourceChanges).toEqual({ same: 2, update: 2 });
    const second = retrained.outputs.trainedModel.value;
    expect(retrained.outputs.runId.value).not.toBe(created.outputs.runId.value);
    expect(second.path).not.toBe(first.path);
    expect(retrained.outputs.boundModel.value).toBe(boundPath(models, second.sha256));
    expect(await scoringModel(retrained.outputs.scoringApiLocation.value, retrained.outputs.scoringKey.value)).toBe(boundPath(models, second.sha256));
    // One pipeline submit and one PATCH of the endpoint's trained model.
    expect(await emulatorWrites(emulator.url)).toEqual({ "management PATCH": 1, "pipelines POST": 1 });
  });
});

test("a wrong data-path parameter fails the run with the service's message and promotes nothing", async () => {
  const datasetPath = `${uniqueName("pipe")}/latest.csv`;
  await dropDataset(datasetPath, 1);
  const config = {
    ...pipelineConfigFromManifest(emulator.manifest, datasetPath),
    endpointName: { value: uniqueName("pipe") },
    pipelineDataPathParameter: { value: "not_the_data_parameter" },
  };
  await withStack(project, config, async ({ stack }) => {
    const err = await stack.up().then(() => undefined, (e: Error) => e);
    expect(String(err?.message)).toMatch(/PipelineRun "census-pipeline": submit pipeline run failed: 400 .*training_data_path/);
  });
});
