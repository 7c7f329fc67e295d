/**
 * The ARM web-services surface against Microsoft's published description (issue 19): requests modelled on the shapes
 * of the recorded examples (putWebService, patchWebService), answers validated with Ajv against schemas written from
 * stable/2017-01-01 and preview/2016-05-01-preview webservices.json (see descriptions/README.md); both api-versions'
 * parameter shapes, in and out; the validation the description requires; failed operations in ARM's error shape.
 */
import { blobEndpoint, call, pollUntil, uniqueName, useEmulator } from "../../support/emulator";
import { schemaDepartures } from "../../support/descriptions";

const emu = useEmulator();
const m = () => emu.current.m;
const STABLE = "2017-01-01";
const PREVIEW = "2016-05-01-preview";
const rgUrl = () => `${m().arm.baseUrl}/subscriptions/${m().arm.subscriptionId}/resourceGroups/${m().arm.resourceGroup}/providers/Microsoft.MachineLearning/webServices`;
const svcUrl = (name: string, version = STABLE) => `${rgUrl()}/${name}?api-version=${version}`;
const arm = (method: string, url: string, body?: unknown) => call(method, url, { token: m().arm.token, body });
const ref = (version: string, definition: string) => `webservices.${version}#/definitions/${definition}`;

/** A request shaped like the recorded PUT example: PascalCase graph keys, Value/CertificateThumbprint, a null. */
function putPayload(parameters: unknown, nodeParameters: unknown, graphParameters: unknown = {}): Record<string, unknown> {
  return {
    location: "South Central US",
    tags: { team: "fidelity" },
    properties: {
      title: "Published description replay",
      description: "Modelled on the recorded putWebService example",
      readOnly: false,
      exposeSampleData: true,
      storageAccount: { name: m().storage.accountName, key: m().storage.accountKey },
      realtimeConfiguration: { maxConcurrentCalls: 4 },
      diagnostics: { level: "None" },
      payloadsInBlobStorage: false,
      machineLearningWorkspace: { id: m().classic.workspaceId },
      packageType: "Graph",
      assets: {
        asset1: { name: "Execute R Script", type: "Module", locationInfo: { uri: "aml://module/r-script", credentials: "" } },
        asset2: { name: "Import Data", type: "Module", locationInfo: { uri: "aml://module/import-data", credentials: "" } },
      },
      parameters,
      input: { type: "object", properties: { input1: { type: "object", properties: { age: { type: "Integer", format: "Int32", "x-ms-isnullable": true } } } } },
      output: { type: "object", properties: { output1: { type: "object", properties: { workclass: { type: "String", "x-ms-isnullable": false } } } } },
      package: {
        nodes: { node1: { AssetId: "asset1", Parameters: nodeParameters }, node2: { AssetId: "asset2" }, node3: { InputId: "input1" }, node4: { OutputId: "output1" } },
        edges: [
          { SourceNodeId: "node2", SourcePortId: "Results dataset", TargetNodeId: "node1", TargetPortId: "Dataset2" },
          { SourceNodeId: "node3", TargetNodeId: "node1", TargetPortId: "Dataset1" },
          { SourceNodeId: "node1", SourcePortId: "Result Dataset", TargetNodeId: "node4" },
        ],
        graphParameters,
      },
      exampleRequest: { inputs: { input1: [["age"], ["39"]] }, globalParameters: null },
    },
  };
}

const STABLE_NODE_PARAMETERS = { "R Version": { Value: "CRAN R 3.1.0", CertificateThumbprint: "" }, "Account Key": { Value: "Encrypted Key", CertificateThumbprint: "TheThumbprint" } };

async function operationOf(res: { headers: Headers }): Promise<any> {
  const url = res.headers.get("azure-asyncoperation");
  expect(url).toEqual(expect.any(String));
  const done = await pollUntil(() => arm("GET", url!), (r) => r.status !== 200 || ["Succeeded", "Failed", "Canceled"].includes(r.body.status));
  expect(done.status).toBe(200);
  return done.body;
}

describe("api-version 2017-01-01: the recorded PUT, GET, PATCH, list and keys shapes", () => {
  it("creates a service from an example-shaped PUT and answers every read in the described shape", async () => {
    const name = uniqueName("replay");
    const put = await arm("PUT", svcUrl(name), putPayload({ "Data path": { value: "census/x.csv" } }, STABLE_NODE_PARAMETERS));
    expect(put.status).toBe(201);
    expect(schemaDepartures(ref(STABLE, "WebService"), put.body)).toEqual([]);
    expect(put.body.properties).toMatchObject({ provisioningState: "Provisioning", storageAccount: { name: m().storage.accountName } });
    expect(put.body.properties.storageAccount.key).toBeUndefined();
    expect(put.body.properties.keys).toBeUndefined();
    const op = await operationOf(put);
    expect(schemaDepartures(ref(STABLE, "AsyncOperationStatus"), op)).toEqual([]);
    expect(op.provisioningState).toBe("Succeeded");

    const get = await arm("GET", svcUrl(name));
    expect(get.status).toBe(200);
    expect(schemaDepartures(ref(STABLE, "WebService"), get.body)).toEqual([]);
    // The graph comes back in the description's camelCase, node parameters as { value, certificateThumbprint }.
    expect(get.body.properties.package.nodes.node1).toEqual({
      assetId: "asset1",
      parameters: { "R Version": { value: "CRAN R 3.1.0", certificateThumbprint: "" }, "Account Key": { value: "Encrypted Key", certificateThumbprint: "TheThumbprint" } },
    });
    expect(get.body.properties.package.edges[1]).toEqual({ sourceNodeId: "node3", targetNodeId: "node1", targetPortId: "Dataset1" });
    expect(get.body.properties.parameters).toEqual({ "Data path": { value: "census/x.csv" } });

    const patch = await arm("PATCH", svcUrl(name), { location: "South Central US", properties: { title: "New title", description: "New description", packageType: "Graph" } });
    expect(patch.status).toBe(200);
    expect(schemaDepartures(ref(STABLE, "WebService"), patch.body)).toEqual([]);
    expect(patch.body.properties).toMatchObject({ title: "New title", parameters: { "Data path": { value: "census/x.csv" } } });
    expect((await operationOf(patch)).provisioningState).toBe("Succeeded");

    const list = await arm("GET", `${rgUrl()}?api-version=${STABLE}`);
    expect(schemaDepartures(ref(STABLE, "List"), list.body)).toEqual([]);
    expect(list.body.value.map((s: { name: string }) => s.name)).toContain(name);
    const keys = await arm("GET", `${rgUrl()}/${name}/listKeys?api-version=${STABLE}`);
    expect(schemaDepartures(ref(STABLE, "Keys"), keys.body)).toEqual([]);
    expect(keys.body).toEqual({ primary: expect.any(String), secondary: expect.any(String) });
    const operations = await arm("GET", `${m().arm.baseUrl}/providers/Microsoft.MachineLearning/operations?api-version=${STABLE}`);
    expect(schemaDepartures(ref(STABLE, "OperationList"), operations.body)).toEqual([]);

    const removed = await arm("DELETE", svcUrl(name));
    expect(removed.status).toBe(202);
    expect((await arm("GET", svcUrl(name))).status).toBe(404);
  });

  it("refuses plain-string parameters, a graph parameter without links and a PATCH without packageType", async () => {
    const name = uniqueName("refuse");
    const refused = async (method: string, body: unknown, version = STABLE) => {
      const res = await arm(method, svcUrl(name, version), body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("InvalidRequestContent");
      return res.body.error.message as string;
    };
    expect(await refused("PUT", putPayload({ "Data path": "census/x.csv" }, {}))).toMatch(/body\/properties\/parameters\/Data path must be object/);
    expect(await refused("PUT", putPayload({}, { "R Version": "CRAN R 3.1.0" }))).toMatch(/body\/properties\/package\/nodes\/node1\/parameters\/R Version must be object/);
    const unlinked = { "Data path": { type: "String", description: "input blob" } };
    expect(await refused("PUT", putPayload({}, STABLE_NODE_PARAMETERS, unlinked))).toMatch(/graphParameters\/Data path must have required property 'links'/);
    const linkWithoutKey = { "Data path": { type: "String", links: [{ nodeId: "node1" }] } };
    expect(await refused("PUT", putPayload({}, STABLE_NODE_PARAMETERS, linkWithoutKey))).toMatch(/must have required property 'parameterKey'/);
    expect((await arm("GET", svcUrl(name))).status).toBe(404);

    const linked = { "Data path": { type: "String", links: [{ nodeId: "node1", parameterKey: "R Version" }] } };
    expect((await arm("PUT", svcUrl(name), putPayload({}, STABLE_NODE_PARAMETERS, linked))).status).toBe(201);
    expect(await refused("PATCH", { location: "South Central US", properties: { title: "no discriminator" } })).toMatch(/body\/properties must have required property 'packageType'/);
    // 2016-05-01-preview: the resource needs its location and properties on a PATCH too.
    expect(await refused("PATCH", { properties: { packageType: "Graph", title: "x" } }, PREVIEW)).toMatch(/body must have required property 'location'/);
    expect((await arm("GET", svcUrl(name))).body.properties.title).toBe("Published description replay");
    await arm("DELETE", svcUrl(name));
  });
});

describe("api-version 2016-05-01-preview: parameters are plain strings, in and out", () => {
  it("projects a 2017-01-01 service to strings, stores a preview PUT's strings as values, and refuses objects", async () => {
    const name = uniqueName("preview");
    const put = await arm("PUT", svcUrl(name), putPayload({ "Data path": { value: "census/x.csv" } }, STABLE_NODE_PARAMETERS));
    await operationOf(put);
    const asPreview = await arm("GET", svcUrl(name, PREVIEW));
    expect(asPreview.status).toBe(200);
    expect(schemaDepartures(ref(PREVIEW, "WebService"), asPreview.body)).toEqual([]);
    expect(asPreview.body.properties.parameters).toEqual({ "Data path": "census/x.csv" });
    expect(asPreview.body.properties.package.nodes.node1.parameters).toEqual({ "R Version": "CRAN R 3.1.0", "Account Key": "Encrypted Key" });
    expect(asPreview.body.properties).not.toHaveProperty("payloadsInBlobStorage");
    // The same service in 2017-01-01 terms still fails the preview's schema: the check can tell them apart.
    expect(schemaDepartures(ref(PREVIEW, "WebService"), (await arm("GET", svcUrl(name))).body)).not.toEqual([]);

    const { payloadsInBlobStorage: _p, ...previewProperties } = putPayload({ "Data path": "census/y.csv" }, { "R Version": "CRAN R 3.2.0" }).properties as Record<string, unknown>;
    const previewPut = await arm("PUT", svcUrl(name, PREVIEW), { ...putPayload({}, {}), properties: previewProperties });
    expect(previewPut.status).toBe(200);
    expect(schemaDepartures(ref(PREVIEW, "WebService"), previewPut.body)).toEqual([]);
    const asStable = (await arm("GET", svcUrl(name))).body;
    expect(schemaDepartures(ref(STABLE, "WebService"), asStable)).toEqual([]);
    expect(asStable.properties.parameters).toEqual({ "Data path": { value: "census/y.csv" } });
    expect(asStable.properties.package.nodes.node1.parameters).toEqual({ "R Version": { value: "CRAN R 3.2.0" } });

    const objects = await arm("PUT", svcUrl(name, PREVIEW), putPayload({ "Data path": { value: "census/z.csv" } }, {}));
    expect(objects.status).toBe(400);
    expect(objects.body.error.message).toMatch(/body\/properties\/parameters\/Data path must be string/);
    await arm("DELETE", svcUrl(name));
  });
});

describe("a failed long-running operation", () => {
  it("carries error { code, message } beside errorInfo, in the described AsyncOperationStatus shape", async () => {
    const name = uniqueName("failing");
    const body = putPayload({}, STABLE_NODE_PARAMETERS) as { properties: { assets: Record<string, unknown> } };
    const uri = `${blobEndpoint()}${uniqueName("none")}/model.ilearner`;
    body.properties.assets.asset3 = { name: "Census Model [trained model]", type: "Resource", locationInfo: { uri }, outputPorts: { "Results dataset": { type: "Dataset" } } };
    const op = await operationOf(await arm("PUT", svcUrl(name), body));
    expect(schemaDepartures(ref(STABLE, "AsyncOperationStatus"), op)).toEqual([]);
    expect(op).toMatchObject({ status: "Failed", provisioningState: "Failed", errorInfo: { code: "UpdateWebServiceResourceFailed" } });
    expect(op.error).toEqual(op.errorInfo);
    expect(op.error.message).toMatch(/^Unable to use the trained model 'Census Model \[trained model\]' \(asset asset3\)/);
    await arm("DELETE", svcUrl(name));
  });
});
