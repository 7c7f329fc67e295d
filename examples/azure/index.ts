/**
 * Production stack: the surroundings come from @pulumi/azure-native, the retrain-and-promote resources from this
 * package. The resource code is the same as examples/local; only where values come from differs.
 *
 * Published Studio (classic) web services cannot be created through ARM: the data-science team publishes the
 * training and predictive experiments from Studio, and this stack takes their coordinates from config.
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as machinelearning from "@pulumi/azure-native/machinelearning";
import * as resources from "@pulumi/azure-native/resources";
import * as storage from "@pulumi/azure-native/storage";
import { RetrainingRun, ScoringEndpoint, TrainedModelBinding, TrainingService } from "../../provider";

const config = new pulumi.Config();
// Studio (classic) workspaces lived in a few regions only (contract §1.2); South Central US is the default one.
const location = config.get("location") ?? "southcentralus";
const region = config.get("mlRegion") ?? "ussouthcentral";

const group = new resources.ResourceGroup("ml-retrain", { location });

const account = new storage.StorageAccount("mlmodels", {
  resourceGroupName: group.name,
  location,
  kind: storage.Kind.StorageV2,
  sku: { name: storage.SkuName.Standard_LRS },
  allowBlobPublicAccess: false,
  minimumTlsVersion: storage.MinimumTlsVersion.TLS1_2,
});
const trainingData = new storage.BlobContainer("training", { resourceGroupName: group.name, accountName: account.name, publicAccess: storage.PublicAccess.None });
const models = new storage.BlobContainer("models", { resourceGroupName: group.name, accountName: account.name, publicAccess: storage.PublicAccess.None });
const accountKey = pulumi.secret(
  storage.listStorageAccountKeysOutput({ resourceGroupName: group.name, accountName: account.name }).keys[0].value,
);
const storageArgs = {
  storageAccountName: account.name,
  storageBlobEndpoint: account.primaryEndpoints.blob,
  storageAccountKey: accountKey,
};

const workspace = new machinelearning.Workspace("census", {
  resourceGroupName: group.name,
  location: "South Central US",
  ownerEmail: config.require("ownerEmail"),
  userStorageAccountId: account.id,
  sku: { name: "S1", tier: "Standard" },
});
const workspaceToken = pulumi.secret(
  machinelearning.listWorkspaceKeysOutput({ resourceGroupName: group.name, workspaceName: workspace.name }).apply((k) => k.primaryToken ?? ""),
);

const training = new TrainingService("census-training", {
  apiLocation: config.require("trainingApiLocation"),
  apiKey: config.requireSecret("trainingApiKey"),
});

const retrain = new RetrainingRun("census-retrain", {
  trainingService: training,
  input: pulumi.all([trainingData.name, config.require("datasetPath")]).apply(([container, path]) => ({ container, path })),
  outputContainer: models.name,
  outputPrefix: "census/runs",
  ...storageArgs,
});

const endpoint = new ScoringEndpoint("census-scoring", {
  workspaceId: workspace.workspaceId,
  webServiceId: config.require("predictiveServiceId"),
  endpointName: config.get("endpointName") ?? "retrain01",
  workspaceToken,
  region,
  description: "Scoring endpoint that receives retrained census models",
  throttleLevel: "High",
  maxConcurrentCalls: 20,
});

const classicBinding = new TrainedModelBinding("census-scoring-model", {
  endpoint,
  trainedModelName: config.get("trainedModelName") ?? "Census Model [trained model]",
  model: retrain.model,
  // The real service serves a new model about 30 s after the PATCH (contract §1.5 M6).
  verification: { settleSeconds: 30, timeoutSeconds: 300 },
  ...storageArgs,
});

// An ARM ("new") web service, if the team has one: promoted by updating its definition's trained-model asset.
const armWebServiceName = config.get("armWebServiceName");
const armBinding = armWebServiceName
  ? new TrainedModelBinding("census-arm-model", {
      armWebService: pulumi
        .all([authorization.getClientConfigOutput().subscriptionId, config.get("armResourceGroup") ?? group.name])
        .apply(([subscriptionId, resourceGroup]) => ({ subscriptionId, resourceGroup, webServiceName: armWebServiceName })),
      armToken: pulumi.secret(authorization.getClientTokenOutput().token),
      trainedModelName: config.get("armTrainedModelName") ?? "Census Model [trained model]",
      model: retrain.model,
      verification: { timeoutSeconds: 600 },
      ...storageArgs,
    })
  : undefined;

export const workspaceId = workspace.workspaceId;
export const modelsContainer = models.name;
export const trainedModel = retrain.model;
export const metrics = retrain.metrics;
export const scoringApiLocation = endpoint.apiLocation;
export const scoringHelpLocation = endpoint.helpLocation;
export const classicBoundModel = classicBinding.boundLocation;
export const armBoundModel = armBinding?.boundLocation;
