import { defaultManagementBaseUrl, endpointUrl, parseEndpoint } from "../../../provider/clients/management";
import { armWebServiceUrl } from "../../../provider/clients/arm";
import { joinUrl, parseRetryAfterMs, retryDelayMs, shouldRetry, toServiceError, withQuery, requestLog, resetRequestLog } from "../../../provider/transport";

describe("retry decision", () => {
  test.each([
    ["idempotent", 503, undefined, true],
    ["idempotent", 429, undefined, true],
    ["idempotent", 500, undefined, true],
    ["idempotent", 504, undefined, true],
    ["idempotent", 408, undefined, true],
    ["idempotent", 400, undefined, false],
    ["idempotent", 401, undefined, false],
    ["idempotent", 404, undefined, false],
    ["idempotent", undefined, "ECONNRESET", true],
    ["idempotent", undefined, "ECONNABORTED", true],
    ["idempotent", undefined, "ECONNREFUSED", false],
    ["idempotent", undefined, "ENOTFOUND", false],
    ["no-response-only", 503, undefined, false],
    ["no-response-only", 429, undefined, false],
    ["no-response-only", undefined, "ECONNRESET", true],
    ["answered-only", 503, undefined, true],
    ["answered-only", 429, undefined, true],
    ["answered-only", 400, undefined, false],
    ["answered-only", undefined, "ECONNRESET", false],
    ["answered-only", undefined, "ECONNABORTED", false],
    ["never", undefined, "ECONNRESET", false],
    ["never", 503, undefined, false],
  ] as const)("%s status=%s code=%s → %s", (mode, status, errorCode, expected) => {
    expect(shouldRetry(mode, { status, errorCode })).toBe(expected);
  });
});

describe("retry delay", () => {
  const now = Date.parse("2024-01-01T00:00:00Z");
  test("exponential backoff with jitter between 50% and 100%", () => {
    expect(retryDelayMs(1, undefined, 500, now, () => 0)).toBe(250);
    expect(retryDelayMs(1, undefined, 500, now, () => 1)).toBe(500);
    expect(retryDelayMs(3, undefined, 500, now, () => 1)).toBe(2000);
    expect(retryDelayMs(20, undefined, 500, now, () => 1)).toBe(30_000);
  });
  test("Retry-After seconds is honoured (never earlier)", () => {
    expect(retryDelayMs(1, "7", 500, now, () => 1)).toBe(7000);
    expect(retryDelayMs(1, "0", 500, now, () => 1)).toBe(500);
  });
  test("Retry-After HTTP date is honoured", () => {
    expect(retryDelayMs(1, "Mon, 01 Jan 2024 00:00:10 GMT", 500, now, () => 0)).toBe(10_000);
  });
  test("an absurd Retry-After is capped", () => {
    expect(retryDelayMs(1, "86400", 500, now, () => 0)).toBe(120_000);
  });
  test("parseRetryAfterMs", () => {
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
    expect(parseRetryAfterMs("garbage", now)).toBeUndefined();
    expect(parseRetryAfterMs("1.5", now)).toBe(1500);
    expect(parseRetryAfterMs("Sun, 31 Dec 2023 23:59:00 GMT", now)).toBe(0);
  });
});

describe("error translation", () => {
  const req = { method: "PATCH", url: "https://m/workspaces/a?x=1", surface: "management" };
  test("management body", () => {
    const e = toServiceError(req, 404, { "x-ms-request-id": "r1" }, { error: { code: "WebServiceNotFound", message: "Web service not found." } });
    expect([e.status, e.code, e.serviceMessage, e.requestId, e.url]).toEqual([404, "WebServiceNotFound", "Web service not found.", "r1", "https://m/workspaces/a"]);
  });
  test("execution body with details", () => {
    const e = toServiceError(req, 400, {}, { error: { code: "BadArgument", message: "Invalid argument provided.", details: [{ code: "InvalidBlobExtension", message: "bad ext" }] } });
    expect([e.code, e.detailCode, e.serviceMessage]).toEqual(["BadArgument", "InvalidBlobExtension", "Invalid argument provided. bad ext"]);
  });
  test("flat ARM-workspace body", () => {
    expect(toServiceError(req, 409, {}, { code: "Conflict", message: "readOnly" }).code).toBe("Conflict");
  });
  test("storage XML body", () => {
    const xml = '<?xml version="1.0"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request.\nRequestId:1</Message><AuthenticationErrorDetail>Signature not valid</AuthenticationErrorDetail></Error>';
    const e = toServiceError(req, 403, {}, xml);
    expect([e.code, e.serviceMessage]).toEqual(["AuthenticationFailed", "Server failed to authenticate the request. Signature not valid"]);
  });
  test("HEAD without body: x-ms-error-code header", () => {
    expect(toServiceError(req, 404, { "x-ms-error-code": "BlobNotFound" }, undefined).code).toBe("BlobNotFound");
  });
  test("unknown body falls back to the raw text and the status name", () => {
    const e = toServiceError(req, 502, {}, "upstream broke");
    expect([e.code, e.serviceMessage]).toEqual(["BadGateway", "upstream broke"]);
  });
});

describe("urls", () => {
  test("management hosts per region", () => {
    expect(defaultManagementBaseUrl("ussouthcentral")).toBe("https://management.azureml.net");
    expect(defaultManagementBaseUrl("europewest")).toBe("https://europewest.management.azureml.net");
    expect(defaultManagementBaseUrl("germanycentral")).toBe("https://germanycentral.management.azureml.de");
  });
  test("endpoint and ARM urls", () => {
    expect(endpointUrl("http://e/management/ussouthcentral/", "ws", "svc", "ep1")).toBe("http://e/management/ussouthcentral/workspaces/ws/webservices/svc/endpoints/ep1");
    expect(armWebServiceUrl("https://management.azure.com", "sub", "rg", "svc")).toBe(
      "https://management.azure.com/subscriptions/sub/resourceGroups/rg/providers/Microsoft.MachineLearning/webServices/svc?api-version=2017-01-01",
    );
    expect(joinUrl("a/", "/b")).toBe("a/b");
    expect(withQuery("a?x=1", { y: "2", z: undefined })).toBe("a?x=1&y=2");
  });
  test("endpoint bodies are read case-insensitively and drop the SAS", () => {
    const ep = parseEndpoint({ name: "e1", apiLocation: "https://x", resources: [{ NAME: "M [trained model]", location: { baselocation: "https://b/", RelativeLocation: "c/p.ilearner", SasBlobToken: "?sig=1" } }] });
    expect(ep).toEqual({ name: "e1", apiLocation: "https://x", resources: [{ name: "M [trained model]", baseLocation: "https://b/", relativeLocation: "c/p.ilearner" }] } as unknown as typeof ep);
    expect(JSON.stringify(ep)).not.toContain("sig");
  });
});

test("request log starts empty after reset and returns copies", () => {
  resetRequestLog();
  expect(requestLog()).toEqual([]);
});
