/** ARM Microsoft.MachineLearning/webServices, api-version 2017-01-01 (contract §4), over real HTTP. */
import { blobEndpoint, call, pollUntil, putBlob, tableRequest, trainedModelBytes, uniqueName, useEmulator } from "../../support/emulator";
import { generateKey } from "../../../emulator/auth";

const emu = useEmulator();
const m = () => emu.current.m;
const V = "api-version=2017-01-01";
const rgUrl = () => `${m().arm.baseUrl}/subscriptions/${m().arm.subscriptionId}/resourceGroups/${m().arm.resourceGroup}/providers/Microsoft.MachineLearning/webServices`;
const svcUrl = (name = m().arm.webServiceName) => `${rgUrl()}/${name}`;
const token = () => m().arm.token;
const LOCATION = "x-ms-azureml-model-location";

function trainedModelAsset(assets: Record<string, any>): [string, any] {
  const entry = Object.entries(assets).find(([, a]) => a.type === "Resource" && a.name === m().arm.trainedModelAssetName);
  expect(entry).toBeDefined();
  return entry!;
}

/** The §4.8 REST flow: GET, replace the trained model's uri in the full assets map, PATCH. */
async function patchModelUri(uri: string): Promise<{ res: any; assetId: string }> {
  const get = await call("GET", `${svcUrl()}?${V}`, { token: token() });
  expect(get.status).toBe(200);
  const assets = JSON.parse(JSON.stringify(get.body.properties.assets));
  const [assetId] = trainedModelAsset(assets);
  assets[assetId].locationInfo = { uri };
  const res = await call("PATCH", `${svcUrl()}?${V}`, { token: token(), body: { location: get.body.location, properties: { packageType: "Graph", assets } } });
  return { res, assetId };
}

async function pollOperation(url: string): Promise<any> {
  const res = await pollUntil(() => call("GET", url, { token: token() }), (r) => r.status !== 200 || ["Succeeded", "Failed", "Canceled"].includes(r.body.status));
  expect(res.status).toBe(200);
  return res.body;
}

const score = () => call("POST", `${m().arm.apiLocation}/execute?api-version=2.0&details=true`, { token: m().arm.primaryKey, body: tableRequest() });

describe("A1 get", () => {
  it("returns the resource without keys or the storage account key", async () => {
    const res = await call("GET", `${svcUrl()}?${V}`, { token: token() });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: `/subscriptions/${m().arm.subscriptionId}/resourceGroups/${m().arm.resourceGroup}/providers/Microsoft.MachineLearning/webServices/${m().arm.webServiceName}`,
      name: m().arm.webServiceName,
      type: "Microsoft.MachineLearning/webServices",
    });
    expect(res.body.properties.keys).toBeUndefined();
    expect(res.body.properties.storageAccount).toEqual({ name: m().storage.accountName });
    expect(res.text).not.toContain(m().storage.accountKey);
    expect(res.text).not.toContain(m().arm.primaryKey);
    expect(res.body.properties.provisioningState).toBe("Succeeded");
    trainedModelAsset(res.body.properties.assets);
  });

  it("answers 404 ResourceNotFound for an unknown service", async () => {
    const name = uniqueName("nosvc");
    const res = await call("GET", `${svcUrl(name)}?${V}`, { token: token() });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: { code: "ResourceNotFound", message: `The Resource 'Microsoft.MachineLearning/webServices/${name}' under resource group '${m().arm.resourceGroup}' was not found.` },
    });
  });

  it("refuses a missing or unsupported api-version", async () => {
    const missing = await call("GET", svcUrl(), { token: token() });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: { code: "MissingApiVersionParameter", message: "The api-version query parameter (?api-version=) is required for all requests." } });
    const bad = await call("GET", `${svcUrl()}?api-version=2015-01-01`, { token: token() });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("NoRegisteredProviderFound");
  });
});

describe("A5 listKeys", () => {
  it("is a GET returning primary and secondary", async () => {
    const res = await call("GET", `${svcUrl()}/listKeys?${V}`, { token: token() });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(["primary", "secondary"]);
    expect(res.body.primary).toBe(m().arm.primaryKey);
    expect(res.body.secondary).toEqual(expect.any(String));
    expect(res.body.secondary).not.toBe(res.body.primary);
  });
});

describe("A3 patch the trained model (contract §4.8)", () => {
  it("answers 200 with Azure-AsyncOperation; the operation ends Succeeded; GET shows the uri; RRS serves the new model", async () => {
    const location = await putBlob(trainedModelBytes(31, 0.9), "census/2019-03-04/model.ilearner");
    const uri = `${blobEndpoint()}${location}`;
    const before = await score();
    expect(before.status).toBe(200);

    const { res, assetId } = await patchModelUri(uri);
    expect(res.status).toBe(200);
    expect(res.body.properties.provisioningState).toBe("Provisioning");
    expect(res.body.properties.assets[assetId].locationInfo.uri).toBe(uri);
    const opUrl = res.headers.get("azure-asyncoperation");
    expect(opUrl).toMatch(new RegExp(`/arm/subscriptions/${m().arm.subscriptionId}/providers/Microsoft.MachineLearning/locations/[a-z]+/operationsStatus/[0-9a-f]{32}\\?api-version=2017-01-01$`));
    expect(res.headers.get("retry-after")).toBe("1");

    const op = await pollOperation(opUrl!);
    expect(op).toMatchObject({ status: "Succeeded", provisioningState: "Succeeded", percentComplete: 100 });
    expect(op.errorInfo).toBeUndefined();
    expect(op.endTime).toEqual(expect.any(String));

    const get = await call("GET", `${svcUrl()}?${V}`, { token: token() });
    expect(get.body.properties.provisioningState).toBe("Succeeded");
    expect(get.body.properties.assets[assetId].locationInfo.uri).toBe(uri);

    const after = await pollUntil(score, (r) => r.headers.get(LOCATION) === location);
    expect(after.status).toBe(200);
    const probs = (r: any) => r.body.Results.output1.value.Values.map((v: string[]) => v[v.length - 1]);
    expect(probs(after)).not.toEqual(probs(before));
  });

  it("ends the operation Failed with errorInfo for a missing blob; RRS keeps the old model", async () => {
    const servingBefore = (await score()).headers.get(LOCATION);
    const location = `${uniqueName("none")}/census/model.ilearner`;
    const uri = `${blobEndpoint()}${location}`;
    const { res, assetId } = await patchModelUri(uri);
    expect(res.status).toBe(200);
    const op = await pollOperation(res.headers.get("azure-asyncoperation")!);
    expect(op.status).toBe("Failed");
    expect(op.provisioningState).toBe("Failed");
    expect(op.errorInfo).toEqual({
      code: "UpdateWebServiceResourceFailed",
      message: expect.stringMatching(new RegExp(`^Unable to use the trained model '${m().arm.trainedModelAssetName.replace(/[[\]]/g, "\\$&")}' \\(asset ${assetId}\\) at ${uri.replace(/[.]/g, "\\.")}: `)),
      target: `properties.assets.${assetId}.locationInfo.uri`,
      details: [{ code: "BlobNotFound", message: expect.stringMatching(/(ContainerNotFound|BlobNotFound)/) }],
    });
    expect((await call("GET", `${svcUrl()}?${V}`, { token: token() })).body.properties.provisioningState).toBe("Failed");
    expect((await score()).headers.get(LOCATION)).toBe(servingBefore);
  });
});

describe("A4 delete, A7 list", () => {
  /** ARM clients poll every 202: without a header Microsoft's node SDK fails the delete (issue 12). */
  async function expectCompletedDelete(res: any): Promise<void> {
    expect(res.status).toBe(202);
    expect(res.text).toBe("");
    const opUrl = res.headers.get("azure-asyncoperation");
    expect(opUrl).toMatch(/\/operationsStatus\/[0-9a-f]{32}\?api-version=2017-01-01$/);
    expect(res.headers.get("location")).toBe(opUrl);
    expect(await pollOperation(opUrl)).toMatchObject({ status: "Succeeded", provisioningState: "Succeeded", percentComplete: 100 });
  }

  it("answers 202 to a DELETE of a service that does not exist (E25), with an operation that has Succeeded", async () => {
    await expectCompletedDelete(await call("DELETE", `${svcUrl(uniqueName("gone"))}?${V}`, { token: token() }));
  });

  it("deletes an existing service: 202, the operation Succeeded, then GET is 404 and the list omits it", async () => {
    const name = uniqueName("del");
    const put = await call("PUT", `${svcUrl(name)}?${V}`, { token: token(), body: { location: "South Central US", properties: { packageType: "Graph", title: name } } });
    expect(put.status).toBe(201);
    await pollOperation(put.headers.get("azure-asyncoperation")!);
    await expectCompletedDelete(await call("DELETE", `${svcUrl(name)}?${V}`, { token: token() }));
    expect((await call("GET", `${svcUrl(name)}?${V}`, { token: token() })).status).toBe(404);
    const list = await call("GET", `${rgUrl()}?${V}`, { token: token() });
    expect(list.body.value.map((s: any) => s.name)).not.toContain(name);
  });

  it("lists the resource group's services", async () => {
    const res = await call("GET", `${rgUrl()}?${V}`, { token: token() });
    expect(res.status).toBe(200);
    expect(res.body.value.map((s: any) => s.name)).toContain(m().arm.webServiceName);
    for (const s of res.body.value) {
      expect(s.type).toBe("Microsoft.MachineLearning/webServices");
      expect(s.properties.keys).toBeUndefined();
      expect(s.properties.assets).toBeUndefined();
    }
    expect(res.body.nextLink).toBeUndefined();
  });
});

describe("wrong or missing bearer (E13)", () => {
  const routes: Array<[string, () => string, unknown]> = [
    ["GET", () => `${svcUrl()}?${V}`, undefined],
    ["GET", () => `${svcUrl()}/listKeys?${V}`, undefined],
    ["PATCH", () => `${svcUrl()}?${V}`, { properties: { description: "x" } }],
    ["DELETE", () => `${svcUrl()}?${V}`, undefined],
    ["GET", () => `${rgUrl()}?${V}`, undefined],
  ];
  it.each(routes)("%s %s", async (method, url, body) => {
    const missing = await call(method, url(), { body });
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ error: { code: "AuthenticationFailed", message: "Authentication failed. The 'Authorization' header is missing." } });
    for (const t of [generateKey(), m().classic.workspaceToken, m().arm.primaryKey]) {
      const res = await call(method, url(), { token: t, body });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: "InvalidAuthenticationToken", message: "The access token is invalid." } });
    }
    // The service is still there.
    expect((await call("GET", `${svcUrl()}?${V}`, { token: token() })).status).toBe(200);
  });
});
