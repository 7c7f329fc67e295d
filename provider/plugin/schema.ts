/**
 * The Pulumi package schema the `azureml-retrain` provider plugin answers `GetSchema` with (issue 20): the
 * components other languages can declare, and the object types of their inputs and outputs. Pulumi YAML checks a
 * program against it; SDK generators (`pulumi package gen-sdk`) would read it too. Written by hand, because the
 * TypeScript argument types (unions, `pulumi.Input` of resources) have no faithful automatic translation; the
 * component adapters (components.ts) take exactly these property names.
 *
 * Secrets: every credential is `secret: true`, so the engine keeps it encrypted whatever the caller passed.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */

export const PACKAGE_NAME = "azureml-retrain";
const TOKEN = (name: string) => `${PACKAGE_NAME}:index:${name}`;

type Prop = Record<string, any>;
const str = (description: string, extra: Prop = {}): Prop => ({ type: "string", description, ...extra });
const num = (description: string): Prop => ({ type: "number", description });
const int = (description: string): Prop => ({ type: "integer", description });
const bool = (description: string): Prop => ({ type: "boolean", description });
const secret = (description: string): Prop => str(description, { secret: true });
const ref = (name: string, description: string, extra: Prop = {}): Prop => ({ $ref: `#/types/${TOKEN(name)}`, description, ...extra });
const any = (description: string): Prop => ({ $ref: "pulumi.json#/Any", description });
const list = (items: Prop, description: string): Prop => ({ type: "array", items, description });
const map = (additionalProperties: Prop, description: string): Prop => ({ type: "object", additionalProperties, description });
const object = (description: string, properties: Record<string, Prop>, required: string[] = []): Prop => ({ type: "object", description, properties, required });

const METRICS = ["auc", "accuracy", "precision", "recall", "f1"];
const metricProps = (what: string) => Object.fromEntries(METRICS.map((m) => [m, num(`${m} ${what}`)]));

const types: Record<string, Prop> = {
  BlobLocation: object("A blob in the storage account.", { container: str("Container name."), path: str("Blob path inside the container.") }, ["container", "path"]),
  ModelMetrics: object("A model's evaluation.", metricProps("(0–1)")),
  ModelBlobRef: object(
    "A trained model blob and its identity: what a binding or rollout serves.",
    {
      container: str("Container name."),
      path: str("Path inside the container, ending in `.ilearner`."),
      etag: str("ETag without quotes."),
      lastModified: str("ISO 8601."),
      size: num("Bytes."),
      contentMd5: str("Content MD5, base64."),
      sha256: str("Lowercase hex SHA-256 of the blob's bytes: the model's identity. Declared by the program, it is a pin."),
      metrics: ref("ModelMetrics", "Metrics the manifest beside the model vouches for."),
      pinnedFrom: str("The stack config key a pin came from."),
      unverifiedMetrics: ref("ModelMetrics", "Declared metrics no manifest vouches for: shown in the diff, never used by a gate."),
    },
    ["container", "path", "etag", "lastModified", "size"],
  ),
  Training: object(
    "The training (retraining) web service: its BES location and key.",
    {
      apiLocation: str("BES base URL of the training web service's endpoint, without `/jobs`."),
      apiKey: secret("Secret. The endpoint's primary or secondary key."),
      inputName: str("Web Service Input name of the training dataset. Default `input1`."),
      modelOutputName: str("Web Service Output name of the trained model. Default `output1`."),
      evaluationOutputName: str("Web Service Output name of the Evaluate Model result. Default `output2`."),
      credentialConfig: map({ type: "string" }, "Stack config keys holding the credentials, by argument name."),
    },
    ["apiLocation", "apiKey"],
  ),
  ClassicEndpointTarget: object(
    "An added endpoint of a classic predictive web service.",
    {
      workspaceId: str("Classic workspace id (32 hex)."),
      webServiceId: str("Predictive web service id (32 hex)."),
      endpointName: str("Name of an added (non-default) endpoint."),
      region: str("Workspace region. Default ussouthcentral."),
      managementBaseUrl: str("Management base URL; default the region's real host."),
      apiLocation: str("Execution base URL, for the scoring probe. Default: read from the endpoint."),
      defaultEndpointName: str("The web service's default endpoint name, refused as a target. Default `default`."),
    },
    ["workspaceId", "webServiceId", "endpointName"],
  ),
  ArmWebServiceTarget: object(
    "An ARM (`Microsoft.MachineLearning/webServices`) web service.",
    {
      subscriptionId: str("Subscription id."),
      resourceGroup: str("Resource group."),
      webServiceName: str("Name of the web service resource."),
      armBaseUrl: str("ARM base URL; default `https://management.azure.com`."),
      apiLocation: str("Execution base URL for the scoring probe; default from the service's swaggerLocation."),
    },
    ["subscriptionId", "resourceGroup", "webServiceName"],
  ),
  RolloutTarget: object("One target of a rollout: exactly one of classicEndpoint (e.g. a ScoringEndpoint's `target`) or armWebService.", {
    classicEndpoint: ref("ClassicEndpointTarget", "A classic endpoint; a ScoringEndpoint of this stack gives it as its `target` output."),
    armWebService: ref("ArmWebServiceTarget", "An ARM web service."),
    trainedModelName: str("Default: the rollout's trainedModelName (classic) or armTrainedModelName (ARM)."),
    key: str("Name in state and review; default from the coordinates."),
  }),
  GateOverride: object("Promote the model whose bytes hash to sha256 even when a rule fails, for reason.", { sha256: str("SHA-256 of the approved model."), reason: str("Why.") }, ["sha256", "reason"]),
  Gate: object("Metric gate, checked at preview and again before each write.", {
    minimum: ref("ModelMetrics", "Absolute minimums, e.g. `{ auc: 0.85 }`."),
    maxDrop: ref("ModelMetrics", "Largest drops against the model bound now, e.g. `{ accuracy: 0.005 }`."),
    override: ref("GateOverride", "A deliberate override of one model; shows in the preview diff."),
  }),
  HttpSettings: object("Timeouts, retries and per-host concurrency of the provider's calls.", {
    timeoutSeconds: num("Per-attempt timeout in seconds. Default 30."),
    maxRetries: int("Retries after the first attempt. Default 4."),
    maxConcurrencyPerHost: int("Requests in flight per host. Default 8."),
    retryBaseDelayMs: num("First backoff delay in milliseconds. Default 500."),
  }),
  WaveBound: object("A target of a rollout after a wave: previous model, bound model, how it was verified.", {
    key: str("The target's key."),
    previousModel: any("container, path, etag of the model served before."),
    model: any("container, path, etag, sha256 of the model bound."),
    verifiedBy: str("How the write was verified; `held` for a held promotion."),
    boundAt: str("ISO 8601."),
  }, ["key", "model", "verifiedBy"]),
};

/** Inputs a rollout, a RetrainAndPromote and a binding share: credentials, storage, gate, verification. */
const promotionInputs: Record<string, Prop> = {
  workspaceToken: secret("Secret. Management auth for every classic target."),
  armToken: secret("Secret. ARM bearer token for every ARM target."),
  storageAccountName: str("Storage account holding the models."),
  storageBlobEndpoint: str("Blob endpoint; default `https://{account}.blob.core.windows.net/`."),
  storageAccountKey: secret("Secret. Account key, used to mint the short-lived read SAS at apply time."),
  sasLifetimeMinutes: num("Lifetime of the SAS handed to the write, in minutes (1–1440). Default 15."),
  verification: any("Read-back and probe after each write: sampleRow, inputName, timeoutSeconds, intervalSeconds, settleSeconds, samples."),
  gate: ref("Gate", "Metric gate: minimums and largest drops."),
  promotion: str("`reviewed` (default): a model first known at apply is held for the next preview; `gated`; `pinned`."),
  http: ref("HttpSettings", "Timeouts, retries and concurrency."),
  credentialConfig: map({ type: "string" }, "Stack config keys holding the credentials, by argument name."),
  actor: str("Who promotes, recorded in the audit."),
};

const rolloutInputs: Record<string, Prop> = {
  ...promotionInputs,
  targets: list(ref("RolloutTarget", ""), "The targets, in rollout order."),
  canary: int("How many of the first targets form the canary wave. Default 1; 0 for none."),
  waveSize: int("Targets per wave after the canary. Default: all of them in one wave."),
  trainedModelName: str("Trained-model resource Name of classic targets, e.g. `Census Model [trained model]`."),
  armTrainedModelName: str("Trained-model asset name of ARM targets. Default: trainedModelName."),
  concurrency: int("Targets bound at once within a wave. Default 16."),
};

const rolloutOutputs: Record<string, Prop> = {
  bound: list(ref("WaveBound", ""), "Every target's previous model, bound model and verification, wave by wave."),
  held: list(ref("ModelBlobRef", ""), "Per wave, the model held for review (reviewed promotion), if any."),
  waves: list({ type: "string" }, "The waves' resource names, in order."),
};

const components: Record<string, Prop> = {
  RetrainAndPromote: {
    description: "A training service, a retraining run on the dataset blob, and a ModelRollout of the trained model to the targets, gated and verified, in waves.",
    inputProperties: {
      ...rolloutInputs,
      training: ref("Training", "The training web service."),
      dataset: ref("BlobLocation", "The dataset blob; a new version of it trains again."),
      outputContainer: str("Where the run writes the model and its evaluation."),
      outputPrefix: str("Prefix of the run's outputs. Default: the component's name."),
      globalParameters: map(any(""), "BES global parameters of the run."),
      pollIntervalSeconds: num("BES polling interval, seconds."),
      model: ref("ModelBlobRef", "The model to roll out (a pin); default the run's output."),
    },
    requiredInputs: ["training", "dataset", "outputContainer", "targets", "storageAccountName"],
    properties: { ...rolloutOutputs, model: ref("ModelBlobRef", "The model the run trained.") },
    required: ["bound", "held", "waves", "model"],
  },
  ModelRollout: {
    description: "One model to many scoring targets in waves: a canary wave, then batches, each wave verified before the next.",
    inputProperties: { ...rolloutInputs, model: ref("ModelBlobRef", "The model to roll out.") },
    requiredInputs: ["model", "targets", "storageAccountName"],
    properties: rolloutOutputs,
    required: ["bound", "held", "waves"],
  },
  ScoringEndpoint: {
    description: "An added endpoint on a classic predictive web service. Its `target` output is a rollout target.",
    inputProperties: {
      workspaceId: str("Classic workspace id (32 lowercase hex). Replaces on change."),
      webServiceId: str("Id of the predictive web service (32 hex). Replaces on change."),
      endpointName: str("≤ 24 lowercase letters, digits, hyphens; never the default endpoint. Replaces on change."),
      workspaceToken: secret("Secret. Workspace authorization token."),
      region: str("Workspace region. Default ussouthcentral."),
      managementBaseUrl: str("Management base URL; default the region's real host."),
      description: str("Description."),
      throttleLevel: str("`Low` (default) or `High`."),
      maxConcurrentCalls: int("Concurrent RRS calls, 1–200 (≤ 4 under `Low`)."),
      diagnosticsTraceLevel: str("`None` (default), `Error` or `All`."),
      defaultEndpointName: str("Name of the web service's default endpoint. Default `default`."),
      adopt: bool("Take over an existing endpoint instead of creating it."),
      deleteOnDestroy: bool("Whether destroy deletes the endpoint. Default: true when created, false when adopted."),
      http: ref("HttpSettings", "Timeouts, retries and concurrency."),
      credentialConfig: map({ type: "string" }, "Stack config keys holding the credentials, by argument name."),
    },
    requiredInputs: ["workspaceId", "webServiceId", "endpointName", "workspaceToken"],
    properties: {
      target: ref("ClassicEndpointTarget", "This endpoint as a rollout or binding target."),
      endpointName: str("Endpoint name."),
      apiLocation: str("Execution base URL: RRS `{apiLocation}/execute`."),
      primaryKey: secret("Secret. The endpoint's primary key."),
      trainedModelResourceNames: list({ type: "string" }, "Names of the endpoint's trained-model resources."),
    },
    required: ["target", "endpointName", "apiLocation", "primaryKey", "trainedModelResourceNames"],
  },
  TrainedModelBinding: {
    description: "Which trained model one scoring target serves. Preview shows the model old → new; up makes one write and verifies it.",
    inputProperties: {
      ...promotionInputs,
      classicEndpoint: ref("ClassicEndpointTarget", "Classic target. Exactly one of classicEndpoint / armWebService."),
      armWebService: ref("ArmWebServiceTarget", "ARM target."),
      endpointKey: secret("Secret. Classic endpoint key (PATCH and probe auth)."),
      scoringKey: secret("Secret. ARM probe key; default from listKeys."),
      trainedModelName: str("Classic: the endpoint resource's exact Name. ARM: the trained-model asset's name."),
      model: ref("ModelBlobRef", "The model to serve."),
      pin: any("Roll back: `previous` or `{ path, etag }` of an entry of history."),
    },
    requiredInputs: ["trainedModelName", "model", "storageAccountName"],
    properties: {
      model: ref("ModelBlobRef", "The model this binding serves."),
      heldModel: ref("ModelBlobRef", "A reviewed promotion held at apply."),
      heldReason: str("Why it is held."),
      verifiedBy: str("How the last write was verified."),
    },
    required: ["model", "verifiedBy"],
  },
};

const functions: Record<string, Prop> = {
  getLatestModelBlob: {
    description: "The newest `.ilearner` under container/prefix, with its sha256 and the metrics its manifest vouches for: the `model` of a TrainedModelBinding.",
    inputs: {
      properties: {
        storageAccountName: str("Storage account holding the models."),
        storageBlobEndpoint: str("Blob endpoint; default `https://{account}.blob.core.windows.net/`."),
        storageAccountKey: secret("Secret. Account key, used only to mint a short read/list SAS."),
        container: str("Container of the models."),
        prefix: str("Only blobs whose path starts with this. Default: the whole container."),
        includeMetrics: bool("Read the manifest beside the model for its verified metrics. Default true."),
        http: ref("HttpSettings", "Timeouts, retries and concurrency."),
      },
      required: ["storageAccountName", "container"],
    },
    // An object with one property, so YAML's `return: model` gives the named type bindings and rollouts take.
    outputs: { properties: { model: ref("ModelBlobRef", "The newest model.") }, required: ["model"] },
  },
};

export function packageSchema(version: string): Record<string, unknown> {
  return {
    name: PACKAGE_NAME,
    displayName: "Azure ML Studio (classic) retraining",
    version,
    description: "Retrain Azure ML Studio (classic) models and promote them to scoring endpoints: gated, verified, in waves.",
    license: "Apache-2.0",
    resources: Object.fromEntries(Object.entries(components).map(([name, spec]) => [TOKEN(name), { isComponent: true, ...spec }])),
    types: Object.fromEntries(Object.entries(types).map(([name, spec]) => [TOKEN(name), spec])),
    functions: Object.fromEntries(Object.entries(functions).map(([name, spec]) => [TOKEN(name), spec])),
    language: { nodejs: { packageName: "pulumi-azureml-retrain" } },
  };
}

export const COMPONENT_TOKENS = Object.fromEntries(Object.keys(components).map((name) => [name, TOKEN(name)])) as Record<keyof typeof components, string>;
