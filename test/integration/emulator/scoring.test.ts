/** Request-Response Service (contract §3) over real HTTP: table and record forms, model headers, rebinding, auth, throttling. */
import {
  ADULT_COLUMNS,
  ADULT_ROWS,
  EXECUTION_UNAUTHORIZED,
  blobEndpoint,
  blobSas,
  call,
  pollUntil,
  putBlob,
  tableRequest,
  trainedModelBytes,
  uniqueName,
  useEmulator,
} from "../../support/emulator";
import { generateKey } from "../../../emulator/auth";

const emu = useEmulator();
const m = () => emu.current.m;
const predictive = () => `${m().classic.managementBaseUrl}/workspaces/${m().classic.workspaceId}/webservices/${m().classic.predictiveService.id}`;
const token = () => m().classic.workspaceToken;
const api = () => m().classic.predictiveService.apiLocation;
const key = () => m().classic.predictiveService.primaryKey;
const LOCATION = "x-ms-azureml-model-location";
const ETAG = "x-ms-azureml-model-etag";

async function addEndpoint(body: unknown = { Description: "Scoring endpoint for customer 042", ThrottleLevel: "High", MaxConcurrentCalls: 20 }): Promise<any> {
  const res = await call("PUT", `${predictive()}/endpoints/${uniqueName("ep")}`, { token: token(), body });
  expect(res.status).toBe(200);
  return res.body;
}

async function patchModel(ep: any, location: string): Promise<void> {
  const res = await call("PATCH", `${predictive()}/endpoints/${ep.Name}`, {
    token: token(),
    body: {
      Resources: [{ Name: m().classic.predictiveService.trainedModelResourceName, Location: { BaseLocation: blobEndpoint(), RelativeLocation: location, SasBlobToken: blobSas(location) } }],
    },
  });
  expect(res.status).toBe(200);
}

const execute = (apiLocation: string, k: string, query = "api-version=2.0&details=true", body: unknown = tableRequest()) =>
  call("POST", `${apiLocation}/execute?${query}`, { token: k, body });

describe("R1 table form", () => {
  it("answers with details=true: ColumnNames, ColumnTypes and Values with Scored Labels and Scored Probabilities", async () => {
    const res = await execute(api(), key());
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(["Results"]);
    expect(Object.keys(res.body.Results)).toEqual(["output1"]);
    const out = res.body.Results.output1;
    expect(out.type).toBe("table");
    expect(out.value.ColumnNames).toEqual([...ADULT_COLUMNS, "Scored Labels", "Scored Probabilities"]);
    expect(out.value.ColumnTypes).toEqual([
      "Int32", "String", "Int32", "String", "Int32", "String", "String", "String", "String", "String", "Int32", "Int32", "Int32", "String", "String", "Double",
    ]);
    expect(out.value.Values).toHaveLength(ADULT_ROWS.length);
    out.value.Values.forEach((row: string[], i: number) => {
      expect(row.slice(0, ADULT_COLUMNS.length)).toEqual(ADULT_ROWS[i]);
      expect(["<=50K", ">50K"]).toContain(row[ADULT_COLUMNS.length]);
      const p = Number(row[ADULT_COLUMNS.length + 1]);
      expect(typeof row[ADULT_COLUMNS.length + 1]).toBe("string");
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
    });
  });

  it("answers only Values without details=true", async () => {
    const res = await execute(api(), key(), "api-version=2.0");
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.Results.output1.value)).toEqual(["Values"]);
    expect(res.body.Results.output1.value.Values[0]).toHaveLength(ADULT_COLUMNS.length + 2);
  });

  it("names the serving model in the emulator's headers", async () => {
    const res = await execute(api(), key());
    expect(res.headers.get(LOCATION)).toBe(m().seed.modelRelativeLocation);
    expect(res.headers.get(ETAG)).toMatch(/^[^"]+$/);
  });
});

describe("R2 record (swagger) form", () => {
  it("answers records with the inputs and the scores, as strings", async () => {
    const records = ADULT_ROWS.map((row) => Object.fromEntries(ADULT_COLUMNS.map((c, i) => [c, row[i]])));
    const res = await execute(api(), key(), "api-version=2.0&format=swagger", { Inputs: { input1: records }, GlobalParameters: {} });
    expect(res.status).toBe(200);
    const rows = res.body.Results.output1;
    expect(rows).toHaveLength(records.length);
    rows.forEach((row: Record<string, string>, i: number) => {
      expect(row).toMatchObject(records[i]);
      expect(Object.keys(row)).toEqual([...ADULT_COLUMNS, "Scored Labels", "Scored Probabilities"]);
      expect(["<=50K", ">50K"]).toContain(row["Scored Labels"]);
      expect(typeof row["Scored Probabilities"]).toBe("string");
    });
    // Same model, same scores as the table form.
    const table = await execute(api(), key());
    expect(rows.map((r: any) => r["Scored Probabilities"])).toEqual(table.body.Results.output1.value.Values.map((v: string[]) => v[v.length - 1]));
  });
});

describe("rebinding an added endpoint (M6) moves scoring to the new model", () => {
  it("serves the new model after the PATCH: headers change and probabilities change", async () => {
    const ep = await addEndpoint();
    const before = await execute(ep.ApiLocation, ep.PrimaryKey);
    expect(before.status).toBe(200);
    expect(before.headers.get(LOCATION)).toBe(m().seed.modelRelativeLocation);

    const location = await putBlob(trainedModelBytes(21, 0.9), "census/2019-03-04/model.ilearner");
    await patchModel(ep, location);
    const after = await pollUntil(() => execute(ep.ApiLocation, ep.PrimaryKey), (r) => r.headers.get(LOCATION) === location);
    expect(after.status).toBe(200);
    expect(after.headers.get(ETAG)).not.toBe(before.headers.get(ETAG));
    const probs = (r: any) => r.body.Results.output1.value.Values.map((v: string[]) => v[v.length - 1]);
    expect(probs(after)).not.toEqual(probs(before));

    // The default endpoint still serves the seeded model.
    expect((await execute(api(), key())).headers.get(LOCATION)).toBe(m().seed.modelRelativeLocation);
  });
});

describe("wrong or missing key (E11)", () => {
  it("answers 401 with the full execution body in both forms", async () => {
    const ep = await addEndpoint();
    for (const query of ["api-version=2.0&details=true", "api-version=2.0&format=swagger"]) {
      for (const t of [generateKey(), undefined, token(), m().classic.trainingService.primaryKey, ep.PrimaryKey]) {
        const res = await execute(api(), t as string, query);
        expect(res.status).toBe(401);
        expect(res.body).toEqual(EXECUTION_UNAUTHORIZED);
        expect(res.headers.get(LOCATION)).toBeNull();
      }
    }
  });

  it("accepts the endpoint's secondary key", async () => {
    const ep = await addEndpoint();
    expect((await execute(ep.ApiLocation, ep.SecondaryKey)).status).toBe(200);
  });
});

describe("throttling (E22)", () => {
  afterEach(async () => {
    expect((await call("PUT", `${m().emulatorUrl}/_emulator/faults`, { body: {} })).status).toBe(200);
  });

  it("answers 503 RequestThrottled above MaxConcurrentCalls", async () => {
    const ep = await addEndpoint({ ThrottleLevel: "High", MaxConcurrentCalls: 1 });
    expect(ep.MaxConcurrentCalls).toBe(1);
    // Hold each admitted request open so the others overlap it.
    expect((await call("PUT", `${m().emulatorUrl}/_emulator/faults`, { body: { rrs: { latencyMs: 300 } } })).status).toBe(200);
    const results = await Promise.all([0, 1, 2, 3].map(() => execute(ep.ApiLocation, ep.PrimaryKey)));
    const ok = results.filter((r) => r.status === 200);
    const throttled = results.filter((r) => r.status === 503);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(ok.length + throttled.length).toBe(4);
    expect(throttled.length).toBeGreaterThanOrEqual(1);
    for (const r of throttled) {
      expect(r.body).toEqual({
        error: {
          code: "ServiceUnavailable",
          message: "Service is temporarily unavailable.",
          details: [{ code: "RequestThrottled", message: `Request was throttled for ${ep.Name} endpoint. The maximum concurrency for the endpoint is 1.` }],
        },
      });
    }
    // Once the calls are over, the endpoint admits again.
    expect((await execute(ep.ApiLocation, ep.PrimaryKey)).status).toBe(200);
  });
});
