/** Classic management API (contract §1) over real HTTP, with the contract's literal bodies. */
import {
  ADULT_ROWS,
  MANAGEMENT_UNAUTHORIZED,
  blobEndpoint,
  blobSas,
  call,
  putBlob,
  tableRequest,
  trainedModelBytes,
  uniqueName,
  useEmulator,
} from "../../support/emulator";
import { generateId, generateKey } from "../../../emulator/auth";
import { loadModel } from "../../../emulator/ml";

const emu = useEmulator();
const m = () => emu.current.m;
const ws = () => `${m().classic.managementBaseUrl}/workspaces/${m().classic.workspaceId}`;
const predictive = () => `${ws()}/webservices/${m().classic.predictiveService.id}`;
const training = () => `${ws()}/webservices/${m().classic.trainingService.id}`;
const token = () => m().classic.workspaceToken;
const RESOURCE = "Census Model [trained model]";

async function addEndpoint(svcUrl = predictive(), name = uniqueName("ep")): Promise<{ name: string; url: string; body: any }> {
  const res = await call("PUT", `${svcUrl}/endpoints/${name}`, {
    token: token(),
    body: { Description: "Scoring endpoint for customer 042", ThrottleLevel: "High", MaxConcurrentCalls: 20 },
  });
  expect(res.status).toBe(200);
  return { name, url: `${svcUrl}/endpoints/${name}`, body: res.body };
}

async function uploadModel(seed: number, drift = 0): Promise<string> {
  return putBlob(trainedModelBytes(seed, drift), "census/2019-03-04/model.ilearner");
}

function patchBody(relativeLocation: string, sas = blobSas(relativeLocation), name = RESOURCE): unknown {
  return { Resources: [{ Name: name, Location: { BaseLocation: blobEndpoint(), RelativeLocation: relativeLocation, SasBlobToken: sas } }] };
}

describe("M1 list web services", () => {
  it("lists both seeded services with x-ms-request-id", async () => {
    const res = await call("GET", `${ws()}/webservices`, { token: token() });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-ms-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.map((s: any) => s.Name).sort()).toEqual(["Census Model", "Census Model [Predictive Exp.]"]);
    expect(Object.keys(res.body[0]).sort()).toEqual(["CreationTime", "DefaultEndpointName", "Description", "EndpointCount", "Id", "Name", "WorkspaceId"]);
  });

  it("answers 404 WorkspaceNotFound under another region's host (E7)", async () => {
    const url = `${m().emulatorUrl}/management/europewest/workspaces/${m().classic.workspaceId}/webservices`;
    const res = await call("GET", url, { token: token() });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: "WorkspaceNotFound", message: "Workspace not found. Verify the workspace Id is correct and try again." } });
    expect(res.headers.get("x-ms-request-id")).toBeTruthy();
  });
});

describe("M2 get web service", () => {
  it("returns the web service", async () => {
    const res = await call("GET", predictive(), { token: token() });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ Id: m().classic.predictiveService.id, Name: "Census Model [Predictive Exp.]", DefaultEndpointName: "default" });
  });

  it("answers 404 WebServiceNotFound for an unknown id", async () => {
    const res = await call("GET", `${ws()}/webservices/${generateId()}`, { token: token() });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: "WebServiceNotFound", message: "Web service not found. Verify the web service Id is correct and try again." } });
  });

  it("answers 400 WebServiceIdInvalid for a malformed id (E4)", async () => {
    const res = await call("GET", `${ws()}/webservices/not-a-guid`, { token: token() });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: "WebServiceIdInvalid", message: "Invalid web service id provided. Web service id should be a valid guid." } });
  });

  it("answers 404 WebServiceIdNotFoundInWorkspace for another workspace's service (E2)", async () => {
    const other = { id: generateId(), region: m().classic.region, primaryToken: generateKey(), secondaryToken: generateKey(), createdAt: new Date().toISOString() };
    emu.current.stores.classic.putWorkspace(other);
    const res = await call("GET", `${m().classic.managementBaseUrl}/workspaces/${other.id}/webservices/${m().classic.predictiveService.id}`, { token: other.primaryToken });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: {
        code: "WebServiceIdNotFoundInWorkspace",
        message:
          "Web service under this workspace not found. There is a mismatch between the webServiceId and the workspaceId. Verify the web service provided is part of the workspace and try again.",
      },
    });
  });
});

describe("M3/M4 endpoints", () => {
  it("lists endpoints with every documented field", async () => {
    const res = await call("GET", `${predictive()}/endpoints`, { token: token() });
    expect(res.status).toBe(200);
    const ep = res.body.find((e: any) => e.Name === "default");
    expect(Object.keys(ep).sort()).toEqual(
      [
        "ApiLocation", "CreationTime", "Description", "DiagnosticsTraceLevel", "ExperimentLocation", "HelpLocation", "MaxConcurrentCalls",
        "Name", "PreventUpdate", "PrimaryKey", "Resources", "SampleDataEnabled", "SecondaryKey", "ThrottleLevel", "Version", "WebServiceId", "WorkspaceId",
      ].sort(),
    );
    expect(ep.ApiLocation).toBe(m().classic.predictiveService.apiLocation);
    expect(ep.PrimaryKey).toHaveLength(88);
    expect(ep.Resources).toEqual([
      { Name: RESOURCE, Kind: "TrainedModel", Location: { BaseLocation: blobEndpoint(), RelativeLocation: "models/seed/model.ilearner", SasBlobToken: "" } },
    ]);
  });

  it("gets an endpoint with the workspace token or the endpoint's own key, not another endpoint's", async () => {
    const { name, url, body } = await addEndpoint();
    expect((await call("GET", url, { token: token() })).body.Name).toBe(name);
    expect((await call("GET", url, { token: body.PrimaryKey })).status).toBe(200);
    expect((await call("GET", url, { token: body.SecondaryKey })).status).toBe(200);
    const other = await call("GET", url, { token: m().classic.predictiveService.primaryKey });
    expect(other.status).toBe(401);
    expect(other.body).toEqual(MANAGEMENT_UNAUTHORIZED);
  });

  it("answers 404 for an unknown endpoint name (E1)", async () => {
    const res = await call("GET", `${predictive()}/endpoints/nosuchendpoint`, { token: token() });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: "NotFound", message: "Endpoint 'nosuchendpoint' not found. Verify the endpoint name is correct and try again." } });
  });

  it("lists the training service's default endpoint with no updatable resources", async () => {
    const res = await call("GET", `${training()}/endpoints/default`, { token: token() });
    expect(res.body.Resources).toEqual([]);
  });
});

describe("M5 add endpoint", () => {
  it("creates an endpoint from the contract's body, starting with the default endpoint's model", async () => {
    const { body } = await addEndpoint();
    expect(body).toMatchObject({ Description: "Scoring endpoint for customer 042", ThrottleLevel: "High", MaxConcurrentCalls: 20, DiagnosticsTraceLevel: "None" });
    expect(body.Resources[0].Location.RelativeLocation).toBe("models/seed/model.ilearner");
    expect(body.ApiLocation).toMatch(new RegExp(`/services/ussouthcentral/workspaces/${m().classic.workspaceId}/services/[0-9a-f]{32}$`));
    expect(body.HelpLocation).toMatch(/^https:\/\/studio\.azureml\.net\/apihelp\/workspaces\//);
  });

  it("caps MaxConcurrentCalls at 4 under ThrottleLevel Low", async () => {
    const res = await call("PUT", `${predictive()}/endpoints/${uniqueName("low")}`, { token: token(), body: { ThrottleLevel: "Low", MaxConcurrentCalls: 50 } });
    expect(res.body).toMatchObject({ ThrottleLevel: "Low", MaxConcurrentCalls: 4 });
  });

  it("keeps keys and resources when PUT to an existing name", async () => {
    const { name, body } = await addEndpoint();
    const again = await call("PUT", `${predictive()}/endpoints/${name}`, { token: token(), body: { Description: "changed" } });
    expect(again.body).toMatchObject({ Description: "changed", PrimaryKey: body.PrimaryKey, SecondaryKey: body.SecondaryKey });
  });

  it("accepts camelCase property names", async () => {
    const res = await call("PUT", `${predictive()}/endpoints/${uniqueName("cc")}`, { token: token(), body: { description: "camel", throttleLevel: "High", maxConcurrentCalls: 7 } });
    expect(res.body).toMatchObject({ Description: "camel", ThrottleLevel: "High", MaxConcurrentCalls: 7 });
  });

  it.each(["Bad_Name", "-lead", "trail-", "a".repeat(25)])("refuses the endpoint name %s", async (name) => {
    const res = await call("PUT", `${predictive()}/endpoints/${name}`, { token: token(), body: {} });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: "BadArgument",
        message: `Invalid endpoint name '${name}'. Endpoint names have 1 to 24 characters: lowercase letters, digits and hyphens, not starting or ending with a hyphen.`,
      },
    });
  });

  it("renders a schema failure as the management bad-request body", async () => {
    const res = await call("PUT", `${predictive()}/endpoints/${uniqueName("bad")}`, { token: token(), body: { ThrottleLevel: "Medium" } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("BadArgument");
    expect(res.body.error.message).toContain("ThrottleLevel");
    expect(Object.keys(res.body.error)).toEqual(["code", "message"]);
  });
});

describe("M6 patch endpoint", () => {
  it("rebinds the trained model with the contract's body; RRS then serves it", async () => {
    const { url, body: ep } = await addEndpoint();
    const location = await uploadModel(11, 0.8);
    const sas = blobSas(location);
    const res = await call("PATCH", url, { token: ep.PrimaryKey, body: patchBody(location, sas) });
    expect(res.status).toBe(200);
    expect(res.body.Resources).toEqual([{ Name: RESOURCE, Kind: "TrainedModel", Location: { BaseLocation: blobEndpoint(), RelativeLocation: location, SasBlobToken: sas } }]);
    expect(res.body.Version).not.toBe(ep.Version);
    const get = await call("GET", url, { token: token() });
    expect(get.body.Resources[0].Location.RelativeLocation).toBe(location);
    const scored = await call("POST", `${ep.ApiLocation}/execute?api-version=2.0&details=true`, { token: ep.PrimaryKey, body: tableRequest() });
    expect(scored.status).toBe(200);
    expect(scored.headers.get("x-ms-azureml-model-location")).toBe(location);
  });

  it("also accepts the workspace token, camelCase, and matches the resource name case-insensitively", async () => {
    const { url } = await addEndpoint();
    const location = await uploadModel(12);
    const res = await call("PATCH", url, {
      token: token(),
      body: { resources: [{ name: "Census Model [Trained Model]", location: { baseLocation: blobEndpoint(), relativeLocation: location, sasBlobToken: blobSas(location) } }] },
    });
    expect(res.status).toBe(200);
    expect(res.body.Resources[0].Location.RelativeLocation).toBe(location);
  });

  it("changes settings without Resources", async () => {
    const { url } = await addEndpoint();
    const res = await call("PATCH", url, { token: token(), body: { Description: "new text", DiagnosticsTraceLevel: "All", ThrottleLevel: "High", MaxConcurrentCalls: 100 } });
    expect(res.body).toMatchObject({ Description: "new text", DiagnosticsTraceLevel: "All", ThrottleLevel: "High", MaxConcurrentCalls: 100 });
  });

  it("refuses the default endpoint (E5)", async () => {
    const location = await uploadModel(13);
    const res = await call("PATCH", `${predictive()}/endpoints/default`, { token: token(), body: patchBody(location) });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: "BadArgument", message: "The default endpoint cannot be updated. Add an endpoint and update that one." } });
  });

  it("refuses a training web service's endpoint (E6)", async () => {
    const { url } = await addEndpoint(training());
    const location = await uploadModel(14);
    const res = await call("PATCH", url, { token: token(), body: patchBody(location) });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: "BadArgument", message: "This Web Service has no updatable resources." } });
  });

  it("refuses a wrong resource Name and says which names are updatable (E10)", async () => {
    const { url } = await addEndpoint();
    const location = await uploadModel(15);
    const res = await call("PATCH", url, { token: token(), body: patchBody(location, blobSas(location), "Bike Rental [trained model]") });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: "BadArgument",
        message: "Resource 'Bike Rental [trained model]' is not an updatable resource of this endpoint. Updatable resources: 'Census Model [trained model]'.",
      },
    });
  });

  it("reads the blob through the given SAS: an expired SAS fails (E8) and leaves the binding as it was", async () => {
    const { url, body: before } = await addEndpoint();
    const location = await uploadModel(16);
    const res = await call("PATCH", url, { token: token(), body: patchBody(location, blobSas(location, { expired: true })) });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: "BadArgument",
        message: "Invalid argument provided.",
        details: [
          {
            code: "BlobNotFound",
            message: `Unable to access the provided Azure blob - ${blobEndpoint()}${location}.  Azure error message: AuthorizationFailure (HTTP 403).`,
          },
        ],
      },
    });
    expect((await call("GET", url, { token: token() })).body.Resources).toEqual(before.Resources);
  });

  it("fails without a SAS (the emulator uses nothing but the given location and token)", async () => {
    const { url } = await addEndpoint();
    const location = await uploadModel(17);
    const res = await call("PATCH", url, { token: token(), body: patchBody(location, "") });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].code).toBe("BlobNotFound");
  });

  it("fails for a missing blob (E8)", async () => {
    const { url } = await addEndpoint();
    const location = `${uniqueName("none")}/model.ilearner`;
    const res = await call("PATCH", url, { token: token(), body: patchBody(location, blobSas(location)) });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].message).toMatch(/Azure error message: (ContainerNotFound|BlobNotFound) \(HTTP 404\)\.$/);
  });

  it("refuses a blob that is not an .ilearner by name", async () => {
    const { url } = await addEndpoint();
    const location = await putBlob("a,b\n1,2\n", "census/evaluation.csv");
    const res = await call("PATCH", url, { token: token(), body: patchBody(location) });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: "BadArgument",
        message: "Invalid argument provided.",
        details: [
          {
            code: "InvalidBlobExtension",
            message: `The blob reference: ${blobEndpoint()}${location} has an invalid or missing file extension. Supported file extensions for this output type are: ".ilearner".`,
          },
        ],
      },
    });
  });

  it("refuses an .ilearner blob that holds no trained model", async () => {
    const { url } = await addEndpoint();
    const location = await putBlob("age,income\n39,<=50K\n", "census/fake.ilearner");
    const res = await call("PATCH", url, { token: token(), body: patchBody(location) });
    expect(res.status).toBe(400);
    let reason = "";
    try {
      loadModel(Buffer.from("age,income\n39,<=50K\n"));
    } catch (err) {
      reason = (err as Error).message;
    }
    expect(res.body).toEqual({
      error: { code: "BadArgument", message: "Invalid argument provided.", details: [{ code: "InvalidBlob", message: `The blob ${blobEndpoint()}${location} is not a trained model: ${reason}` }] },
    });
  });
});

describe("M7 refresh endpoint", () => {
  it("overwrites a patched model with the default endpoint's, then answers 304", async () => {
    const { url } = await addEndpoint();
    const location = await uploadModel(18);
    await call("PATCH", url, { token: token(), body: patchBody(location) });
    const res = await call("POST", `${url}/refresh`, { token: token(), body: { OverwriteResources: "True" } });
    expect(res.status).toBe(200);
    expect(res.body.Resources[0].Location.RelativeLocation).toBe("models/seed/model.ilearner");
    expect((await call("POST", `${url}/refresh`, { token: token(), body: { OverwriteResources: "True" } })).status).toBe(304);
    expect((await call("POST", `${url}/refresh`, { token: token(), body: { OverwriteResources: false } })).status).toBe(304);
  });

  it("refuses the default endpoint", async () => {
    const res = await call("POST", `${predictive()}/endpoints/default/refresh`, { token: token(), body: { OverwriteResources: "True" } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: "BadArgument", message: "The default endpoint cannot be refreshed. Re-publish the web service to update it." } });
  });
});

describe("M8 delete endpoint", () => {
  it("deletes an added endpoint; its keys stop working", async () => {
    const { url, body } = await addEndpoint();
    expect((await call("DELETE", url, { token: token() })).status).toBe(204);
    expect((await call("GET", url, { token: token() })).status).toBe(404);
    expect((await call("POST", `${body.ApiLocation}/execute?api-version=2.0`, { token: body.PrimaryKey, body: tableRequest(ADULT_ROWS) })).status).toBe(404);
  });

  it("refuses the default endpoint while others exist (E26)", async () => {
    await addEndpoint();
    const res = await call("DELETE", `${predictive()}/endpoints/default`, { token: token() });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: { code: "BadArgument", message: "The default endpoint cannot be deleted while other endpoints exist. Delete the added endpoints first." },
    });
  });
});

describe("M9 endpoint API document", () => {
  it("returns the endpoint's swagger", async () => {
    const { body } = await addEndpoint();
    const epId = body.ApiLocation.split("/").pop();
    const res = await call("GET", `${predictive()}/endpoints/${epId}/apidocument`, { token: token() });
    expect(res.status).toBe(200);
    expect(res.body.swagger).toBe("2.0");
    expect(res.body.info["x-endpoint-name"]).toBe(body.Name);
  });
});

describe("E3 execution host", () => {
  it("answers 404 NotFound with the management body to a PATCH on the ApiLocation", async () => {
    const res = await call("PATCH", m().classic.predictiveService.apiLocation, { token: token(), body: {} });
    expect(res.status).toBe(404);
    expect(Object.keys(res.body.error)).toEqual(["code", "message"]);
    expect(res.body.error.code).toBe("NotFound");
  });
});

describe("wrong or missing key on every management route (E12)", () => {
  // Every row has three entries: jest.each treats a missing last argument as the `done` callback.
  const routes: Array<[string, () => string, unknown]> = [
    ["GET", () => `${ws()}/webservices`, undefined],
    ["GET", () => predictive(), undefined],
    ["GET", () => `${predictive()}/endpoints`, undefined],
    ["GET", () => `${predictive()}/endpoints/default`, undefined],
    ["PUT", () => `${predictive()}/endpoints/wrongkey`, { Description: "x" }],
    ["PATCH", () => `${predictive()}/endpoints/default`, { Description: "x" }],
    ["POST", () => `${predictive()}/endpoints/default/refresh`, { OverwriteResources: "True" }],
    ["DELETE", () => `${predictive()}/endpoints/default`, undefined],
    ["GET", () => `${predictive()}/endpoints/${generateId()}/apidocument`, undefined],
  ];
  it.each(routes)("%s %s", async (method, url, body) => {
    for (const t of [generateKey(), undefined, m().arm.token, m().classic.trainingService.primaryKey]) {
      const res = await call(method, url(), { token: t, body });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(MANAGEMENT_UNAUTHORIZED);
      expect(res.headers.get("x-ms-request-id")).toBeTruthy();
    }
  });
});
