/** Fault injection (emulator/faults.ts): configured at start-up or through PUT /_emulator/faults, per surface. */
import { call, startTestEmulator, tableRequest, useEmulator } from "../../support/emulator";

const emu = useEmulator();
const m = () => emu.current.m;
const setFaults = async (faults: unknown) => {
  const res = await call("PUT", `${m().emulatorUrl}/_emulator/faults`, { body: faults });
  expect(res.status).toBe(200);
  expect(res.body).toEqual(faults);
};
const rrs = () => call("POST", `${m().classic.predictiveService.apiLocation}/execute?api-version=2.0&details=true`, { token: m().classic.predictiveService.primaryKey, body: tableRequest() });
const management = () => call("GET", `${m().classic.managementBaseUrl}/workspaces/${m().classic.workspaceId}/webservices`, { token: m().classic.workspaceToken });
const arm = () =>
  call("GET", `${m().arm.baseUrl}/subscriptions/${m().arm.subscriptionId}/resourceGroups/${m().arm.resourceGroup}/providers/Microsoft.MachineLearning/webServices/${m().arm.webServiceName}?api-version=2017-01-01`, {
    token: m().arm.token,
  });

afterEach(async () => {
  await setFaults({});
});

describe("faults set at run time", () => {
  it("throttleRate 1 answers 429 with Retry-After in the execution body", async () => {
    await setFaults({ rrs: { throttleRate: 1, retryAfterSeconds: 3 } });
    const res = await rrs();
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("3");
    const message = "Too many requests (injected fault). Retry after 3 seconds.";
    expect(res.body).toEqual({ error: { code: "TooManyRequests", message, details: [{ code: "TooManyRequests", message }] } });
    // Other surfaces are untouched.
    expect((await management()).status).toBe(200);
  });

  it("throttleRate 1 answers 429 with the default Retry-After in the ARM body", async () => {
    await setFaults({ arm: { throttleRate: 1 } });
    const res = await arm();
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(res.body).toEqual({ error: { code: "TooManyRequests", message: "Too many requests (injected fault). Retry after 1 seconds." } });
  });

  it("unavailableRate 1 answers 503", async () => {
    await setFaults({ rrs: { unavailableRate: 1 }, management: { unavailableRate: 1 } });
    const res = await rrs();
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      error: {
        code: "ServiceUnavailable",
        message: "Service is temporarily unavailable.",
        details: [{ code: "NoMoreResources", message: "No more resources are available to serve the request (injected fault)." }],
      },
    });
    const mgmt = await management();
    expect(mgmt.status).toBe(503);
    expect(mgmt.body).toEqual({ error: { code: "ServiceUnavailable", message: "Service is temporarily unavailable (injected fault)." } });
  });

  it("errorRate 1 answers 500", async () => {
    await setFaults({ rrs: { errorRate: 1 }, arm: { errorRate: 1 } });
    const res = await rrs();
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      error: {
        code: "InternalError",
        message: "Execution encountered an internal error.",
        details: [{ code: "InternalError", message: "Execution encountered an internal error (injected fault)." }],
      },
    });
    const a = await arm();
    expect(a.status).toBe(500);
    expect(a.body).toEqual({ error: { code: "InternalServerError", message: "The service encountered an internal error (injected fault)." } });
  });

  it("answers 200 again once faults are off", async () => {
    await setFaults({ rrs: { errorRate: 1 } });
    expect((await rrs()).status).toBe(500);
    await setFaults({});
    expect((await call("GET", `${m().emulatorUrl}/_emulator/faults`)).body).toEqual({});
    expect((await rrs()).status).toBe(200);
    expect((await management()).status).toBe(200);
    expect((await arm()).status).toBe(200);
  });

  it("refuses an unknown surface with a management bad-request body", async () => {
    const res = await call("PUT", `${m().emulatorUrl}/_emulator/faults`, { body: { nosuch: { errorRate: 1 } } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("BadArgument");
    expect(res.body.error.message).toContain("unknown surface 'nosuch'");
  });
});

describe("faults set by options", () => {
  it("applies them from the start and can turn them off at run time", async () => {
    const other = await startTestEmulator({ faults: { rrs: { unavailableRate: 1 } } });
    try {
      const url = `${other.m.classic.predictiveService.apiLocation}/execute?api-version=2.0&details=true`;
      const send = () => call("POST", url, { token: other.m.classic.predictiveService.primaryKey, body: tableRequest() });
      expect((await send()).status).toBe(503);
      expect((await call("PUT", `${other.url}/_emulator/faults`, { body: {} })).status).toBe(200);
      expect((await send()).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe("lost and late answers after a write", () => {
  const endpointUrl = (name: string) =>
    `${m().classic.managementBaseUrl}/workspaces/${m().classic.workspaceId}/webservices/${m().classic.predictiveService.id}/endpoints/${name}`;
  const addEndpoint = (name: string, signal?: AbortSignal) =>
    fetch(endpointUrl(name), {
      method: "PUT",
      headers: { Authorization: `Bearer ${m().classic.workspaceToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ Description: "lost answer", ThrottleLevel: "High", MaxConcurrentCalls: 4 }),
      signal,
    });
  const getEndpoint = (name: string) => call("GET", endpointUrl(name), { token: m().classic.workspaceToken });

  it("lostAnswerRate 1 carries out the write and resets the connection instead of answering", async () => {
    await setFaults({ management: { lostAnswerRate: 1 } });
    const name = `lost${Date.now().toString(36)}`;
    const outcome = await addEndpoint(name).then((res) => `answered ${res.status}`, (err: Error) => `failed: ${String((err as { cause?: { code?: string } }).cause?.code ?? err.message)}`);
    expect(outcome).toMatch(/^failed: (ECONNRESET|UND_ERR_SOCKET|other side closed)/);
    // Reads are answered, and show the write took effect.
    const read = await getEndpoint(name);
    expect(read.status).toBe(200);
    expect(read.body.Description).toBe("lost answer");
  });

  it("answerDelayMs answers the write late; a client that gives up first still finds it done", async () => {
    await setFaults({ management: { answerDelayMs: 1500 } });
    const name = `late${Date.now().toString(36)}`;
    const outcome = await addEndpoint(name, AbortSignal.timeout(300)).then((res) => `answered ${res.status}`, (err: Error) => err.name);
    expect(outcome).toBe("TimeoutError");
    const read = await getEndpoint(name);
    expect(read.status).toBe(200);
    expect(read.body.Description).toBe("lost answer");
  });

  it("refuses a fault field it does not know, listing the new ones", async () => {
    const res = await call("PUT", `${m().emulatorUrl}/_emulator/faults`, { body: { management: { lostAnswers: 1 } } });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain("lostAnswerRate, answerDelayMs");
  });
});
