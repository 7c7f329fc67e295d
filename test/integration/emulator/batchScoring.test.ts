/**
 * Batch scoring (issue 12): BES v2.0 jobs on predictive web services, classic endpoints and ARM services, over real
 * HTTP with blobs in Azurite. The scored CSV must match RRS scoring of the same rows by the same endpoint.
 */
import { ADULT_COLUMNS, blobEndpoint, blobSas, call, pollUntil, putBlob, trainedModelBytes, uniqueName, useEmulator } from "../../support/emulator";
import { generateAdultCsv } from "../../../emulator/ml";

const emu = useEmulator();
const m = () => emu.current.m;
const conn = () => m().storage.connectionString;
const TERMINAL = ["Finished", "Failed", "Cancelled"];
const SCORED = ["Scored Labels", "Scored Probabilities"];

interface Endpoint {
  apiLocation: string;
  key: string;
}
const classicDefault = (): Endpoint => ({ apiLocation: m().classic.predictiveService.apiLocation, key: m().classic.predictiveService.primaryKey });
const armService = (): Endpoint => ({ apiLocation: m().arm.apiLocation, key: m().arm.primaryKey });

function parseCsv(text: string): { header: string[]; rows: string[][] } {
  const [header, ...rows] = text.trimEnd().split("\n").map((line) => line.split(","));
  return { header, rows };
}

/** Labelled Adult rows with a header (the income column rides along: scoring ignores it and passes it through). */
async function uploadInput(rows = 60, seed = 23): Promise<{ location: string; csv: string }> {
  const csv = generateAdultCsv(rows, seed);
  return { location: await putBlob(csv, "scoring/census.csv"), csv };
}

async function runJob(ep: Endpoint, body: unknown): Promise<any> {
  const submit = await call("POST", `${ep.apiLocation}/jobs?api-version=2.0`, { token: ep.key, body });
  expect(submit.status).toBe(200);
  const id = submit.body as string;
  expect((await call("POST", `${ep.apiLocation}/jobs/${id}/start?api-version=2.0`, { token: ep.key })).status).toBe(204);
  const res = await pollUntil(() => call("GET", `${ep.apiLocation}/jobs/${id}?api-version=2.0`, { token: ep.key }), (r) => TERMINAL.includes(r.body?.StatusCode));
  expect(res.status).toBe(200);
  return res.body;
}

const scoringBody = (input: string, output?: string): unknown => ({
  Inputs: { input1: { ConnectionString: conn(), RelativeLocation: input } },
  ...(output ? { Outputs: { output1: { ConnectionString: conn(), RelativeLocation: output } } } : {}),
  GlobalParameters: {},
});

async function readResult(result: any): Promise<string> {
  const res = await fetch(`${result.BaseLocation}${result.RelativeLocation}${result.SasBlobToken}`);
  expect(res.status).toBe(200);
  return res.text();
}

/** RRS table-form scoring of the same rows by the same endpoint: its Scored Labels and Probabilities. */
async function rrsScores(ep: Endpoint, header: string[], rows: string[][]): Promise<string[][]> {
  const res = await call("POST", `${ep.apiLocation}/execute?api-version=2.0&details=true`, {
    token: ep.key,
    body: { Inputs: { input1: { ColumnNames: header, Values: rows } }, GlobalParameters: {} },
  });
  expect(res.status).toBe(200);
  return res.body.Results.output1.value.Values.map((v: string[]) => v.slice(-2));
}

/** The input columns come back unchanged, then the two scored columns, RRS's scores exactly. */
async function expectScoredLikeRrs(ep: Endpoint, inputCsv: string, scoredCsv: string): Promise<string[][]> {
  const source = parseCsv(inputCsv);
  const out = parseCsv(scoredCsv);
  expect(out.header).toEqual([...source.header, ...SCORED]);
  expect(out.rows.length).toBe(source.rows.length);
  expect(out.rows.map((r) => r.slice(0, -2))).toEqual(source.rows);
  const scores = out.rows.map((r) => r.slice(-2));
  expect(scores).toEqual(await rrsScores(ep, source.header, source.rows));
  return scores;
}

describe("BES on a classic predictive endpoint", () => {
  it("scores the input blob into the output blob with the bound model; the scores match RRS and separate the classes", async () => {
    const input = await uploadInput(80, 23);
    const output = `${uniqueName("scored")}/census/scored.csv`;
    const status = await runJob(classicDefault(), scoringBody(input.location, output));
    expect(status).toMatchObject({ StatusCode: "Finished", Details: null });
    expect(status.Results.output1).toMatchObject({ ConnectionString: null, RelativeLocation: output, BaseLocation: blobEndpoint() });

    const scores = await expectScoredLikeRrs(classicDefault(), input.csv, await readResult(status.Results.output1));
    const { header, rows } = parseCsv(input.csv);
    const income = header.indexOf("income");
    for (const [label, p] of scores) {
      const probability = Number(p);
      expect(probability).toBeGreaterThanOrEqual(0);
      expect(probability).toBeLessThanOrEqual(1);
      expect(label).toBe(probability >= 0.5 ? ">50K" : "<=50K");
    }
    // Plausible, not just well-formed: rows labelled >50K score higher on average than rows labelled <=50K.
    const mean = (positive: boolean) => {
      const ps = scores.filter((_, i) => (rows[i][income] === ">50K") === positive).map(([, p]) => Number(p));
      return ps.reduce((a, b) => a + b, 0) / ps.length;
    };
    expect(mean(true)).toBeGreaterThan(mean(false));
  });

  it("writes to the service's own storage when the output is not overridden (contract §2.2)", async () => {
    const input = await uploadInput(10, 29);
    const status = await runJob(classicDefault(), scoringBody(input.location));
    expect(status.StatusCode).toBe("Finished");
    expect(status.Results.output1.RelativeLocation).toMatch(/^experimentoutput\/[0-9a-f]{32}\/output1\.csv$/);
    await expectScoredLikeRrs(classicDefault(), input.csv, await readResult(status.Results.output1));
  });

  it("scores with the model PATCHed onto an added endpoint, not the default endpoint's", async () => {
    const svc = `${m().classic.managementBaseUrl}/workspaces/${m().classic.workspaceId}/webservices/${m().classic.predictiveService.id}`;
    const name = uniqueName("batch");
    const put = await call("PUT", `${svc}/endpoints/${name}`, { token: m().classic.workspaceToken, body: { Description: "batch scoring" } });
    expect(put.status).toBe(200);
    const model = await putBlob(trainedModelBytes(53, 0.9), "census/drifted/model.ilearner");
    const patch = await call("PATCH", `${svc}/endpoints/${name}`, {
      token: put.body.PrimaryKey,
      body: { Resources: [{ Name: m().classic.predictiveService.trainedModelResourceName, Location: { BaseLocation: blobEndpoint(), RelativeLocation: model, SasBlobToken: blobSas(model) } }] },
    });
    expect(patch.status).toBe(200);
    const added: Endpoint = { apiLocation: put.body.ApiLocation, key: put.body.PrimaryKey };

    const input = await uploadInput(30, 31);
    const status = await runJob(added, scoringBody(input.location, `${uniqueName("scored")}/added.csv`));
    expect(status.StatusCode).toBe("Finished");
    const scores = await expectScoredLikeRrs(added, input.csv, await readResult(status.Results.output1));
    const { header, rows } = parseCsv(input.csv);
    expect(scores).not.toEqual(await rrsScores(classicDefault(), header, rows));
  });

  it("fails the job with Details naming the row and column of a value it cannot score", async () => {
    const bad = `${ADULT_COLUMNS.join(",")}\n${["abc", ...Array(ADULT_COLUMNS.length - 1).fill("?")].join(",")}\n`;
    const input = await putBlob(bad, "scoring/bad.csv");
    const status = await runJob(classicDefault(), scoringBody(input, `${uniqueName("scored")}/bad.csv`));
    expect(status).toEqual({ StatusCode: "Failed", Results: null, Details: expect.stringMatching(/^input1 \(.+\/scoring\/bad\.csv\): Row 1, column 'age': 'abc' is not a number\./) });
  });

  it("fails the job when the input blob does not exist", async () => {
    const status = await runJob(classicDefault(), scoringBody(`${uniqueName("none")}/missing.csv`, `${uniqueName("scored")}/x.csv`));
    expect(status.StatusCode).toBe("Failed");
    expect(status.Details).toMatch(/^Error 0030: Unable to download the input dataset input1 /);
  });

  it("refuses a scored output that is not .csv at submit (InvalidBlobExtension)", async () => {
    const input = await uploadInput(5, 37);
    const res = await call("POST", `${classicDefault().apiLocation}/jobs?api-version=2.0`, { token: classicDefault().key, body: scoringBody(input.location, `${uniqueName("scored")}/out.ilearner`) });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].code).toBe("InvalidBlobExtension");
  });
});

describe("BES on an ARM web service", () => {
  it("scores with the service's bound trained-model asset; the scores match its RRS", async () => {
    const input = await uploadInput(25, 41);
    const status = await runJob(armService(), scoringBody(input.location, `${uniqueName("scored")}/arm.csv`));
    expect(status.StatusCode).toBe("Finished");
    await expectScoredLikeRrs(armService(), input.csv, await readResult(status.Results.output1));
  });
});
