/**
 * A client we did not write: Microsoft's node SDK for ARM web services (`azure-arm-machinelearning` 1.1.0-preview on
 * ms-rest-azure) drives the emulator's ARM surface (contract §4) over loopback, long-running operations included.
 */
import { WebServicesManagementClient, WebServicesModels } from "azure-arm-machinelearning";
import { TokenCredentials } from "ms-rest";
import { blobEndpoint, call, pollUntil, putBlob, tableRequest, trainedModelBytes, uniqueName, useEmulator } from "../../support/emulator";

const emu = useEmulator();
const m = () => emu.current.m;
const MODEL_LOCATION = "x-ms-azureml-model-location";

function sdkClient(): WebServicesManagementClient {
  // The SDK waits longRunningOperationRetryTimeout seconds between polls (30 by default); 0 polls at once.
  return new WebServicesManagementClient(new TokenCredentials(m().arm.token), m().arm.subscriptionId, m().arm.baseUrl, {
    longRunningOperationRetryTimeout: 0,
  });
}

function trainedModelAssetId(service: WebServicesModels.WebService): string {
  const entry = Object.entries(service.properties.assets ?? {}).find(([, a]) => a.type === "Resource" && a.name === m().arm.trainedModelAssetName);
  expect(entry).toBeDefined();
  return entry![0];
}

const score = () => call("POST", `${m().arm.apiLocation}/execute?api-version=2.0&details=true`, { token: m().arm.primaryKey, body: tableRequest() });

describe("azure-arm-machinelearning against the emulator", () => {
  it("get returns the seeded service, Succeeded, with its trained-model asset and no keys", async () => {
    const service = await sdkClient().webServices.get(m().arm.resourceGroup, m().arm.webServiceName);
    expect(service.name).toBe(m().arm.webServiceName);
    expect(service.type).toBe("Microsoft.MachineLearning/webServices");
    expect(service.properties.packageType).toBe("Graph");
    expect(service.properties.provisioningState).toBe("Succeeded");
    expect(service.properties.keys).toBeUndefined();
    trainedModelAssetId(service);
  });

  it("list (listBySubscriptionId) and listByResourceGroup include the seeded service", async () => {
    const client = sdkClient();
    // 1.1.0-preview names the subscription-wide list (A8) listBySubscriptionId.
    const all = await client.webServices.listBySubscriptionId();
    const inGroup = await client.webServices.listByResourceGroup(m().arm.resourceGroup);
    for (const page of [all, inGroup]) {
      const names = page.map((s) => s.name);
      expect(names).toContain(m().arm.webServiceName);
      for (const s of page) expect(s.properties.packageType).toBe("Graph");
    }
  });

  it("listKeys returns the service's keys", async () => {
    const keys = await sdkClient().webServices.listKeys(m().arm.resourceGroup, m().arm.webServiceName);
    expect(keys.primary).toBe(m().arm.primaryKey);
    expect(keys.secondary).toEqual(expect.any(String));
  });

  it("patch with a new asset URI completes the operation, and RRS then serves the new model", async () => {
    const client = sdkClient();
    const current = await client.webServices.get(m().arm.resourceGroup, m().arm.webServiceName);
    const assetId = trainedModelAssetId(current);
    const location = await putBlob(trainedModelBytes(41, 0.7), "census/sdk/model.ilearner");
    const uri = `${blobEndpoint()}${location}`;
    const assets = { ...current.properties.assets, [assetId]: { ...current.properties.assets![assetId], locationInfo: { uri } } };

    const patched = await client.webServices.patch(m().arm.resourceGroup, m().arm.webServiceName, {
      location: current.location,
      properties: { packageType: "Graph", assets },
    });
    expect(patched.properties.provisioningState).toBe("Succeeded");
    expect(patched.properties.assets![assetId].locationInfo.uri).toBe(uri);
    const scored = await pollUntil(score, (r) => r.headers.get(MODEL_LOCATION) === location);
    expect(scored.status).toBe(200);
  });

  it("createOrUpdate provisions a new service and answers it Succeeded; remove deletes it; removing it again succeeds", async () => {
    const client = sdkClient();
    const seed = await client.webServices.get(m().arm.resourceGroup, m().arm.webServiceName);
    const name = uniqueName("sdksvc");
    const created = await client.webServices.createOrUpdate(m().arm.resourceGroup, name, {
      location: seed.location,
      properties: {
        packageType: "Graph",
        title: `${name} (SDK)`,
        assets: seed.properties.assets,
        input: seed.properties.input,
        output: seed.properties.output,
        storageAccount: { name: m().storage.accountName, key: m().storage.accountKey },
        machineLearningWorkspace: seed.properties.machineLearningWorkspace,
      },
    });
    expect(created.name).toBe(name);
    expect(created.properties.provisioningState).toBe("Succeeded");
    expect(created.properties.title).toBe(`${name} (SDK)`);
    expect((await client.webServices.get(m().arm.resourceGroup, name)).properties.provisioningState).toBe("Succeeded");
    const keys = await client.webServices.listKeys(m().arm.resourceGroup, name);
    expect(keys.primary).toEqual(expect.any(String));

    await client.webServices.remove(m().arm.resourceGroup, name);
    await expect(client.webServices.get(m().arm.resourceGroup, name)).rejects.toMatchObject({ statusCode: 404, code: "ResourceNotFound" });
    await client.webServices.remove(m().arm.resourceGroup, name);
  });

  it("a failed operation surfaces its code and message through the SDK (error beside errorInfo, issue 19)", async () => {
    const client = sdkClient();
    const seed = await client.webServices.get(m().arm.resourceGroup, m().arm.webServiceName);
    const assetId = trainedModelAssetId(seed);
    const missing = `${blobEndpoint()}${uniqueName("none")}/model.ilearner`;
    const name = uniqueName("sdkfail");
    const failing = client.webServices.createOrUpdate(m().arm.resourceGroup, name, {
      location: seed.location,
      properties: {
        packageType: "Graph",
        assets: { ...seed.properties.assets, [assetId]: { ...seed.properties.assets![assetId], locationInfo: { uri: missing } } },
        storageAccount: { name: m().storage.accountName, key: m().storage.accountKey },
      },
    });
    await expect(failing).rejects.toMatchObject({
      code: "UpdateWebServiceResourceFailed",
      message: expect.stringMatching(/^Long running operation failed with error: "Unable to use the trained model '.+' \(asset \w+\) at /),
    });
    await client.webServices.remove(m().arm.resourceGroup, name);
  });
});
