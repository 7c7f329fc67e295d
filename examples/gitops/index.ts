/**
 * GitOps promotion: the model a scoring endpoint serves is chosen in git. The training pipeline drops each new
 * model (with its evaluation.csv) into its own folder; a pull request sets `modelFolder` in the stack's config
 * (Pulumi.<stack>.yaml) to that folder; CI posts the promotion review on the pull request and runs `pulumi up` on
 * merge (.github/workflows/promotion.yml, ci/*.sh). State is on Azure Blob, shared by CI and the team.
 */
import * as pulumi from "@pulumi/pulumi";
import { ScoringEndpoint, TrainedModelBinding, getLatestModelBlobOutput } from "pulumi-azureml-retrain";

const config = new pulumi.Config();
const storage = {
  storageAccountName: config.require("storageAccountName"),
  storageBlobEndpoint: config.get("storageBlobEndpoint"),
  storageAccountKey: config.requireSecret("storageAccountKey"),
};

const endpoint = new ScoringEndpoint("scoring", {
  workspaceId: config.require("workspaceId"),
  webServiceId: config.require("predictiveServiceId"),
  endpointName: config.require("endpointName"),
  workspaceToken: config.requireSecret("workspaceToken"),
  region: config.get("region"),
  managementBaseUrl: config.get("managementBaseUrl"),
  credentialConfig: { workspaceToken: "workspaceToken" },
});

// The folder the pull request names holds exactly one model: the newest .ilearner under it is that model.
const binding = new TrainedModelBinding("scoring-model", {
  endpoint,
  trainedModelName: config.require("trainedModelName"),
  model: getLatestModelBlobOutput({ ...storage, container: config.require("modelContainer"), prefix: config.require("modelFolder") }),
  credentialConfig: { storageAccountKey: "storageAccountKey" },
  ...storage,
});

export const servedModel = binding.model;
export const scoringApiLocation = endpoint.apiLocation;
export const scoringKey = endpoint.primaryKey;
