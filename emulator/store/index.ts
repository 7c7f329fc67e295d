/**
 * The emulator's state, one interface per aggregate. Route handlers see only these interfaces. Records returned are
 * the stored objects; a handler that changes one calls the matching `put` so the change is persisted.
 *
 * Two implementations: in memory (`store/memory.ts`) and file-backed (`store/file.ts`: the in-memory stores, each
 * changed record written to SQLite in the data dir as it changes).
 */
import type {
  ArmServiceRecord,
  AsyncOperationRecord,
  Credential,
  EndpointRecord,
  JobRecord,
  MetaRecord,
  PipelineEndpointRecord,
  PipelineRunRecord,
  WebServiceRecord,
  WorkspaceRecord,
} from "./types";
import type { TrainedModel } from "../ml";

export * from "./types";

/** Workspaces, web services and endpoints of the classic management API (§1). */
export interface ClassicStore {
  getWorkspace(id: string): WorkspaceRecord | undefined;
  putWorkspace(workspace: WorkspaceRecord): void;
  getWebService(id: string): WebServiceRecord | undefined;
  listWebServices(workspaceId: string): WebServiceRecord[];
  putWebService(service: WebServiceRecord): void;
  getEndpoint(webServiceId: string, name: string): EndpointRecord | undefined;
  getEndpointById(endpointId: string): EndpointRecord | undefined;
  listEndpoints(webServiceId: string): EndpointRecord[];
  putEndpoint(endpoint: EndpointRecord): void;
  deleteEndpoint(webServiceId: string, name: string): boolean;
  /** The workspace or endpoint a token or key belongs to. */
  findCredential(token: string): Credential | undefined;
}

/** BES jobs (§2), of classic endpoints and ARM web services alike. */
export interface JobStore {
  get(id: string): JobRecord | undefined;
  put(job: JobRecord): void;
  list(): JobRecord[];
}

/** ARM web services and their async operations (§4). */
export interface ArmStore {
  getService(key: string): ArmServiceRecord | undefined;
  getServiceById(serviceId: string): ArmServiceRecord | undefined;
  listServices(subscriptionId: string, resourceGroup?: string): ArmServiceRecord[];
  putService(service: ArmServiceRecord): void;
  deleteService(key: string): boolean;
  /** The ARM web service whose primary or secondary key this is. */
  findServiceByKey(apiKey: string): ArmServiceRecord | undefined;
  getOperation(id: string): AsyncOperationRecord | undefined;
  putOperation(operation: AsyncOperationRecord): void;
  listOperations(): AsyncOperationRecord[];
}

/** Pipeline endpoints and their runs (§5). */
export interface PipelineStore {
  getEndpoint(id: string): PipelineEndpointRecord | undefined;
  findEndpointByName(subscriptionId: string, resourceGroup: string, workspaceName: string, name: string): PipelineEndpointRecord | undefined;
  findEndpointByPublishedPipeline(publishedPipelineId: string): PipelineEndpointRecord | undefined;
  putEndpoint(endpoint: PipelineEndpointRecord): void;
  getRun(id: string): PipelineRunRecord | undefined;
  putRun(run: PipelineRunRecord): void;
  listRuns(): PipelineRunRecord[];
}

/** Emulator-wide settings that must survive a restart (ARM token, seeded ids). */
export interface MetaStore {
  get(): MetaRecord | undefined;
  put(meta: MetaRecord): void;
}

/**
 * Trained models copied into the emulator when they are bound, keyed by the SHA-256 of their bytes, so scoring never
 * reads storage and a later SAS expiry or blob deletion does not break it.
 */
export interface ModelRepository {
  /** Stores the bytes (idempotent) and returns their hash. */
  put(hash: string, bytes: Buffer): void;
  has(hash: string): boolean;
  /** The loaded model, cached; undefined when the bytes are not held. */
  load(hash: string): TrainedModel | undefined;
}

export interface Stores {
  classic: ClassicStore;
  jobs: JobStore;
  arm: ArmStore;
  pipelines: PipelineStore;
  meta: MetaStore;
  models: ModelRepository;
}
