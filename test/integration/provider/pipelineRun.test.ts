/**
 * PipelineRun's lifecycle against the emulator's pipeline endpoint over loopback: a failed run and a run that
 * outlives its timeout each fail the create with the run's own story, and the timed-out run is cancelled.
 */
import { BlobServiceClient } from "@azure/storage-blob";
import { provider, PipelineRunInputs } from "../../../provider/lifecycle/pipelineRun";
import { generateAdultCsv } from "../../../emulator/ml";
import { call, startTestEmulator } from "../../support/emulator";
import { uniqueName } from "../../support/storage";

type Emulator = Awaited<ReturnType<typeof startTestEmulator>>;

function inputsFor(e: Emulator, datasetPath: string, extra: Partial<PipelineRunInputs> = {}): PipelineRunInputs {
  const p = e.m.pipelines;
  return {
    resourceName: "pipe",
    apiBaseUrl: p.baseUrl,
    workspaceArmId: `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${p.workspaceName}`,
    pipelineEndpointId: p.pipelineEndpointId,
    experimentName: p.experimentName,
    dataPathParameter: p.dataPathParameter,
    input: { container: e.m.containers.training, path: datasetPath },
    armToken: p.token,
    storageAccountName: e.m.storage.accountName,
    storageBlobEndpoint: e.m.storage.blobEndpoint,
    storageAccountKey: e.m.storage.accountKey,
    pollIntervalSeconds: 0.05,
    http: { retryBaseDelayMs: 10, maxRetries: 1 },
    ...extra,
  };
}

async function upload(e: Emulator, path: string, text: string): Promise<void> {
  const c = BlobServiceClient.fromConnectionString(e.m.storage.connectionString).getContainerClient(e.m.containers.training);
  await c.getBlockBlobClient(path).upload(text, Buffer.byteLength(text));
}

async function createError(inputs: PipelineRunInputs): Promise<string> {
  const checked = await provider.check!({} as PipelineRunInputs, inputs);
  expect(checked.failures ?? []).toEqual([]);
  return provider.create(checked.inputs as PipelineRunInputs).then(() => "created", (err: Error) => err.message);
}

describe("against a quick emulator", () => {
  let e: Emulator;
  beforeAll(async () => { e = await startTestEmulator(); });
  afterAll(async () => e?.close());

  test("a run that trains completes with the model and its metrics", async () => {
    const path = `${uniqueName("pipe")}/data.csv`;
    await upload(e, path, generateAdultCsv(800, 3));
    const checked = await provider.check!({} as PipelineRunInputs, inputsFor(e, path));
    const { id, outs: created } = await provider.create(checked.inputs as PipelineRunInputs);
    const outs = created!;
    expect(outs.runId).toBe(id);
    expect(outs.status).toBe("Completed");
    expect(outs.model.path).toMatch(/\.ilearner$/);
    expect(outs.metrics?.auc).toBeGreaterThan(0.7);
    expect(outs.inputIdentity.etag).toBe(checked.inputs!.inputBlob!.etag);
  });

  test("a failed run fails the create with the run's error details", async () => {
    const path = `${uniqueName("pipe")}/broken.csv`;
    await upload(e, path, "this is,not\nthe census,schema\n");
    expect(await createError(inputsFor(e, path))).toMatch(/^PipelineRun "pipe": pipeline run [0-9a-f-]+ failed: .+\. Fix the dataset or the parameters/);
  });

  test("a missing dataset fails check before any submit", async () => {
    const checked = await provider.check!({} as PipelineRunInputs, inputsFor(e, "nowhere/none.csv"));
    expect(checked.failures).toEqual([expect.objectContaining({ property: "input.path", reason: expect.stringContaining("does not exist") })]);
  });
});

describe("against a slow emulator", () => {
  let e: Emulator;
  beforeAll(async () => { e = await startTestEmulator({ jobRunMs: 60_000 }); });
  afterAll(async () => e?.close());

  test("a run that outlives timeoutMinutes is cancelled and the create fails saying so", async () => {
    const path = `${uniqueName("pipe")}/data.csv`;
    await upload(e, path, generateAdultCsv(300, 4));
    const message = await createError(inputsFor(e, path, { timeoutMinutes: 0.02 }));
    const runId = /pipeline run ([0-9a-f-]+) did not finish within 0.02 minutes .*it was cancelled/.exec(message)?.[1];
    expect(runId).toBeDefined();
    const p = e.m.pipelines;
    const run = await call("GET", `${p.baseUrl}/pipelines/v1.0/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${p.workspaceName}/PipelineRuns/${runId}`, { token: p.token });
    expect(run.body.Status).toBe("Canceled");
  });
});
