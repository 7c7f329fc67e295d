/**
 * examples/azure cannot reach Azure here, so it runs under Pulumi's mocks: the test checks that the production
 * wiring hands our resources the azure-native values (workspace id, workspace token, storage account and key,
 * subscription and AAD token) and that the sensitive ones stay secret.
 */
import * as pulumi from "@pulumi/pulumi";

type Registered = { type: string; name: string; inputs: Record<string, any> };
const registered: Registered[] = [];
const WORKSPACE_ID = "0123456789abcdef0123456789abcdef";

pulumi.runtime.setMocks(
  {
    newResource(args) {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      const state: Record<string, unknown> = { ...args.inputs, name: `${args.name}-abc123` };
      if (args.type === "azure-native:storage:StorageAccount") state.primaryEndpoints = { blob: "https://mlmodelsabc123.blob.core.windows.net/" };
      if (args.type === "azure-native:machinelearning:Workspace") state.workspaceId = WORKSPACE_ID;
      if (args.type.endsWith(":RetrainingRun")) {
        state.model = { container: "models-abc123", path: "census/runs/1/model.ilearner", etag: "E1", lastModified: "2026-01-01T00:00:00Z", size: 10 };
      }
      return { id: `${args.name}-id`, state };
    },
    call(args) {
      switch (args.token) {
        case "azure-native:storage:listStorageAccountKeys":
          return { keys: [{ keyName: "key1", value: "storage-account-key" }] };
        case "azure-native:machinelearning:listWorkspaceKeys":
          return { primaryToken: "workspace-token", secondaryToken: "workspace-token-2" };
        case "azure-native:authorization:getClientConfig":
          return { subscriptionId: "00000000-0000-0000-0000-000000000001", tenantId: "t", clientId: "c", objectId: "o" };
        case "azure-native:authorization:getClientToken":
          return { token: "aad-token" };
        default:
          return {};
      }
    },
  },
  "azureml-retrain-azure",
  "prod",
  false,
);
pulumi.runtime.setAllConfig({
  "azureml-retrain-azure:ownerEmail": "ml-platform@example.com",
  "azureml-retrain-azure:trainingApiLocation": "https://ussouthcentral.services.azureml.net/workspaces/w/services/s",
  "azureml-retrain-azure:trainingApiKey": "training-key",
  "azureml-retrain-azure:datasetPath": "census/latest.csv",
  "azureml-retrain-azure:predictiveServiceId": "fedcba9876543210fedcba9876543210",
  "azureml-retrain-azure:armWebServiceName": "census-predictive",
}, ["azureml-retrain-azure:trainingApiKey"]);

function resolve<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((r) => o.apply((v) => r(v)));
}

let program: typeof import("../../../examples/azure/index");
beforeAll(async () => {
  program = await import("../../../examples/azure/index");
  await resolve(program.classicBoundModel);
  await resolve(program.armBoundModel!);
});

const byType = (suffix: string) => registered.filter((r) => r.type.endsWith(suffix));

// How Pulumi's wire format marks a secret value (the mocks receive inputs in that form).
const SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const secret = (value: unknown) => ({ [SPECIAL_SIG_KEY]: SECRET_SIG, value });

test("creates the surroundings with azure-native", () => {
  expect(byType("resources:ResourceGroup")).toHaveLength(1);
  expect(byType("storage:StorageAccount")[0].inputs).toMatchObject({ allowBlobPublicAccess: false, minimumTlsVersion: "TLS1_2" });
  expect(byType("storage:BlobContainer").map((c) => c.name).sort()).toEqual(["models", "training"]);
  expect(byType("machinelearning:Workspace")[0].inputs).toMatchObject({ ownerEmail: "ml-platform@example.com", location: "South Central US" });
});

test("wires the workspace, its token and the storage account into the retrain-and-promote resources", () => {
  const [endpoint] = byType(":ScoringEndpoint");
  expect(endpoint.inputs).toMatchObject({ workspaceId: WORKSPACE_ID, workspaceToken: secret("workspace-token"), region: "ussouthcentral", endpointName: "retrain01" });
  // No base URL: the real regional management host is the default.
  expect(endpoint.inputs.managementBaseUrl).toBeUndefined();

  const [run] = byType(":RetrainingRun");
  const [training] = byType(":TrainingService");
  expect(training.inputs.apiKey).toEqual(secret("training-key"));
  expect(run.inputs).toMatchObject({
    input: { container: "training-abc123", path: "census/latest.csv" },
    outputContainer: "models-abc123",
    storageAccountName: "mlmodels-abc123",
    storageBlobEndpoint: "https://mlmodelsabc123.blob.core.windows.net/",
    storageAccountKey: secret("storage-account-key"),
  });

  const bindings = byType(":TrainedModelBinding");
  expect(bindings.map((b) => b.name).sort()).toEqual(["census-arm-model", "census-scoring-model"]);
  const arm = bindings.find((b) => b.name === "census-arm-model")!;
  expect(arm.inputs).toMatchObject({
    subscriptionId: "00000000-0000-0000-0000-000000000001",
    webServiceName: "census-predictive",
    armToken: secret("aad-token"),
    model: { path: "census/runs/1/model.ilearner" },
  });
});

test("exports only non-secret values in plaintext", async () => {
  expect(await pulumi.isSecret(program.scoringApiLocation)).toBe(false);
  expect(await pulumi.isSecret(program.trainedModel)).toBe(false);
  expect(await resolve(program.workspaceId)).toBe(WORKSPACE_ID);
});
