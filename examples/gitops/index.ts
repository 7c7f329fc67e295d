/**
 * GitOps promotion: the model a scoring endpoint serves is pinned in git. The training pipeline drops each new
 * model (with its evaluation.csv) under a prefix; the scheduled model-update workflow writes the newest one as the
 * pin `model: { container, path, sha256 }` in the stack's config (Pulumi.<stack>.yaml) on a branch and opens a pull
 * request; CI posts the promotion review and saves the update plan; the merge applies exactly that plan
 * (.github/workflows/*.yml, ci/*.sh). State is on Azure Blob, shared by CI and the team.
 */
import * as pulumi from "@pulumi/pulumi";
import { ScoringEndpoint, TrainedModelBinding, pinnedModel } from "pulumi-azureml-retrain";

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

// The pin, not "the newest blob": a model that lands after the review is not promoted by the merge.
const binding = new TrainedModelBinding("scoring-model", {
  endpoint,
  trainedModelName: config.require("trainedModelName"),
  model: pinnedModel(config, "model", storage),
  // Only a pinned model is ever bound: no up, however it is started, promotes what no merged pin approved.
  promotion: "pinned",
  credentialConfig: { storageAccountKey: "storageAccountKey" },
  ...storage,
});

export const servedModel = binding.model;
export const scoringApiLocation = endpoint.apiLocation;
export const scoringKey = endpoint.primaryKey;
