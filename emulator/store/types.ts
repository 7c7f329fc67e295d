/** Records the stores keep. Plain JSON values: the file-backed stores persist each one as its JSON. */
import type { BatchStatusCode } from "../wire/batch";
import type { PipelineRunStatus } from "../wire/pipelines";
import type { AsyncOperationStatus, WebServiceResource } from "../wire/arm";

export interface WorkspaceRecord {
  id: string;
  region: string;
  primaryToken: string;
  secondaryToken: string;
  createdAt: string;
}

export type WebServiceKind = "training" | "predictive";

export interface OutputSpec {
  name: string;
  /** `model` and `evaluation` are training outputs; `scored` is a predictive service's scored dataset. */
  kind: "model" | "evaluation" | "scored";
  /** Required extension of an override's RelativeLocation. */
  extension: ".ilearner" | ".csv";
}

export interface WebServiceRecord {
  id: string;
  workspaceId: string;
  name: string;
  description: string;
  createdAt: string;
  kind: WebServiceKind;
  defaultEndpointName: string;
  inputs: string[];
  outputs: OutputSpec[];
  /** Columns of each input row (the dataset schema; training inputs also carry the label). */
  inputColumns: string[];
  experimentRunId: string;
}

/** A model copied into the emulator at bind time (see ModelRepository). */
export interface BoundModel {
  /** SHA-256 of the .ilearner bytes: the key in the model repository. */
  hash: string;
  /** `container/path` of the blob it was read from. */
  location: string;
  /** The blob's ETag when it was read, without quotes. */
  etag: string;
  modelId: string;
  boundAt: string;
}

/**
 * What a trained-model resource serves. A new binding takes over at `activeFromMs` (modelSwapDelayMs after the
 * write); until then `previous` keeps serving.
 */
export interface ModelBinding {
  model: BoundModel;
  previous?: BoundModel;
  activeFromMs?: number;
}

export interface ResourceRecord extends ModelBinding {
  name: string;
  location: { BaseLocation: string; RelativeLocation: string; SasBlobToken: string };
}

export interface EndpointRecord {
  /** The id inside ApiLocation and HelpLocation (`{epId}`), distinct from the name. */
  id: string;
  name: string;
  workspaceId: string;
  webServiceId: string;
  description: string;
  createdAt: string;
  version: string;
  primaryKey: string;
  secondaryKey: string;
  maxConcurrentCalls: number;
  throttleLevel: "Low" | "High";
  diagnosticsTraceLevel: "None" | "Error" | "All";
  preventUpdate: boolean;
  sampleDataEnabled: boolean;
  resources: ResourceRecord[];
}

/** A blob reference as the client gave it (connection-string form or SAS form). */
export interface BlobReference {
  relativeLocation: string;
  connectionString?: string;
  baseLocation?: string;
  sasBlobToken?: string;
}

export interface JobRecord {
  id: string;
  /** Execution target: a classic endpoint id or an ARM web service's service id. */
  targetId: string;
  status: BatchStatusCode;
  createdAt: string;
  startedAt?: string;
  endedAt?: string;
  inputs: Record<string, BlobReference>;
  /** Where each output goes: the client's override or the emulator's own storage. */
  outputs: Record<string, BlobReference>;
  details: string | null;
}

export interface ArmBinding extends ModelBinding {
  assetId: string;
  name: string;
  uri: string;
}

export interface ArmServiceRecord {
  /** `subscription/resourceGroup/name`, lowercase (ARM names are case-insensitive). */
  key: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  /** 32-hex service id inside the execution URL. */
  serviceId: string;
  /** The resource as GET returns it: no keys, storageAccount without key. */
  resource: WebServiceResource;
  keys: { primary: string; secondary: string };
  storageAccountKey?: string;
  bindings: Record<string, ArmBinding>;
}

export interface AsyncOperationRecord extends AsyncOperationStatus {
  resourceKey: string;
  location: string;
  subscriptionId: string;
}

export interface PipelineEndpointRecord {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  workspaceName: string;
  /** version → published pipeline id */
  versions: Record<string, string>;
  defaultVersion: string;
  dataPathParameter: string;
  datasetContainer: string;
  modelsContainer: string;
}

export interface PipelineRunRecord {
  id: string;
  experimentName: string;
  pipelineEndpointId?: string;
  publishedPipelineId: string;
  version?: string;
  status: PipelineRunStatus;
  createdAt: string;
  startTime?: string;
  endTime?: string;
  parameterAssignments: Record<string, string | number>;
  description?: string;
  tags?: Record<string, string>;
  subscriptionId: string;
  resourceGroup: string;
  workspaceName: string;
  /** `container/path` of the dataset read and of the outputs written. */
  datasetLocation: string;
  modelLocation: string;
  evaluationLocation: string;
  error?: string;
}

/** Identity of the seeded objects, so seeding is idempotent across restarts. */
export interface SeedRecord {
  workspaceId: string;
  trainingServiceId: string;
  predictiveServiceId: string;
  armServiceKey: string;
  pipelineEndpointId: string;
}

export interface MetaRecord {
  /** The static bearer token ARM and pipeline calls must carry. */
  armToken: string;
  seed?: SeedRecord;
}

/** Who a bearer token belongs to. */
export type Credential =
  | { kind: "workspace"; workspaceId: string }
  | { kind: "endpoint"; endpointId: string }
  | { kind: "armService"; serviceKey: string }
  | { kind: "arm" };
