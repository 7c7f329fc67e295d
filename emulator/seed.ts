/**
 * The seeded world (docs/interfaces.md, manifest): one workspace with the training web service "Census Model"
 * (BES; input1; output1 = trained model, output2 = evaluation) and the predictive web service
 * "Census Model [Predictive Exp.]" whose default endpoint serves a model trained at first start on generated Adult
 * data; an ARM web service with a trained-model asset; a pipeline endpoint. Idempotent: with a data dir, a restart
 * finds the seed record and only re-uploads seed blobs that storage lost.
 */
import { createHash } from "crypto";
import { BlobServiceClient } from "@azure/storage-blob";
import { generateGuid, generateId, generateKey } from "./auth";
import { isBlobMissing } from "./blobs";
import { CONTAINERS, EmulatorContext } from "./context";
import { generateAdultCsv, trainFromCsv } from "./ml";
import { copyModel } from "./models";
import type { ArmServiceRecord, EndpointRecord, MetaRecord, SeedRecord, WebServiceRecord } from "./store";
import { REGION_LOCATIONS } from "./wire/arm";

export const SEED_NAMES = {
  trainingService: "Census Model",
  predictiveService: "Census Model [Predictive Exp.]",
  defaultEndpoint: "default",
  trainedModelResource: "Census Model [trained model]",
  inputName: "input1",
  modelOutputName: "output1",
  evaluationOutputName: "output2",
  armResourceGroup: "azureml-emulator",
  armWebService: "census-model-arm",
  pipelineWorkspace: "census-ws",
  pipelineEndpoint: "census-retrain-endpoint",
  experimentName: "census-retrain",
  dataPathParameter: "training_data_path",
} as const;

/** Blob names of the seed, relative to the account (`container/path`). */
export const SEED_BLOBS = {
  dataset: `${CONTAINERS.training}/census-seed.csv`,
  model: `${CONTAINERS.models}/seed/model.ilearner`,
  evaluation: `${CONTAINERS.models}/seed/evaluation.csv`,
} as const;

/** Seed of the generated data, so every fresh emulator starts from the same dataset. */
const SEED_DATA_SEED = 1;

function ensureMeta(ctx: EmulatorContext): MetaRecord {
  let meta = ctx.stores.meta.get();
  if (!meta) {
    meta = { armToken: generateKey() };
    ctx.stores.meta.put(meta);
  }
  return meta;
}

/**
 * Uploads dataset, model and evaluation when any is missing; returns whether it uploaded. Exported so that emulators
 * started side by side on one storage account (the test suite's) can find them made once, instead of racing to
 * upload each their own (issue 19).
 */
function seedManifestLocation(): string {
  return `${SEED_BLOBS.model}.manifest.json`;
}

export async function ensureSeedBlobs(connectionString: string, seedRows: number): Promise<boolean> {
  const service = BlobServiceClient.fromConnectionString(connectionString);
  const blob = (location: string) => {
    const [container, ...rest] = location.split("/");
    return service.getContainerClient(container).getBlockBlobClient(rest.join("/"));
  };
  // The manifest counts too: a data dir seeded before manifests existed gets one (the seed's bytes are deterministic).
  const present = await Promise.all(
    [...Object.values(SEED_BLOBS), seedManifestLocation()].map((l) =>
      blob(l)
        .getProperties()
        .then(() => true)
        .catch((err) => {
          if (isBlobMissing(err)) return false;
          throw err;
        }),
    ),
  );
  if (present.every(Boolean)) return false;
  await Promise.all([CONTAINERS.training, CONTAINERS.models, CONTAINERS.experimentOutput].map((c) => service.getContainerClient(c).createIfNotExists()));
  const csv = generateAdultCsv(seedRows, SEED_DATA_SEED);
  const trained = trainFromCsv(csv);
  const upload = (location: string, data: string | Buffer, contentType: string) => {
    const body = typeof data === "string" ? Buffer.from(data) : data;
    return blob(location).upload(body, body.length, { blobHTTPHeaders: { blobContentType: contentType } });
  };
  await upload(SEED_BLOBS.dataset, csv, "text/csv");
  await upload(SEED_BLOBS.model, trained.model, "application/octet-stream");
  await upload(SEED_BLOBS.evaluation, trained.evaluationCsv, "text/csv");
  // The seed model's manifest (issue 16): its bytes' hash and evaluation, as a training run writes them.
  const manifest = { version: 1, sha256: createHash("sha256").update(trained.model).digest("hex"), size: trained.model.length, metrics: trained.evaluation, producedBy: "emulator seed", createdAt: new Date().toISOString() };
  await upload(seedManifestLocation(), JSON.stringify(manifest), "application/json");
  return true;
}

export async function seed(ctx: EmulatorContext): Promise<SeedRecord> {
  const meta = ensureMeta(ctx);
  await ensureSeedBlobs(ctx.storage.connectionString, ctx.options.seedRows);
  if (meta.seed && ctx.stores.classic.getWorkspace(meta.seed.workspaceId)) return meta.seed;

  const { classic, arm, pipelines } = ctx.stores;
  const region = ctx.options.region;
  const now = new Date().toISOString();
  const [modelContainer, ...modelPath] = SEED_BLOBS.model.split("/");
  const modelClient = BlobServiceClient.fromConnectionString(ctx.storage.connectionString).getContainerClient(modelContainer).getBlockBlobClient(modelPath.join("/"));
  const seedModel = await copyModel(modelClient, SEED_BLOBS.model, ctx.stores.models);
  const loaded = ctx.stores.models.load(seedModel.hash)!;

  const workspaceId = generateId();
  classic.putWorkspace({ id: workspaceId, region, primaryToken: generateKey(), secondaryToken: generateKey(), createdAt: now });

  const service = (name: string, kind: WebServiceRecord["kind"], outputs: WebServiceRecord["outputs"], inputColumns: string[]): WebServiceRecord => ({
    id: generateId(),
    workspaceId,
    name,
    description: kind === "training" ? "Trains the census income model (BES)." : "Scores census income with the trained model.",
    createdAt: now,
    kind,
    defaultEndpointName: SEED_NAMES.defaultEndpoint,
    inputs: [SEED_NAMES.inputName],
    outputs,
    inputColumns,
    experimentRunId: generateId(),
  });
  const defaultEndpoint = (svc: WebServiceRecord, resources: EndpointRecord["resources"]): EndpointRecord => ({
    id: generateId(),
    name: SEED_NAMES.defaultEndpoint,
    workspaceId,
    webServiceId: svc.id,
    description: `Default endpoint of ${svc.name}`,
    createdAt: now,
    version: now,
    primaryKey: generateKey(),
    secondaryKey: generateKey(),
    maxConcurrentCalls: 20,
    throttleLevel: "High",
    diagnosticsTraceLevel: "None",
    preventUpdate: false,
    sampleDataEnabled: false,
    resources,
  });

  const training = service(
    SEED_NAMES.trainingService,
    "training",
    [
      { name: SEED_NAMES.modelOutputName, kind: "model", extension: ".ilearner" },
      { name: SEED_NAMES.evaluationOutputName, kind: "evaluation", extension: ".csv" },
    ],
    [...loaded.featureColumns, loaded.labelColumn],
  );
  classic.putWebService(training);
  // A training web service's endpoints have nothing to update (contract §1.7).
  classic.putEndpoint(defaultEndpoint(training, []));

  const predictive = service(SEED_NAMES.predictiveService, "predictive", [{ name: "output1", kind: "scored", extension: ".csv" }], [...loaded.featureColumns]);
  classic.putWebService(predictive);
  classic.putEndpoint(
    defaultEndpoint(predictive, [
      {
        name: SEED_NAMES.trainedModelResource,
        location: { BaseLocation: `${ctx.storage.blobEndpoint}/`, RelativeLocation: SEED_BLOBS.model, SasBlobToken: "" },
        model: seedModel,
      },
    ]),
  );

  const subscriptionId = generateGuid();
  const armService = seedArmService(ctx, subscriptionId, workspaceId, seedModel, loaded.featureColumns);
  arm.putService(armService);

  const pipelineEndpointId = generateGuid();
  pipelines.putEndpoint({
    id: pipelineEndpointId,
    name: SEED_NAMES.pipelineEndpoint,
    subscriptionId,
    resourceGroup: SEED_NAMES.armResourceGroup,
    workspaceName: SEED_NAMES.pipelineWorkspace,
    versions: { "0": generateGuid() },
    defaultVersion: "0",
    dataPathParameter: SEED_NAMES.dataPathParameter,
    datasetContainer: CONTAINERS.training,
    modelsContainer: CONTAINERS.models,
  });

  const record: SeedRecord = {
    workspaceId,
    trainingServiceId: training.id,
    predictiveServiceId: predictive.id,
    armServiceKey: armService.key,
    pipelineEndpointId,
  };
  ctx.stores.meta.put({ ...meta, seed: record });
  return record;
}

function seedArmService(
  ctx: EmulatorContext,
  subscriptionId: string,
  workspaceId: string,
  model: ArmServiceRecord["bindings"][string]["model"],
  featureColumns: string[],
): ArmServiceRecord {
  const name = SEED_NAMES.armWebService;
  const rg = SEED_NAMES.armResourceGroup;
  const now = new Date().toISOString();
  const uri = `${ctx.storage.blobEndpoint}/${SEED_BLOBS.model}`;
  const column = { type: "String" };
  return {
    key: `${subscriptionId}/${rg}/${name}`.toLowerCase(),
    subscriptionId,
    resourceGroup: rg,
    name,
    serviceId: generateId(),
    resource: {
      location: REGION_LOCATIONS[ctx.options.region] ?? ctx.options.region,
      tags: {},
      properties: {
        packageType: "Graph",
        title: "Census Model (ARM)",
        description: "Scores census income with the trained model (new web service).",
        createdOn: now,
        modifiedOn: now,
        provisioningState: "Succeeded",
        readOnly: false,
        exposeSampleData: true,
        realtimeConfiguration: { maxConcurrentCalls: 20 },
        diagnostics: { level: "None", expiry: null },
        storageAccount: { name: ctx.storage.accountName },
        machineLearningWorkspace: { id: workspaceId },
        input: {
          type: "object",
          properties: { input1: { type: "object", title: "input1", properties: Object.fromEntries(featureColumns.map((c) => [c, column])) } },
        },
        output: {
          type: "object",
          properties: {
            output1: { type: "object", title: "output1", properties: { "Scored Labels": column, "Scored Probabilities": { type: "Number", format: "Double" } } },
          },
        },
        assets: {
          asset1: { name: "Score Model", type: "Module", locationInfo: { uri: "aml://module/score-model" } },
          asset2: {
            name: SEED_NAMES.trainedModelResource,
            type: "Resource",
            locationInfo: { uri },
            outputPorts: { "Results dataset": { type: "Dataset" } },
          },
        },
        parameters: {},
        package: {
          nodes: { node1: { assetId: "asset1" }, node2: { assetId: "asset2" }, node3: { inputId: "input1" }, node4: { outputId: "output1" } },
          edges: [
            { sourceNodeId: "node2", sourcePortId: "Results dataset", targetNodeId: "node1", targetPortId: "Trained model" },
            { sourceNodeId: "node3", targetNodeId: "node1", targetPortId: "Dataset" },
            { sourceNodeId: "node1", sourcePortId: "Scored dataset", targetNodeId: "node4" },
          ],
          graphParameters: {},
        },
      },
    },
    keys: { primary: generateKey(), secondary: generateKey() },
    storageAccountKey: ctx.storage.accountKey,
    bindings: { asset2: { assetId: "asset2", name: SEED_NAMES.trainedModelResource, uri, model } },
  };
}
