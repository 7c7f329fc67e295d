/** Azure ML pipeline endpoints (contract §5) over real HTTP: submit, poll run status, cancel, auth. */
import { call, getBlob, pollUntil, putBlob, uniqueName, useEmulator } from "../../support/emulator";
import { generateGuid, generateKey } from "../../../emulator/auth";
import { generateAdultCsv, loadModel, parseEvaluationCsv } from "../../../emulator/ml";

const emu = useEmulator();
const m = () => emu.current.m;
const p = () => m().pipelines;
const ws = () => `/subscriptions/${p().subscriptionId}/resourceGroups/${p().resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${p().workspaceName}`;
const submitUrl = (version?: string) => `${p().baseUrl}/pipelines/v1.0${ws()}/PipelineRuns/PipelineEndpointSubmit/Id/${p().pipelineEndpointId}${version ? `/${version}` : ""}`;
const runUrl = (id: string) => `${p().baseUrl}/pipelines/v1.0${ws()}/PipelineRuns/${id}`;
const historyUrl = (id: string, experiment = p().experimentName) => `${p().baseUrl}/history/v1.0${ws()}/experiments/${experiment}/runs/${id}`;
const TERMINAL = ["Completed", "Failed", "Canceled"];
const UNAUTHORIZED = { error: { code: "Unauthorized", message: "The access token is missing or invalid. Send Authorization: Bearer <token for https://management.azure.com/>." } };

/** Uploads a dataset into the training container; returns its path inside the container. */
async function uploadDataset(seed: number): Promise<string> {
  const path = `${uniqueName("census")}/2019-03-04.csv`;
  await putBlob(generateAdultCsv(400, seed), path, m().containers.training);
  return path;
}

function body(dataPath: string): unknown {
  return { ExperimentName: p().experimentName, ParameterAssignments: { [p().dataPathParameter]: dataPath }, RunSource: "API" };
}

async function submitRun(dataPath: string, version?: string): Promise<any> {
  const res = await call("POST", submitUrl(version), { token: p().token, body: body(dataPath) });
  expect(res.status).toBe(200);
  expect(res.body.Id).toMatch(/^[0-9a-f-]{36}$/);
  expect(res.body).toMatchObject({ ExperimentName: p().experimentName, ParameterAssignments: { [p().dataPathParameter]: dataPath } });
  return res.body;
}

describe("P2/P3 submit, P5/P6 poll", () => {
  it.each([["default version (P2)", undefined], ["given version (P3)", "0"]])("runs the %s to Completed and writes a model blob", async (_label, version) => {
    const dataPath = await uploadDataset(version ? 41 : 42);
    const run = await submitRun(dataPath, version);

    const history = await pollUntil(() => call("GET", historyUrl(run.Id), { token: p().token }), (r) => TERMINAL.includes(r.body?.status));
    expect(history.status).toBe(200);
    expect(history.body).toMatchObject({ runId: run.Id, experimentName: p().experimentName, status: "Completed" });
    expect(history.body).not.toHaveProperty("error");
    expect(history.body.parameters).toEqual({ [p().dataPathParameter]: dataPath });

    const pipelineRun = await call("GET", runUrl(run.Id), { token: p().token });
    expect(pipelineRun.status).toBe(200);
    expect(pipelineRun.body).toMatchObject({ Id: run.Id, Status: "Completed", PipelineEndpointId: p().pipelineEndpointId });
    expect(pipelineRun.body.EndTime).toEqual(expect.any(String));

    const { model, evaluation, baseLocation } = history.body.outputs;
    expect(baseLocation).toBe(m().storage.blobEndpoint);
    expect(model).toMatch(new RegExp(`^${m().containers.models}/.*\\.ilearner$`));
    expect(loadModel(await getBlob(model)).featureColumns.length).toBeGreaterThan(0);
    expect(parseEvaluationCsv((await getBlob(evaluation)).toString("utf8")).rows).toBeGreaterThan(0);
  });

  it("accepts the path with the container name in front", async () => {
    const dataPath = await uploadDataset(43);
    const run = await submitRun(`${m().containers.training}/${dataPath}`);
    const done = await pollUntil(() => call("GET", runUrl(run.Id), { token: p().token }), (r) => TERMINAL.includes(r.body?.Status));
    expect(done.body.Status).toBe("Completed");
  });

  it("ends Failed with an error when the dataset does not exist", async () => {
    const run = await submitRun(`${uniqueName("none")}/missing.csv`);
    const history = await pollUntil(() => call("GET", historyUrl(run.Id), { token: p().token }), (r) => TERMINAL.includes(r.body?.status));
    expect(history.body.status).toBe("Failed");
    expect(history.body.error.error.code).toBe("UserError");
    expect(history.body.error.error.message).toMatch(/^Error 0030: Unable to download the input dataset /);
    expect(history.body).not.toHaveProperty("outputs");
  });

  it("answers 404 for an unknown version", async () => {
    const dataPath = await uploadDataset(44);
    const res = await call("POST", submitUrl("99"), { token: p().token, body: body(dataPath) });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("NotFound");
    expect(res.body.error.message).toMatch(/^Version '99' of pipeline endpoint '.+' was not found\.$/);
  });

  it("answers 400 UserError without the data-path parameter", async () => {
    const res = await call("POST", submitUrl(), { token: p().token, body: { ExperimentName: p().experimentName, ParameterAssignments: {} } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: "UserError",
        message: `The pipeline parameter '${p().dataPathParameter}' is required: set ParameterAssignments.${p().dataPathParameter} to the dataset's path in the '${m().containers.training}' container.`,
      },
    });
  });

  it("answers 404 for an unknown run", async () => {
    const id = generateGuid();
    const res = await call("GET", runUrl(id), { token: p().token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: "NotFound", message: `Run '${id}' was not found.` } });
  });
});

describe("P7 cancel", () => {
  it("cancels a running run; it stays Canceled", async () => {
    const dataPath = await uploadDataset(45);
    const run = await submitRun(dataPath);
    const res = await call("POST", `${runUrl(run.Id)}/Cancel`, { token: p().token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ Id: run.Id, Status: "Canceled" });
    // Run another to its end: the cancelled run's background work has had its turn by then.
    const later = await submitRun(await uploadDataset(46));
    await pollUntil(() => call("GET", runUrl(later.Id), { token: p().token }), (r) => TERMINAL.includes(r.body?.Status));
    const after = await call("GET", historyUrl(run.Id), { token: p().token });
    expect(after.body.status).toBe("Canceled");
  });
});

describe("wrong or missing token", () => {
  const routes: Array<[string, () => string, unknown]> = [
    ["POST", () => submitUrl(), { ExperimentName: "x", ParameterAssignments: {} }],
    ["POST", () => submitUrl("0"), { ExperimentName: "x", ParameterAssignments: {} }],
    ["GET", () => runUrl(generateGuid()), undefined],
    ["GET", () => historyUrl(generateGuid()), undefined],
    ["POST", () => `${runUrl(generateGuid())}/Cancel`, undefined],
  ];
  it.each(routes)("%s %s answers 401", async (method, url, body) => {
    for (const t of [generateKey(), undefined, m().classic.workspaceToken]) {
      const res = await call(method, url(), { token: t, body });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(UNAUTHORIZED);
    }
  });
});
