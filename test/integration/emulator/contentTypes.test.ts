/**
 * Request bodies and Content-Type (issue 12): an empty body is accepted whatever Content-Type comes with it, or none;
 * a non-empty body that is not JSON gets the surface's documented bad-request body, never Fastify's 415.
 */
import { call, putBlob, uniqueName, useEmulator } from "../../support/emulator";
import { generateAdultCsv } from "../../../emulator/ml";

const emu = useEmulator();
const m = () => emu.current.m;
const bes = () => m().classic.trainingService.apiLocation;
const besKey = () => m().classic.trainingService.primaryKey;
const predictive = () => `${m().classic.managementBaseUrl}/workspaces/${m().classic.workspaceId}/webservices/${m().classic.predictiveService.id}`;
const wsToken = () => m().classic.workspaceToken;

/** What HTTP libraries send with an empty POST; `undefined` sends no Content-Type at all. */
const EMPTY_BODY_TYPES: Array<string | undefined> = [
  undefined,
  "application/json",
  "application/json; charset=utf-8",
  "text/plain;charset=UTF-8",
  "application/octet-stream",
  "application/x-www-form-urlencoded",
  "text/xml; charset=utf-8",
];

function emptyPost(url: string, token: string, contentType: string | undefined) {
  return call("POST", url, contentType === undefined ? { token } : { token, rawBody: "", headers: { "Content-Type": contentType } });
}

async function submitTrainingJob(): Promise<string> {
  const conn = m().storage.connectionString;
  const input = await putBlob(generateAdultCsv(300, 11), "census/data.csv");
  const prefix = uniqueName("models");
  const res = await call("POST", `${bes()}/jobs?api-version=2.0`, {
    token: besKey(),
    body: {
      Inputs: { input1: { ConnectionString: conn, RelativeLocation: input } },
      Outputs: {
        output1: { ConnectionString: conn, RelativeLocation: `${prefix}/model.ilearner` },
        output2: { ConnectionString: conn, RelativeLocation: `${prefix}/evaluation.csv` },
      },
      GlobalParameters: {},
    },
  });
  expect(res.status).toBe(200);
  return res.body as string;
}

describe("empty bodies on routes whose contract body is empty", () => {
  it.each(EMPTY_BODY_TYPES.map((t) => [t ?? "(none)", t]))("B2 start with Content-Type %s answers 204", async (_label, contentType) => {
    const id = await submitTrainingJob();
    const res = await emptyPost(`${bes()}/jobs/${id}/start?api-version=2.0`, besKey(), contentType);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    const status = await call("GET", `${bes()}/jobs/${id}?api-version=2.0`, { token: besKey() });
    expect(["Running", "Finished"]).toContain(status.body.StatusCode);
  });

  it.each(EMPTY_BODY_TYPES.map((t) => [t ?? "(none)", t]))("M7 refresh with Content-Type %s answers 304 (nothing to overwrite)", async (_label, contentType) => {
    const name = uniqueName("ep");
    const put = await call("PUT", `${predictive()}/endpoints/${name}`, { token: wsToken(), body: { Description: "refresh test" } });
    expect(put.status).toBe(200);
    const res = await emptyPost(`${predictive()}/endpoints/${name}/refresh`, wsToken(), contentType);
    expect(res.status).toBe(304);
  });
});

describe("empty bodies where the contract requires one", () => {
  it("B1 submit with an empty text/plain body is the execution bad-request body, not 415", async () => {
    const res = await emptyPost(`${bes()}/jobs?api-version=2.0`, besKey(), "text/plain");
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "BadArgument", message: "Invalid argument provided.", details: [{ code: "RequestBodyInvalid" }] });
  });
});

describe("non-empty bodies of an unsupported type", () => {
  const MESSAGE = "The request body has Content-Type 'text/plain'; send it as JSON with Content-Type: application/json.";

  it("BES: 400 BadArgument / RequestBodyInvalid", async () => {
    const id = await submitTrainingJob();
    const res = await call("POST", `${bes()}/jobs/${id}/start?api-version=2.0`, { token: besKey(), rawBody: "start", headers: { "Content-Type": "text/plain" } });
    expect(res.status).toBe(400);
    expect(res.headers.get("x-ms-request-id")).toBeTruthy();
    expect(res.body).toEqual({ error: { code: "BadArgument", message: "Invalid argument provided.", details: [{ code: "RequestBodyInvalid", message: MESSAGE }] } });
  });

  it("RRS: 400 BadArgument / RequestBodyInvalid", async () => {
    const res = await call("POST", `${m().classic.predictiveService.apiLocation}/execute?api-version=2.0&details=true`, {
      token: m().classic.predictiveService.primaryKey,
      rawBody: "age,workclass",
      headers: { "Content-Type": "text/plain" },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: "BadArgument", message: "Invalid argument provided.", details: [{ code: "RequestBodyInvalid", message: MESSAGE }] } });
  });

  it("management: 400 BadArgument", async () => {
    const res = await call("PUT", `${predictive()}/endpoints/${uniqueName("ep")}`, { token: wsToken(), rawBody: "Description=x", headers: { "Content-Type": "text/plain" } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: "BadArgument", message: MESSAGE } });
  });

  it("ARM: 400 InvalidRequestContent", async () => {
    const url = `${m().arm.baseUrl}/subscriptions/${m().arm.subscriptionId}/resourceGroups/${m().arm.resourceGroup}/providers/Microsoft.MachineLearning/webServices/${m().arm.webServiceName}?api-version=2017-01-01`;
    const res = await call("PATCH", url, { token: m().arm.token, rawBody: "title=x", headers: { "Content-Type": "text/plain" } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: "InvalidRequestContent", message: `The request content was invalid and could not be deserialized: ${MESSAGE}` } });
  });
});
