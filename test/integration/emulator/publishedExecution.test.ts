/**
 * The execution and pipeline side against what Microsoft publishes (issue 19): every swagger document the emulator
 * serves (a classic endpoint's `swagger.json` and `apidocument`, an ARM service's at its `swaggerLocation` as
 * returned) validates as Swagger 2.0; run history answers the Run and RunDetails shapes of runHistory.json.
 */
import { call, pollUntil, putBlob, uniqueName, useEmulator } from "../../support/emulator";
import { schemaDepartures, swaggerComplaint } from "../../support/descriptions";
import { generateAdultCsv } from "../../../emulator/ml";

const emu = useEmulator();
const m = () => emu.current.m;

describe("swagger documents", () => {
  it("an ARM service's swaggerLocation answers as returned, with a valid Swagger 2.0 document", async () => {
    const { arm } = m();
    const service = await call("GET", `${arm.baseUrl}/subscriptions/${arm.subscriptionId}/resourceGroups/${arm.resourceGroup}/providers/Microsoft.MachineLearning/webServices/${arm.webServiceName}?api-version=2017-01-01`, { token: arm.token });
    const swaggerLocation: string = service.body.properties.swaggerLocation;
    expect(swaggerLocation).toBe(`${arm.apiLocation}/swagger.json`);
    const res = await call("GET", swaggerLocation, { token: arm.primaryKey });
    expect(res.status).toBe(200);
    expect(res.body.swagger).toBe("2.0");
    expect(await swaggerComplaint(res.body)).toBeUndefined();
    // A wrong api-version is still the service's BadVersionCall.
    expect((await call("GET", `${swaggerLocation}?api-version=1.0`, { token: arm.primaryKey })).status).toBe(400);
  });

  it("a classic endpoint's swagger.json and management apidocument are valid Swagger 2.0 and declare jobId", async () => {
    const { classic } = m();
    const swagger = await call("GET", `${classic.trainingService.apiLocation}/swagger.json?api-version=2.0`, { token: classic.trainingService.primaryKey });
    expect(swagger.status).toBe(200);
    expect(await swaggerComplaint(swagger.body)).toBeUndefined();
    const cancel = swagger.body.paths["/jobs/{jobId}?api-version=2.0"].delete;
    expect(cancel.parameters).toEqual([expect.objectContaining({ name: "jobId", in: "path", required: true, type: "string" })]);

    const svc = classic.predictiveService;
    const endpointId = svc.apiLocation.split("/").pop();
    const document = await call("GET", `${classic.managementBaseUrl}/workspaces/${classic.workspaceId}/webservices/${svc.id}/endpoints/${endpointId}/apidocument`, { token: classic.workspaceToken });
    expect(document.status).toBe(200);
    expect(await swaggerComplaint(document.body)).toBeUndefined();
  });

  it("the validator does fail a document whose path parameter is not declared", async () => {
    const { classic } = m();
    const swagger = (await call("GET", `${classic.trainingService.apiLocation}/swagger.json?api-version=2.0`, { token: classic.trainingService.primaryKey })).body;
    delete swagger.paths["/jobs/{jobId}/start?api-version=2.0"].post.parameters;
    expect(await swaggerComplaint(swagger)).toMatch(/jobId/);
  });
});

describe("run history: Run and RunDetails", () => {
  const p = () => m().pipelines;
  const ws = () => `/subscriptions/${p().subscriptionId}/resourceGroups/${p().resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${p().workspaceName}`;
  const runUrl = (id: string) => `${p().baseUrl}/history/v1.0${ws()}/experiments/${p().experimentName}/runs/${id}`;
  const TERMINAL = ["Completed", "Failed", "Canceled"];

  async function runToEnd(dataPath: string): Promise<{ run: any; details: any }> {
    const submit = await call("POST", `${p().baseUrl}/pipelines/v1.0${ws()}/PipelineRuns/PipelineEndpointSubmit/Id/${p().pipelineEndpointId}`, {
      token: p().token,
      body: { ExperimentName: p().experimentName, ParameterAssignments: { [p().dataPathParameter]: dataPath } },
    });
    expect(submit.status).toBe(200);
    const run = await pollUntil(() => call("GET", runUrl(submit.body.Id), { token: p().token }), (r) => TERMINAL.includes(r.body?.status));
    const details = await call("GET", `${runUrl(submit.body.Id)}/details`, { token: p().token });
    expect(details.status).toBe(200);
    return { run: run.body, details: details.body };
  }

  it("a completed run: both documents in the described shapes, with no nulls", async () => {
    const dataPath = `${uniqueName("census")}/data.csv`;
    await putBlob(generateAdultCsv(300, 7), dataPath, m().containers.training);
    const { run, details } = await runToEnd(dataPath);
    expect(schemaDepartures("runHistory.2019-08-01#/definitions/Run", run)).toEqual([]);
    expect(schemaDepartures("runHistory.2019-08-01#/definitions/RunDetails", details)).toEqual([]);
    expect(details).toMatchObject({ runId: run.runId, status: "Completed", startTimeUtc: run.startTimeUtc, endTimeUtc: run.endTimeUtc, target: expect.any(String) });
    expect(details.runDefinition.parameterAssignments).toEqual({ [p().dataPathParameter]: dataPath });
    expect(details).not.toHaveProperty("error");
  });

  it("a failed run: the error as ErrorResponse in both; an unknown run's details are 404", async () => {
    const { run, details } = await runToEnd(`${uniqueName("none")}/missing.csv`);
    expect(schemaDepartures("runHistory.2019-08-01#/definitions/RunDetails", details)).toEqual([]);
    expect(details.status).toBe("Failed");
    expect(details.error).toEqual(run.error);
    expect(details.error.error).toMatchObject({ code: "UserError", message: expect.stringMatching(/^Error 0030: /) });
    expect((await call("GET", `${runUrl("00000000-0000-0000-0000-000000000000")}/details`, { token: p().token })).status).toBe(404);
  });
});
