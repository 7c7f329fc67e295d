/**
 * Retrain with a designer pipeline and promote its model (see README.md here). The pipeline endpoint's data-path
 * parameter receives the dataset blob's path; whenever that blob changes, the PipelineRun runs again and the
 * binding serves the model it wrote. Coordinates and secrets come from stack config (manifestConfig.ts fills them
 * from the emulator's manifest).
 */
import * as pulumi from "@pulumi/pulumi";
import { PipelineRun, ScoringEndpoint, TrainedModelBinding } from "../../provider";

const config = new pulumi.Config();
const storage = {
  storageAccountName: config.require("storageAccountName"),
  storageBlobEndpoint: config.require("storageBlobEndpoint"),
  storageAccountKey: config.requireSecret("storageAccountKey"),
};

const retrain = new PipelineRun("census-pipeline", {
  apiBaseUrl: config.require("pipelinesBaseUrl"),
  workspaceArmId: config.require("pipelinesWorkspaceArmId"),
  pipelineEndpointId: config.require("pipelineEndpointId"),
  experimentName: config.require("pipelineExperimentName"),
  dataPathParameter: config.require("pipelineDataPathParameter"),
  input: { container: config.get("datasetContainer") ?? "training", path: config.require("datasetPath") },
  armToken: config.requireSecret("pipelinesToken"),
  pollIntervalSeconds: 1,
  ...storage,
});

const endpoint = new ScoringEndpoint("census-pipeline-scoring", {
  workspaceId: config.require("workspaceId"),
  webServiceId: config.require("predictiveServiceId"),
  endpointName: config.get("endpointName") ?? "pipeline01",
  workspaceToken: config.requireSecret("workspaceToken"),
  region: config.get("region"),
  managementBaseUrl: config.require("managementBaseUrl"),
  description: "Scoring endpoint that serves models trained by the designer pipeline",
});

const binding = new TrainedModelBinding("census-pipeline-model", {
  endpoint,
  trainedModelName: config.require("trainedModelName"),
  model: retrain.model,
  // This example trusts the gate to promote what a pipeline run trains in the same up; the default, "reviewed",
  // would hold it until a preview showed it (see examples/local).
  promotion: "gated",
  gate: { minimum: { auc: 0.8 }, maxDrop: { accuracy: 0.05 } },
  ...storage,
});

export const runId = retrain.runId;
export const trainedModel = retrain.model;
export const metrics = retrain.metrics;
export const scoringApiLocation = endpoint.apiLocation;
export const scoringKey = endpoint.primaryKey;
export const boundModel = binding.boundLocation;
