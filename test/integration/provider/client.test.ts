import * as http from "http";
import { AddressInfo } from "net";
import { requestLog, resetRequestLog, send } from "../../../provider/transport";
import { isServiceError } from "../../../provider/errors";

/** A loopback server that answers from a script, one entry per request. */
async function scripted(responses: Array<{ status: number; headers?: Record<string, string>; body?: string } | "drop">) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ""}`);
    const next = responses.shift() ?? { status: 200, body: "{}" };
    if (next === "drop") {
      req.socket.destroy();
      return;
    }
    res.writeHead(next.status, { "content-type": "application/json", "x-ms-request-id": "rid-1", ...(next.headers ?? {}) });
    res.end(next.body ?? "");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const fast = { retryBaseDelayMs: 1, maxRetries: 3, timeoutSeconds: 5 };

beforeEach(() => resetRequestLog());

test("503 then 429 with Retry-After then 200: retried, every attempt logged without query", async () => {
  const s = await scripted([{ status: 503 }, { status: 429, headers: { "retry-after": "0" } }, { status: 200, body: '{"ok":true}' }]);
  try {
    const res = await send<{ ok: boolean }>({ surface: "management", method: "GET", url: `${s.url}/a?sig=secret`, bearer: "tok", settings: fast });
    expect(res.data).toEqual({ ok: true });
    expect(requestLog()).toEqual([
      { surface: "management", method: "GET", url: `${s.url}/a`, status: 503 },
      { surface: "management", method: "GET", url: `${s.url}/a`, status: 429 },
      { surface: "management", method: "GET", url: `${s.url}/a`, status: 200 },
    ]);
    expect(s.seen[0]).toBe("GET /a?sig=secret Bearer tok");
  } finally {
    await s.close();
  }
});

test("a POST is not retried on 503 by default", async () => {
  const s = await scripted([{ status: 503, body: '{"error":{"code":"ServiceUnavailable","message":"Service is temporarily unavailable."}}' }]);
  try {
    await expect(send({ surface: "bes", method: "POST", url: `${s.url}/jobs`, body: {}, settings: fast })).rejects.toMatchObject({ status: 503, code: "ServiceUnavailable", requestId: "rid-1" });
    expect(requestLog()).toHaveLength(1);
  } finally {
    await s.close();
  }
});

test("BES submit mode: retried after a dropped connection, not after a 500", async () => {
  const s = await scripted(["drop", { status: 200, body: '"job1"' }]);
  try {
    const res = await send({ surface: "bes", method: "POST", url: `${s.url}/jobs`, retry: "no-response-only", body: {}, settings: fast });
    expect(res.data).toBe("job1");
    expect(requestLog().map((e) => e.status ?? e.errorCode)).toEqual(["ECONNRESET", 200]);
  } finally {
    await s.close();
  }
  const s2 = await scripted([{ status: 500 }, { status: 200 }]);
  try {
    await expect(send({ surface: "bes", method: "POST", url: `${s2.url}/jobs`, retry: "no-response-only", body: {}, settings: fast })).rejects.toMatchObject({ status: 500 });
  } finally {
    await s2.close();
  }
});

test("accepted statuses are returned, not thrown; errors never carry the key", async () => {
  const s = await scripted([{ status: 404, body: '{"error":{"code":"NotFound","message":"Resource not found."}}' }, { status: 401, body: '{"error":{"code":"Unauthorized","message":"Unauthorized"}}' }]);
  try {
    expect((await send({ surface: "management", method: "GET", url: `${s.url}/x`, acceptStatus: [404], settings: fast })).status).toBe(404);
    const err = await send({ surface: "management", method: "GET", url: `${s.url}/y?sig=abc`, bearer: "super-secret-token", settings: fast }).catch((e) => e);
    expect(isServiceError(err)).toBe(true);
    expect(JSON.stringify({ ...err, message: err.message })).not.toMatch(/super-secret-token|sig=abc/);
  } finally {
    await s.close();
  }
});

test("a refused connection fails fast with a network code", async () => {
  const s = await scripted([]);
  await s.close();
  await expect(send({ surface: "storage", method: "HEAD", url: `${s.url}/c/b`, settings: fast })).rejects.toMatchObject({ code: "ECONNREFUSED", status: undefined });
  expect(requestLog()).toHaveLength(1);
});

test("per-host concurrency limit holds across calls", async () => {
  let inFlight = 0;
  let peak = 0;
  const server = http.createServer((_req, res) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    setTimeout(() => {
      inFlight--;
      res.writeHead(200);
      res.end();
    }, 20);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await Promise.all(Array.from({ length: 12 }, () => send({ surface: "rrs", method: "GET", url, settings: { maxConcurrencyPerHost: 3 } })));
    expect(peak).toBeLessThanOrEqual(3);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});
