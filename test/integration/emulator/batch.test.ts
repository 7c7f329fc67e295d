/** Batch Execution Service v2.0 (contract §2) over real HTTP, with the contract's literal bodies; blobs in Azurite. */
import { EXECUTION_UNAUTHORIZED, call, pollUntil, putBlob, uniqueName, useEmulator } from "../../support/emulator";
import { generateId, generateKey } from "../../../emulator/auth";
import { DatasetError, generateAdultCsv, loadModel, parseEvaluationCsv, trainFromCsv } from "../../../emulator/ml";

const emu = useEmulator();
const m = () => emu.current.m;
const api = () => m().classic.trainingService.apiLocation;
const key = () => m().classic.trainingService.primaryKey;
const conn = () => m().storage.connectionString;
const jobsUrl = () => `${api()}/jobs?api-version=2.0`;
const jobUrl = (id: string, suffix = "") => `${api()}/jobs/${id}${suffix}?api-version=2.0`;
const TERMINAL = ["Finished", "Failed", "Cancelled"];

/** The contract's §2.2 body, pointed at this test's own blobs. */
function submitBody(inputLocation: string, outputPrefix: string): any {
  return {
    Inputs: { input1: { ConnectionString: conn(), RelativeLocation: inputLocation } },
    Outputs: {
      output1: { ConnectionString: conn(), RelativeLocation: `${outputPrefix}/model.ilearner` },
      output2: { ConnectionString: conn(), RelativeLocation: `${outputPrefix}/evaluation.csv` },
    },
    GlobalParameters: {},
  };
}

async function uploadDataset(seed = 7): Promise<string> {
  return putBlob(generateAdultCsv(400, seed), "census/2019-03-04.csv");
}

async function submit(body: unknown): Promise<string> {
  const res = await call("POST", jobsUrl(), { token: key(), body });
  expect(res.status).toBe(200);
  expect(res.text).toMatch(/^"[0-9a-f]{32}"$/);
  expect(typeof res.body).toBe("string");
  return res.body as string;
}

async function start(id: string): Promise<void> {
  const res = await call("POST", jobUrl(id, "/start"), { token: key() });
  expect(res.status).toBe(204);
  expect(res.text).toBe("");
}

async function untilEnded(id: string): Promise<any> {
  const res = await pollUntil(() => call("GET", jobUrl(id), { token: key() }), (r) => TERMINAL.includes(r.body?.StatusCode), 30_000);
  expect(res.status).toBe(200);
  return res.body;
}

async function fetchResult(result: any): Promise<Buffer> {
  const res = await fetch(`${result.BaseLocation}${result.RelativeLocation}${result.SasBlobToken}`);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

function datasetErrorOf(csv: string): string {
  try {
    trainFromCsv(csv);
  } catch (err) {
    if (err instanceof DatasetError) return err.message;
    throw err;
  }
  throw new Error("expected the CSV to be refused");
}

describe("B1–B3 submit, start, poll", () => {
  it("runs the contract's job to Finished; the outputs are readable through the returned references", async () => {
    const input = await uploadDataset();
    const prefix = `${uniqueName("models")}/census/2019-03-04`;
    const id = await submit(submitBody(input, prefix));

    const notStarted = await call("GET", jobUrl(id), { token: key() });
    expect(notStarted.status).toBe(200);
    expect(notStarted.body).toEqual({ StatusCode: "NotStarted", Results: null, Details: null });

    await start(id);
    const status = await untilEnded(id);
    expect(status.StatusCode).toBe("Finished");
    expect(status.Details).toBeNull();
    expect(Object.keys(status.Results).sort()).toEqual(["output1", "output2"]);
    for (const [name, file] of [["output1", "model.ilearner"], ["output2", "evaluation.csv"]]) {
      const r = status.Results[name];
      expect(Object.keys(r).sort()).toEqual(["BaseLocation", "ConnectionString", "RelativeLocation", "SasBlobToken"]);
      expect(r.ConnectionString).toBeNull();
      expect(r.BaseLocation).toBe(m().storage.blobEndpoint);
      expect(r.BaseLocation.endsWith("/")).toBe(true);
      expect(r.RelativeLocation).toBe(`${prefix}/${file}`);
      expect(r.SasBlobToken).toMatch(/^\?.*sr=c.*/);
      expect(r.SasBlobToken).toMatch(/sp=rl/);
    }

    const model = loadModel(await fetchResult(status.Results.output1));
    expect(model.featureColumns.length).toBeGreaterThan(0);
    const metrics = parseEvaluationCsv((await fetchResult(status.Results.output2)).toString("utf8"));
    expect(metrics.rows).toBeGreaterThan(0);
    expect(metrics.auc).toBeGreaterThan(0.5);
  });

  it("accepts a leading slash in RelativeLocation, an empty start body and {}", async () => {
    const input = await uploadDataset(8);
    const body = submitBody(`/${input}`, `${uniqueName("models")}/slash`);
    const id = await submit(body);
    const res = await call("POST", jobUrl(id, "/start"), { token: key(), body: {} });
    expect(res.status).toBe(204);
    expect((await untilEnded(id)).StatusCode).toBe("Finished");
  });

  it("writes outputs that are not overridden to the service's own storage", async () => {
    const input = await uploadDataset(9);
    const id = await submit({ Inputs: { input1: { ConnectionString: conn(), RelativeLocation: input } }, GlobalParameters: {} });
    await start(id);
    const status = await untilEnded(id);
    expect(status.StatusCode).toBe("Finished");
    loadModel(await fetchResult(status.Results.output1));
    parseEvaluationCsv((await fetchResult(status.Results.output2)).toString("utf8"));
  });

  it("mints a fresh SAS on every GET", async () => {
    const input = await uploadDataset(10);
    const id = await submit(submitBody(input, `${uniqueName("models")}/sas`));
    await start(id);
    const first = await untilEnded(id);
    expect(first.StatusCode).toBe("Finished");
    // Move only the emulator's clock (it runs in this process) so the second mint cannot fall in the same second.
    jest.useFakeTimers({
      now: Date.now() + 3_600_000,
      doNotFake: ["hrtime", "nextTick", "performance", "queueMicrotask", "setImmediate", "clearImmediate", "setInterval", "clearInterval", "setTimeout", "clearTimeout"],
    });
    let second;
    try {
      second = (await call("GET", jobUrl(id), { token: key() })).body;
    } finally {
      jest.useRealTimers();
    }
    for (const name of ["output1", "output2"]) {
      expect(second.Results[name].RelativeLocation).toBe(first.Results[name].RelativeLocation);
      expect(second.Results[name].SasBlobToken).not.toBe(first.Results[name].SasBlobToken);
      const se = (sas: string) => Date.parse(new URLSearchParams(sas.slice(1)).get("se")!);
      expect(se(second.Results[name].SasBlobToken) - se(first.Results[name].SasBlobToken)).toBeGreaterThanOrEqual(3_590_000);
    }
    // And the first SAS still reads the blob.
    loadModel(await fetchResult(first.Results.output1));
  });
});

describe("B2 start of a job that is not NotStarted", () => {
  it("answers 400 InvalidOperation / CannotStartJob", async () => {
    const input = await uploadDataset(11);
    const id = await submit(submitBody(input, `${uniqueName("models")}/twice`));
    await start(id);
    await untilEnded(id);
    const res = await call("POST", jobUrl(id, "/start"), { token: key() });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: "InvalidOperation",
        message: "The request is invalid in the current context.",
        details: [{ code: "CannotStartJob", message: "The job cannot be started because it is in Finished state." }],
      },
    });
  });

  it("refuses to start a cancelled job", async () => {
    const input = await uploadDataset(12);
    const id = await submit(submitBody(input, `${uniqueName("models")}/cx`));
    expect((await call("DELETE", jobUrl(id), { token: key() })).status).toBe(204);
    const res = await call("POST", jobUrl(id, "/start"), { token: key() });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ code: "CannotStartJob", message: "The job cannot be started because it is in Cancelled state." }]);
  });
});

describe("B4 cancel", () => {
  it("cancels a NotStarted job: 204, then Cancelled", async () => {
    const input = await uploadDataset(13);
    const id = await submit(submitBody(input, `${uniqueName("models")}/cancel`));
    const res = await call("DELETE", jobUrl(id), { token: key() });
    expect(res.status).toBe(204);
    expect((await call("GET", jobUrl(id), { token: key() })).body).toEqual({ StatusCode: "Cancelled", Results: null, Details: null });
  });

  it("cancels a Running job; it stays Cancelled", async () => {
    const input = await uploadDataset(14);
    const id = await submit(submitBody(input, `${uniqueName("models")}/cancel2`));
    await start(id);
    expect((await call("DELETE", jobUrl(id), { token: key() })).status).toBe(204);
    expect((await call("GET", jobUrl(id), { token: key() })).body.StatusCode).toBe("Cancelled");
    // The background run must not overwrite the cancellation: run a later job to its end, then look again.
    const later = await submit(submitBody(input, `${uniqueName("models")}/after`));
    await start(later);
    expect((await untilEnded(later)).StatusCode).toBe("Finished");
    expect((await call("GET", jobUrl(id), { token: key() })).body.StatusCode).toBe("Cancelled");
  });

  it("answers 404 JobNotFound for an unknown job id", async () => {
    const id = generateId();
    const res = await call("GET", jobUrl(id), { token: key() });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: { code: "NotFound", message: "Resource not found.", details: [{ code: "JobNotFound", message: `Job '${id}' was not found for this endpoint.` }] },
    });
  });
});

describe("job failures", () => {
  it("fails a job whose input blob is missing, with Details", async () => {
    const input = `${uniqueName("none")}/census/missing.csv`;
    const id = await submit(submitBody(input, `${uniqueName("models")}/missing`));
    await start(id);
    const status = await untilEnded(id);
    expect(status.StatusCode).toBe("Failed");
    expect(status.Results).toBeNull();
    expect(status.Details).toMatch(new RegExp(`^Error 0030: Unable to download the input dataset input1 \\(${input.replace(/[.]/g, "\\.")}\\): .*(ContainerNotFound|BlobNotFound).*`));
  });

  it("fails a job whose input CSV is malformed, with the parse message in Details", async () => {
    const csv = "age,workclass,income\n39,State-gov\n50,Private,>50K,extra\n";
    const input = await putBlob(csv, "census/malformed.csv");
    const id = await submit(submitBody(input, `${uniqueName("models")}/malformed`));
    await start(id);
    const status = await untilEnded(id);
    expect(status).toEqual({ StatusCode: "Failed", Results: null, Details: datasetErrorOf(csv) });
  });
});

describe("B1 validation at submit", () => {
  it("refuses a model output that does not end in .ilearner (E15)", async () => {
    const input = await uploadDataset(15);
    const body = submitBody(input, `${uniqueName("models")}/ext`);
    const rel = body.Outputs.output1.RelativeLocation.replace(/\.ilearner$/, ".csv");
    body.Outputs.output1.RelativeLocation = rel;
    const res = await call("POST", jobsUrl(), { token: key(), body });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: "BadArgument",
        message: "Invalid argument provided.",
        details: [
          {
            code: "InvalidBlobExtension",
            message: `The blob reference: ${rel} has an invalid or missing file extension. Supported file extensions for this output type are: ".ilearner".`,
          },
        ],
      },
    });
  });

  it("refuses an unknown output name (E18)", async () => {
    const input = await uploadDataset(16);
    const body = submitBody(input, `${uniqueName("models")}/unk`);
    body.Outputs.output9 = body.Outputs.output2;
    const res = await call("POST", jobsUrl(), { token: key(), body });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: "BadArgument",
        message: "Invalid argument provided.",
        details: [{ code: "InvalidOutputOverrideName", message: "The output name 'output9' is not an output of this web service. Outputs: output1, output2." }],
      },
    });
  });

  it.each([["1.0"], ["2.1"], [""]])("refuses api-version=%s with BadVersionCall (E21)", async (version) => {
    const res = await call("POST", `${api()}/jobs?api-version=${version}`, { token: key(), body: submitBody("a/b.csv", "c/d") });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: "BadArgument",
        message: "Invalid argument provided.",
        details: [
          {
            code: "BadVersionCall",
            message: `Invalid version parameter was passed during the API call: ${version}. Check the API help page for passing the correct version and try again.`,
          },
        ],
      },
    });
  });

  it("refuses a missing api-version with BadVersionCall", async () => {
    const res = await call("GET", `${api()}/jobs/${generateId()}`, { token: key() });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].code).toBe("BadVersionCall");
  });
});

describe("wrong or missing key on every BES route (E11)", () => {
  // Three entries per row: a missing last argument would be taken for jest's `done` callback.
  const routes: Array<[string, (id: string) => string, unknown]> = [
    ["POST", () => jobsUrl(), { Inputs: {} }],
    ["POST", (id) => jobUrl(id, "/start"), undefined],
    ["GET", (id) => jobUrl(id), undefined],
    ["DELETE", (id) => jobUrl(id), undefined],
    ["GET", () => `${api()}/swagger.json?api-version=2.0`, undefined],
  ];
  it.each(routes)("%s %s", async (method, url, body) => {
    const input = await uploadDataset(17);
    const id = await submit(submitBody(input, `${uniqueName("models")}/auth`));
    for (const t of [generateKey(), undefined, m().classic.workspaceToken, m().classic.predictiveService.primaryKey, m().arm.token]) {
      const res = await call(method, url(id), { token: t, body });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(EXECUTION_UNAUTHORIZED);
    }
    // The job is untouched.
    expect((await call("GET", jobUrl(id), { token: key() })).body.StatusCode).toBe("NotStarted");
  });
});
