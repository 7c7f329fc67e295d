/** Helpers for engine tests that promote models on the emulator: model blobs, request counts, probes. */
import axios from "axios";
import { createHash } from "crypto";
import { BlobSASPermissions, BlobServiceClient, StorageSharedKeyCredential, generateBlobSASQueryParameters } from "@azure/storage-blob";
import type { EmulatorManifest } from "../../emulator/manifest";
import { generateAdultCsv, trainFromCsv } from "../../emulator/ml";
import { RunningEmulator, startEmulator } from "../../emulator";
import { StackConfig, configFromManifest } from "../../examples/local/manifestConfig";
import { pollUntil } from "./emulator";
import { testStorageConnectionString, uniqueName } from "./storage";

/** One census row, every feature column, as RRS callers send it (strings). */
export const SAMPLE_ROW: Record<string, string> = {
  age: "45", workclass: "Private", fnlwgt: "160000", education: "Masters", "education-num": "14",
  "marital-status": "Married-civ-spouse", occupation: "Exec-managerial", relationship: "Husband", race: "White",
  sex: "Male", "capital-gain": "0", "capital-loss": "0", "hours-per-week": "50", "native-country": "United-States",
};

export interface UploadedModel { path: string; etag: string; size: number; lastModified: string; auc: number; accuracy: number; sha256: string }

/**
 * How the training labels are altered before a model is trained: `flipped` makes a model that scores every row the
 * wrong way (its own evaluation still looks good, as it is held out from the same flipped data); `noisy` swaps
 * about a third of them, so the model's evaluation is clearly worse.
 */
export type LabelMode = "true" | "flipped" | "noisy";

function alterLabels(csv: string, mode: LabelMode): string {
  if (mode === "true") return csv;
  const swap = (label: string) => (label === ">50K" ? "<=50K" : label === "<=50K" ? ">50K" : label);
  return csv
    .split("\n")
    .map((line, k) => {
      if (k === 0 || line === "" || (mode === "noisy" && k % 3 !== 0)) return line;
      const cut = line.lastIndexOf(",");
      return `${line.slice(0, cut + 1)}${swap(line.slice(cut + 1))}`;
    })
    .join("\n");
}

/**
 * Trains small real models and drops them into the emulator's models container with what a training run writes
 * beside them: evaluation.csv and the manifest naming the model's sha256 and metrics (issue 16).
 */
export class EmulatorModels {
  constructor(private readonly manifest: EmulatorManifest) {}

  private container() {
    return BlobServiceClient.fromConnectionString(this.manifest.storage.connectionString).getContainerClient(this.manifest.containers.models);
  }

  async upload(prefix: string, version: string, seed: number, labels: LabelMode = "true"): Promise<UploadedModel> {
    const trained = trainFromCsv(alterLabels(generateAdultCsv(1500, seed, { drift: seed > 1 ? 0.8 : 0 }), labels), { seed });
    const folder = `${prefix}${version}`;
    await this.container().getBlockBlobClient(`${folder}/evaluation.csv`).upload(trained.evaluationCsv, Buffer.byteLength(trained.evaluationCsv));
    const blob = this.container().getBlockBlobClient(`${folder}/model.ilearner`);
    await blob.upload(trained.model, trained.model.length);
    const sha256 = createHash("sha256").update(trained.model).digest("hex");
    await this.writeManifest(`${folder}/model.ilearner`, { version: 1, sha256, size: trained.model.length, metrics: trained.evaluation, producedBy: "test training" });
    const props = await blob.getProperties();
    return {
      sha256,
      path: `${folder}/model.ilearner`,
      etag: (props.etag ?? "").replace(/"/g, ""),
      size: props.contentLength ?? 0,
      lastModified: (props.lastModified ?? new Date(0)).toISOString(),
      auc: trained.evaluation.auc,
      accuracy: trained.evaluation.accuracy,
    };
  }

  /** Writes `<modelPath>.manifest.json` as given (tests use it to forge one). */
  async writeManifest(modelPath: string, manifest: unknown): Promise<void> {
    const text = JSON.stringify(manifest);
    await this.container().getBlockBlobClient(`${modelPath}.manifest.json`).upload(text, Buffer.byteLength(text));
  }

  /** Overwrites a model blob in place with other bytes (a different trained model): same path, new etag. */
  async overwrite(modelPath: string, seed: number, labels: LabelMode = "true"): Promise<{ etag: string; sha256: string }> {
    const trained = trainFromCsv(alterLabels(generateAdultCsv(1500, seed, { drift: 0.8 }), labels), { seed });
    const res = await this.container().getBlockBlobClient(modelPath).upload(trained.model, trained.model.length);
    return { etag: (res.etag ?? "").replace(/"/g, ""), sha256: createHash("sha256").update(trained.model).digest("hex") };
  }

  /** What an operator does by hand: PATCH the endpoint's trained model with a SAS, outside Pulumi (contract M6). */
  async patchEndpointOutOfBand(endpointName: string, endpointKey: string, modelPath: string): Promise<void> {
    const { classic, storage, containers } = this.manifest;
    const sas = generateBlobSASQueryParameters(
      {
        containerName: containers.models,
        blobName: modelPath,
        permissions: BlobSASPermissions.parse("r"),
        startsOn: new Date(Date.now() - 5 * 60_000),
        expiresOn: new Date(Date.now() + 15 * 60_000),
      },
      new StorageSharedKeyCredential(storage.accountName, storage.accountKey),
    ).toString();
    const url = `${classic.managementBaseUrl}/workspaces/${classic.workspaceId}/webservices/${classic.predictiveService.id}/endpoints/${endpointName}`;
    await axios.patch(
      url,
      {
        Resources: [
          {
            Name: classic.predictiveService.trainedModelResourceName,
            Location: { BaseLocation: storage.blobEndpoint, RelativeLocation: `${containers.models}/${modelPath}`, SasBlobToken: `?${sas}` },
          },
        ],
      },
      { headers: { Authorization: `Bearer ${endpointKey}` } },
    );
  }
}

/**
 * Writes (non-GET requests) the emulator saw since the last reset, e.g. `{ "management PATCH": 1 }`: on the
 * management, ARM and pipeline surfaces, or on `surfaces` (add "bes" to count training-job submissions too).
 * RRS POSTs are scoring, not writes.
 */
export async function emulatorWrites(emulatorUrl: string, surfaces: readonly string[] = ["management", "arm", "pipelines"]): Promise<Record<string, number>> {
  const res = await axios.get(`${emulatorUrl}/_emulator/requests`);
  const counts = res.data as Record<string, Record<string, number>>;
  const writes: Record<string, number> = {};
  for (const surface of surfaces) {
    for (const [method, n] of Object.entries(counts[surface] ?? {})) {
      if (method !== "GET" && method !== "HEAD" && n > 0) writes[`${surface} ${method}`] = n;
    }
  }
  return writes;
}

export async function resetEmulatorRequests(emulatorUrl: string): Promise<void> {
  await axios.delete(`${emulatorUrl}/_emulator/requests`);
}

/** Where a binding binds a model (issue 16): the content-addressed copy of its bytes in the model's container. */
export function boundPath(container: string, sha256: string): string {
  return `${container}/.models/sha256/${sha256}.ilearner`;
}

/** The model (container/path) that served a probe scoring request, from the emulator's model header. */
export async function scoringModel(apiLocation: string, key: string): Promise<string> {
  return (await servedModelVersion(apiLocation, key)).location;
}

/** The model that served a probe scoring request: its container/path and the ETag of the bytes bound. */
export async function servedModelVersion(apiLocation: string, key: string): Promise<{ location: string; etag: string }> {
  const res = await axios.post(
    `${apiLocation}/execute?api-version=2.0&details=true`,
    {
      Inputs: { input1: { ColumnNames: Object.keys(SAMPLE_ROW), Values: [Object.values(SAMPLE_ROW)] } },
      GlobalParameters: {},
    },
    { headers: { Authorization: `Bearer ${key}` }, validateStatus: () => true },
  );
  if (res.status !== 200) throw new Error(`scoring probe answered ${res.status}: ${JSON.stringify(res.data)}`);
  return { location: String(res.headers["x-ms-azureml-model-location"]), etag: String(res.headers["x-ms-azureml-model-etag"]) };
}

const ARM_API = "api-version=2017-01-01";

/**
 * A copy of the emulator's seeded ARM web service under a unique name, for one test: a test that leaves an ownership
 * claim or a binding on its service cannot disturb the next one (issue 19). Returns the manifest's `arm` for it.
 */
async function ownArmService(manifest: EmulatorManifest): Promise<EmulatorManifest["arm"]> {
  const { arm, storage } = manifest;
  const services = `${arm.baseUrl}/subscriptions/${arm.subscriptionId}/resourceGroups/${arm.resourceGroup}/providers/Microsoft.MachineLearning/webServices`;
  const headers = { Authorization: `Bearer ${arm.token}` };
  const seeded = (await axios.get(`${services}/${arm.webServiceName}?${ARM_API}`, { headers })).data;
  const name = uniqueName("arm");
  const properties = { ...seeded.properties, storageAccount: { name: storage.accountName, key: storage.accountKey } };
  await axios.put(`${services}/${name}?${ARM_API}`, { location: seeded.location, properties }, { headers });
  const read = async () => (await axios.get(`${services}/${name}?${ARM_API}`, { headers })).data;
  const service = await pollUntil(read, (s) => s.properties.provisioningState !== "Provisioning");
  if (service.properties.provisioningState !== "Succeeded") throw new Error(`the test's copy of the ARM web service ended ${service.properties.provisioningState}`);
  const keys = (await axios.get(`${services}/${name}/listKeys?${ARM_API}`, { headers })).data;
  return { ...arm, webServiceName: name, apiLocation: String(service.properties.swaggerLocation).replace(/\/swagger\.json$/, ""), primaryKey: keys.primary };
}

/**
 * An emulator on the jest global Azurite for one test file, started before its tests and closed after, with the
 * model uploader for it. Each test gets its own ARM web service (`.emulator.manifest.arm` names it) and starts with
 * no injected faults, so nothing one test leaves behind reaches the next (issue 19). Read `.emulator` and `.models`
 * inside tests.
 */
export function usePromotionEmulator(): { emulator: RunningEmulator; models: EmulatorModels } {
  const holder = {} as { emulator: RunningEmulator; models: EmulatorModels };
  let started: RunningEmulator | undefined;
  beforeAll(async () => {
    started = await startEmulator({ inMemory: true, port: 0, storageConnectionString: testStorageConnectionString(), logLevel: "silent" });
    holder.emulator = started;
    holder.models = new EmulatorModels(started.manifest);
  });
  beforeEach(async () => {
    if (!started) return;
    await axios.put(`${started.url}/_emulator/faults`, {});
    holder.emulator = { ...started, manifest: { ...started.manifest, arm: await ownArmService(started.manifest) } };
  });
  afterAll(async () => started?.close());
  return holder;
}

/**
 * Stack config for test/e2e/fixtures/promotion: the local example's mapping of the manifest, plus the fixture's own
 * endpoint and model prefixes (unique per call). `overrides` replace values and keep their secret marking.
 */
export function promotionStackConfig(manifest: EmulatorManifest, overrides: Record<string, string> = {}): StackConfig {
  const values: StackConfig = {
    ...configFromManifest(manifest, "unused.csv"),
    endpointName: { value: uniqueName("ep") },
    classicPrefix: { value: `${uniqueName("classic")}/` },
    armPrefix: { value: `${uniqueName("arm")}/` },
    withArm: { value: "false" },
  };
  for (const [key, value] of Object.entries(overrides)) values[key] = { value, secret: values[key]?.secret };
  return values;
}
