/**
 * `manifest.json` (docs/interfaces.md): everything a client needs to talk to this emulator — URLs, keys, tokens,
 * the seeded names and blob locations. Written to `{dataDir}/manifest.json` with mode 0600, since it holds secrets.
 */
import * as path from "path";
import { CONTAINERS, EmulatorContext, armApiLocation, classicApiLocation, managementBaseUrl } from "./context";
import { SEED_BLOBS, SEED_NAMES } from "./seed";
import { writeFileAtomic } from "./store/file";
import { regionOfLocation } from "./wire/arm";

/**
 * As docs/interfaces.md lists it. The seeded sections (`classic`, `arm`, `pipelines`, `seed`) are present whenever
 * the emulator seeds (the default); started with `seed: false` on an empty data dir, it writes only the first four.
 */
export interface EmulatorManifest {
  version: 1;
  emulatorUrl: string;
  storage: { connectionString: string; blobEndpoint: string; accountName: string; accountKey: string };
  containers: { training: string; models: string };
  classic: {
    region: string;
    managementBaseUrl: string;
    workspaceId: string;
    workspaceToken: string;
    trainingService: {
      id: string;
      name: string;
      endpointName: string;
      apiLocation: string;
      primaryKey: string;
      inputName: string;
      modelOutputName: string;
      evaluationOutputName: string;
    };
    predictiveService: {
      id: string;
      name: string;
      defaultEndpointName: string;
      apiLocation: string;
      primaryKey: string;
      trainedModelResourceName: string;
    };
  };
  arm: {
    baseUrl: string;
    token: string;
    subscriptionId: string;
    resourceGroup: string;
    webServiceName: string;
    trainedModelAssetName: string;
    apiLocation: string;
    primaryKey: string;
  };
  pipelines: {
    baseUrl: string;
    token: string;
    subscriptionId: string;
    resourceGroup: string;
    workspaceName: string;
    pipelineEndpointId: string;
    experimentName: string;
    dataPathParameter: string;
  };
  seed: { datasetRelativeLocation: string; modelRelativeLocation: string; evaluationRelativeLocation: string };
}

export const MANIFEST_FILE = "manifest.json";

export function buildManifest(ctx: EmulatorContext): EmulatorManifest {
  const manifest = {
    version: 1,
    emulatorUrl: ctx.baseUrl,
    storage: {
      connectionString: ctx.storage.connectionString,
      blobEndpoint: `${ctx.storage.blobEndpoint}/`,
      accountName: ctx.storage.accountName,
      accountKey: ctx.storage.accountKey,
    },
    containers: { training: CONTAINERS.training, models: CONTAINERS.models },
  } as EmulatorManifest;
  const meta = ctx.stores.meta.get();
  const seed = meta?.seed;
  const { classic, arm, pipelines } = ctx.stores;
  const workspace = seed && classic.getWorkspace(seed.workspaceId);
  const training = seed && classic.getWebService(seed.trainingServiceId);
  const predictive = seed && classic.getWebService(seed.predictiveServiceId);
  const trainingEp = training && classic.getEndpoint(training.id, training.defaultEndpointName);
  const predictiveEp = predictive && classic.getEndpoint(predictive.id, predictive.defaultEndpointName);
  if (meta && workspace && training && predictive && trainingEp && predictiveEp) {
    manifest.classic = {
      region: workspace.region,
      managementBaseUrl: managementBaseUrl(ctx, workspace.region),
      workspaceId: workspace.id,
      workspaceToken: workspace.primaryToken,
      trainingService: {
        id: training.id,
        name: training.name,
        endpointName: trainingEp.name,
        apiLocation: classicApiLocation(ctx, workspace.region, workspace.id, trainingEp.id),
        primaryKey: trainingEp.primaryKey,
        inputName: training.inputs[0],
        modelOutputName: training.outputs.find((o) => o.kind === "model")!.name,
        evaluationOutputName: training.outputs.find((o) => o.kind === "evaluation")!.name,
      },
      predictiveService: {
        id: predictive.id,
        name: predictive.name,
        defaultEndpointName: predictiveEp.name,
        apiLocation: classicApiLocation(ctx, workspace.region, workspace.id, predictiveEp.id),
        primaryKey: predictiveEp.primaryKey,
        trainedModelResourceName: predictiveEp.resources[0]?.name ?? SEED_NAMES.trainedModelResource,
      },
    };
    manifest.seed = {
      datasetRelativeLocation: SEED_BLOBS.dataset,
      modelRelativeLocation: SEED_BLOBS.model,
      evaluationRelativeLocation: SEED_BLOBS.evaluation,
    };
  }
  const armService = seed && arm.getService(seed.armServiceKey);
  if (meta && armService) {
    const asset = Object.values(armService.resource.properties.assets ?? {}).find((a) => a.type === "Resource");
    manifest.arm = {
      baseUrl: `${ctx.baseUrl}/arm`,
      token: meta.armToken,
      subscriptionId: armService.subscriptionId,
      resourceGroup: armService.resourceGroup,
      webServiceName: armService.name,
      trainedModelAssetName: asset?.name ?? SEED_NAMES.trainedModelResource,
      apiLocation: armApiLocation(ctx, regionOfLocation(armService.resource.location), armService.subscriptionId, armService.serviceId),
      primaryKey: armService.keys.primary,
    };
  }
  const pipelineEndpoint = seed && pipelines.getEndpoint(seed.pipelineEndpointId);
  if (meta && pipelineEndpoint) {
    manifest.pipelines = {
      baseUrl: `${ctx.baseUrl}/pipelines/${ctx.options.region}`,
      token: meta.armToken,
      subscriptionId: pipelineEndpoint.subscriptionId,
      resourceGroup: pipelineEndpoint.resourceGroup,
      workspaceName: pipelineEndpoint.workspaceName,
      pipelineEndpointId: pipelineEndpoint.id,
      experimentName: SEED_NAMES.experimentName,
      dataPathParameter: pipelineEndpoint.dataPathParameter,
    };
  }
  return manifest;
}

/** Writes the manifest (mode 0600) and returns its path. */
export function writeManifest(dataDir: string, manifest: EmulatorManifest): string {
  const file = path.join(dataDir, MANIFEST_FILE);
  writeFileAtomic(file, `${JSON.stringify(manifest, null, 2)}\n`);
  return file;
}
