/**
 * Retrain and promote, against the local emulator (npm start drives this stack; see README.md here).
 *
 * One RetrainingRun trains on the dataset blob; whenever that blob changes (new data dropped at the same path) the
 * run trains again, and both bindings promote the model it produced: an added classic endpoint (PATCH of its
 * trained-model resource) and an ARM web service (definition update). All coordinates and secrets come from
 * stack config, which `npm start` fills from the emulator's manifest; a real deployment sets the same keys
 * (see examples/azure for the production wiring).
 */
import * as pulumi from "@pulumi/pulumi";
import { GateArgs, RetrainingRun, ScoringEndpoint, TrainedModelBinding, TrainingService } from "../../provider";

const config = new pulumi.Config();
const storage = {
  storageAccountName: config.require("storageAccountName"),
  storageBlobEndpoint: config.require("storageBlobEndpoint"),
  storageAccountKey: config.requireSecret("storageAccountKey"),
};
// A row from the census schema: each binding scores it after promotion to prove the new model serves traffic.
const sampleRow = {
  age: 45, workclass: "Private", fnlwgt: 160000, education: "Masters", "education-num": 14,
  "marital-status": "Married-civ-spouse", occupation: "Exec-managerial", relationship: "Husband",
  race: "White", sex: "Male", "capital-gain": 0, "capital-loss": 0, "hours-per-week": 50,
  "native-country": "United-States",
};

const training = new TrainingService("census-training", {
  apiLocation: config.require("trainingApiLocation"),
  apiKey: config.requireSecret("trainingApiKey"),
});

const retrain = new RetrainingRun("census-retrain", {
  trainingService: training,
  input: { container: config.get("datasetContainer") ?? "training", path: config.require("datasetPath") },
  outputContainer: config.get("modelContainer") ?? "models",
  outputPrefix: "census/runs",
  pollIntervalSeconds: 1,
  ...storage,
});

// The default endpoint is read-only; retrained models go to an added endpoint (contract §1.1).
const endpoint = new ScoringEndpoint("census-scoring", {
  workspaceId: config.require("workspaceId"),
  webServiceId: config.require("predictiveServiceId"),
  endpointName: config.get("endpointName") ?? "retrain01",
  workspaceToken: config.requireSecret("workspaceToken"),
  region: config.get("region"),
  managementBaseUrl: config.require("managementBaseUrl"),
  description: "Scoring endpoint that receives retrained census models",
  throttleLevel: "High",
  maxConcurrentCalls: 20,
});

// Promotion safety: the model a run trains in an up is held until a preview showed it ("reviewed", the default;
// "gated" promotes at apply), and it must pass the gate against the model bound now.
const promotion = config.get("promotion") as "reviewed" | "gated" | undefined;
const gate = config.getObject<GateArgs>("gate") ?? { minimum: { auc: 0.8 }, maxDrop: { accuracy: 0.05 } };

const classicBinding = new TrainedModelBinding("census-scoring-model", {
  endpoint,
  trainedModelName: config.require("trainedModelName"),
  model: retrain.model,
  verification: { sampleRow, timeoutSeconds: 60, intervalSeconds: 1 },
  promotion,
  gate,
  ...storage,
});

const armBinding = new TrainedModelBinding("census-arm-model", {
  armWebService: {
    subscriptionId: config.require("armSubscriptionId"),
    resourceGroup: config.require("armResourceGroup"),
    webServiceName: config.require("armWebServiceName"),
    armBaseUrl: config.require("armBaseUrl"),
  },
  armToken: config.requireSecret("armToken"),
  trainedModelName: config.require("armTrainedModelName"),
  model: retrain.model,
  verification: { sampleRow, timeoutSeconds: 60, intervalSeconds: 1 },
  promotion,
  gate,
  ...storage,
});

export const trainedModel = retrain.model;
export const metrics = retrain.metrics;
export const scoringApiLocation = endpoint.apiLocation;
export const scoringPatchUrl = endpoint.patchUrl;
export const scoringKey = endpoint.primaryKey;
export const classicBoundModel = classicBinding.boundLocation;
export const armBoundModel = armBinding.boundLocation;
export const classicHeldModel = classicBinding.heldModel;
export const classicHeldReason = classicBinding.heldReason;
export const armHeldModel = armBinding.heldModel;
