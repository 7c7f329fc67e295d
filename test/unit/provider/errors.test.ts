import { ServiceError, formatFailure, redact, stripQuery, hintFor } from "../../../provider/errors";

const sas = "?sv=2021-08-06&st=2024-01-01T00%3A00%3A00Z&se=2024-01-01T00%3A15%3A00Z&sr=b&sp=r&sig=abcDEF%2B123%3D";

describe("redact", () => {
  test.each([
    [`GET https://acct.blob.core.windows.net/models/a.ilearner${sas} failed`, "GET https://acct.blob.core.windows.net/models/a.ilearner?[redacted] failed"],
    [`token ${sas}`, "token ?[redacted]"],
    ["sig=abc&se=x", "sig=[redacted]&se=x"],
    ["DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c2VjcmV0a2V5==;", "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=[redacted];"],
    ["Authorization: Bearer eyJhbGciOi.xyz", "Authorization: Bearer [redacted]"],
    ['{"SasBlobToken":"?sv=1&sig=2","PrimaryKey":"k=="}', '{"SasBlobToken":"[redacted]","PrimaryKey":"[redacted]"}'],
  ])("%s", (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test("removes given secret values wherever they appear", () => {
    expect(redact("the key is s3cr3t-value!", ["s3cr3t-value"])).toBe("the key is [redacted]!");
  });

  test("stripQuery drops query and fragment", () => {
    expect(stripQuery("https://h/p?a=1#f")).toBe("https://h/p");
    expect(stripQuery("https://h/p")).toBe("https://h/p");
  });
});

describe("formatFailure", () => {
  const err = new ServiceError({
    status: 404,
    code: "WorkspaceNotFound",
    serviceMessage: "Workspace not found. Verify the workspace Id is correct and try again.",
    requestId: "req-123",
    method: "PATCH",
    url: `https://management.azureml.net/workspaces/x/webservices/y/endpoints/z${sas}`,
    surface: "management",
  });

  test("renders the one shape with hint and request id", () => {
    expect(formatFailure("TrainedModelBinding", "prod", "bind model (PATCH)", err)).toBe(
      'TrainedModelBinding "prod": bind model (PATCH) failed: 404 WorkspaceNotFound: Workspace not found. Verify the workspace Id is correct and try again. ' +
        "Check workspaceId and region: the management host must carry the workspace's region prefix (contract §1.2, E7). (request id req-123)",
    );
  });

  test("the error itself never carries the query string", () => {
    expect(err.message).not.toContain("sig=");
    expect(err.url).toBe("https://management.azureml.net/workspaces/x/webservices/y/endpoints/z");
  });

  test("detail codes are shown and their hint wins", () => {
    const e = new ServiceError({ status: 401, code: "Unauthorized", detailCode: "ScoreRequestUnauthorized", serviceMessage: "Request is unauthorized to access resource. Invalid credentials provided.", method: "POST", url: "https://x/execute", surface: "rrs" });
    expect(formatFailure("T", "n", "probe", e)).toBe(
      'T "n": probe failed: 401 Unauthorized/ScoreRequestUnauthorized: Request is unauthorized to access resource. Invalid credentials provided. Check the endpoint key: use the endpoint\'s PrimaryKey or SecondaryKey.',
    );
  });

  test("no response: network code and hint", () => {
    const e = new ServiceError({ code: "ECONNREFUSED", serviceMessage: "connect ECONNREFUSED 127.0.0.1:1", method: "HEAD", url: "http://127.0.0.1:1/a", surface: "storage" });
    expect(formatFailure("T", "n", "read blob", e, "Nothing was written")).toMatch(/^T "n": read blob failed: no response ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:1\. Nothing was written\. The host refused the connection/);
  });

  test("secrets passed in are removed from the message", () => {
    const e = new Error("boom with key abcdefgh123");
    expect(formatFailure("T", "n", "op", e, undefined, ["abcdefgh123"])).toBe('T "n": op failed: error Error: boom with key [redacted].');
  });

  test("hints are keyed by code", () => {
    expect(hintFor("BadArgument", "InvalidBlobExtension")).toMatch(/\.ilearner/);
    expect(hintFor("Nope")).toBeUndefined();
  });
});
