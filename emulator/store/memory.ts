/**
 * In-memory stores. Each takes an optional snapshot to start from and a change callback told which record changed,
 * which is how the file-backed stores (store/file.ts) persist one record per write.
 */
import { loadModel, TrainedModel } from "../ml";
import type { ArmStore, ClassicStore, JobStore, MetaStore, ModelRepository, PipelineStore } from "./index";
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

/** The collections records are persisted in; one row per (collection, key). */
export type Collection = "workspace" | "webService" | "endpoint" | "job" | "armService" | "armOperation" | "pipelineEndpoint" | "pipelineRun" | "meta";

/** One record written (`record` set) or deleted (`record` undefined). */
export interface RecordChange {
  collection: Collection;
  key: string;
  record?: unknown;
}

export type OnChange = (change: RecordChange) => void;
const NOOP: OnChange = () => undefined;

export interface ClassicSnapshot {
  workspaces: WorkspaceRecord[];
  webServices: WebServiceRecord[];
  endpoints: EndpointRecord[];
}

const endpointKey = (webServiceId: string, name: string): string => `${webServiceId}/${name}`;

export class MemoryClassicStore implements ClassicStore {
  private readonly workspaces = new Map<string, WorkspaceRecord>();
  private readonly webServices = new Map<string, WebServiceRecord>();
  private readonly endpoints = new Map<string, EndpointRecord>();
  private readonly endpointsById = new Map<string, EndpointRecord>();
  private readonly credentials = new Map<string, Credential>();

  constructor(initial?: ClassicSnapshot, private readonly onChange: OnChange = NOOP) {
    for (const w of initial?.workspaces ?? []) this.indexWorkspace(w);
    for (const s of initial?.webServices ?? []) this.webServices.set(s.id, s);
    for (const e of initial?.endpoints ?? []) this.indexEndpoint(e);
  }

  getWorkspace(id: string): WorkspaceRecord | undefined {
    return this.workspaces.get(id);
  }

  putWorkspace(workspace: WorkspaceRecord): void {
    const old = this.workspaces.get(workspace.id);
    if (old) {
      this.credentials.delete(old.primaryToken);
      this.credentials.delete(old.secondaryToken);
    }
    this.indexWorkspace(workspace);
    this.onChange({ collection: "workspace", key: workspace.id, record: workspace });
  }

  getWebService(id: string): WebServiceRecord | undefined {
    return this.webServices.get(id);
  }

  listWebServices(workspaceId: string): WebServiceRecord[] {
    return [...this.webServices.values()].filter((s) => s.workspaceId === workspaceId);
  }

  putWebService(service: WebServiceRecord): void {
    this.webServices.set(service.id, service);
    this.onChange({ collection: "webService", key: service.id, record: service });
  }

  getEndpoint(webServiceId: string, name: string): EndpointRecord | undefined {
    return this.endpoints.get(endpointKey(webServiceId, name));
  }

  getEndpointById(endpointId: string): EndpointRecord | undefined {
    return this.endpointsById.get(endpointId);
  }

  listEndpoints(webServiceId: string): EndpointRecord[] {
    return [...this.endpoints.values()].filter((e) => e.webServiceId === webServiceId);
  }

  putEndpoint(endpoint: EndpointRecord): void {
    const old = this.endpoints.get(endpointKey(endpoint.webServiceId, endpoint.name));
    // An update keeps the endpoint's place in listings (and after a restart, which loads in creation order).
    if (old) this.forgetEndpointLookups(old);
    this.indexEndpoint(endpoint);
    this.onChange({ collection: "endpoint", key: endpointKey(endpoint.webServiceId, endpoint.name), record: endpoint });
  }

  deleteEndpoint(webServiceId: string, name: string): boolean {
    const old = this.endpoints.get(endpointKey(webServiceId, name));
    if (!old) return false;
    this.unindexEndpoint(old);
    this.onChange({ collection: "endpoint", key: endpointKey(webServiceId, name) });
    return true;
  }

  findCredential(token: string): Credential | undefined {
    return this.credentials.get(token);
  }

  private indexWorkspace(w: WorkspaceRecord): void {
    this.workspaces.set(w.id, w);
    this.credentials.set(w.primaryToken, { kind: "workspace", workspaceId: w.id });
    this.credentials.set(w.secondaryToken, { kind: "workspace", workspaceId: w.id });
  }

  private indexEndpoint(e: EndpointRecord): void {
    this.endpoints.set(endpointKey(e.webServiceId, e.name), e);
    this.endpointsById.set(e.id, e);
    this.credentials.set(e.primaryKey, { kind: "endpoint", endpointId: e.id });
    this.credentials.set(e.secondaryKey, { kind: "endpoint", endpointId: e.id });
  }

  private unindexEndpoint(e: EndpointRecord): void {
    this.endpoints.delete(endpointKey(e.webServiceId, e.name));
    this.forgetEndpointLookups(e);
  }

  private forgetEndpointLookups(e: EndpointRecord): void {
    this.endpointsById.delete(e.id);
    this.credentials.delete(e.primaryKey);
    this.credentials.delete(e.secondaryKey);
  }
}

export class MemoryJobStore implements JobStore {
  private readonly jobs = new Map<string, JobRecord>();

  constructor(initial?: JobRecord[], private readonly onChange: OnChange = NOOP) {
    for (const j of initial ?? []) this.jobs.set(j.id, j);
  }

  get(id: string): JobRecord | undefined {
    return this.jobs.get(id);
  }

  put(job: JobRecord): void {
    this.jobs.set(job.id, job);
    this.onChange({ collection: "job", key: job.id, record: job });
  }

  list(): JobRecord[] {
    return [...this.jobs.values()];
  }
}

export interface ArmSnapshot {
  services: ArmServiceRecord[];
  operations: AsyncOperationRecord[];
}

export class MemoryArmStore implements ArmStore {
  private readonly services = new Map<string, ArmServiceRecord>();
  private readonly byId = new Map<string, ArmServiceRecord>();
  private readonly byKey = new Map<string, ArmServiceRecord>();
  private readonly operations = new Map<string, AsyncOperationRecord>();

  constructor(initial?: ArmSnapshot, private readonly onChange: OnChange = NOOP) {
    for (const s of initial?.services ?? []) this.index(s);
    // Keyed by name, as putOperation keys them and status URLs name them.
    for (const o of initial?.operations ?? []) this.operations.set(o.name, o);
  }

  getService(key: string): ArmServiceRecord | undefined {
    return this.services.get(key);
  }

  getServiceById(serviceId: string): ArmServiceRecord | undefined {
    return this.byId.get(serviceId);
  }

  listServices(subscriptionId: string, resourceGroup?: string): ArmServiceRecord[] {
    return [...this.services.values()].filter(
      (s) => s.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() && (!resourceGroup || s.resourceGroup.toLowerCase() === resourceGroup.toLowerCase()),
    );
  }

  putService(service: ArmServiceRecord): void {
    const old = this.services.get(service.key);
    // An update keeps the service's place in listings, as for endpoints.
    if (old) this.forgetLookups(old);
    this.index(service);
    this.onChange({ collection: "armService", key: service.key, record: service });
  }

  deleteService(key: string): boolean {
    const old = this.services.get(key);
    if (!old) return false;
    this.unindex(old);
    this.onChange({ collection: "armService", key });
    return true;
  }

  findServiceByKey(apiKey: string): ArmServiceRecord | undefined {
    return this.byKey.get(apiKey);
  }

  getOperation(id: string): AsyncOperationRecord | undefined {
    return this.operations.get(id);
  }

  putOperation(operation: AsyncOperationRecord): void {
    this.operations.set(operation.name, operation);
    this.onChange({ collection: "armOperation", key: operation.name, record: operation });
  }

  listOperations(): AsyncOperationRecord[] {
    return [...this.operations.values()];
  }

  private index(s: ArmServiceRecord): void {
    this.services.set(s.key, s);
    this.byId.set(s.serviceId, s);
    this.byKey.set(s.keys.primary, s);
    this.byKey.set(s.keys.secondary, s);
  }

  private unindex(s: ArmServiceRecord): void {
    this.services.delete(s.key);
    this.forgetLookups(s);
  }

  private forgetLookups(s: ArmServiceRecord): void {
    this.byId.delete(s.serviceId);
    this.byKey.delete(s.keys.primary);
    this.byKey.delete(s.keys.secondary);
  }
}

export interface PipelineSnapshot {
  endpoints: PipelineEndpointRecord[];
  runs: PipelineRunRecord[];
}

export class MemoryPipelineStore implements PipelineStore {
  private readonly endpoints = new Map<string, PipelineEndpointRecord>();
  private readonly runs = new Map<string, PipelineRunRecord>();

  constructor(initial?: PipelineSnapshot, private readonly onChange: OnChange = NOOP) {
    for (const e of initial?.endpoints ?? []) this.endpoints.set(e.id, e);
    for (const r of initial?.runs ?? []) this.runs.set(r.id, r);
  }

  getEndpoint(id: string): PipelineEndpointRecord | undefined {
    return this.endpoints.get(id);
  }

  findEndpointByName(subscriptionId: string, resourceGroup: string, workspaceName: string, name: string): PipelineEndpointRecord | undefined {
    const eq = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
    return [...this.endpoints.values()].find(
      (e) => eq(e.subscriptionId, subscriptionId) && eq(e.resourceGroup, resourceGroup) && eq(e.workspaceName, workspaceName) && e.name === name,
    );
  }

  findEndpointByPublishedPipeline(publishedPipelineId: string): PipelineEndpointRecord | undefined {
    return [...this.endpoints.values()].find((e) => Object.values(e.versions).includes(publishedPipelineId));
  }

  putEndpoint(endpoint: PipelineEndpointRecord): void {
    this.endpoints.set(endpoint.id, endpoint);
    this.onChange({ collection: "pipelineEndpoint", key: endpoint.id, record: endpoint });
  }

  getRun(id: string): PipelineRunRecord | undefined {
    return this.runs.get(id);
  }

  putRun(run: PipelineRunRecord): void {
    this.runs.set(run.id, run);
    this.onChange({ collection: "pipelineRun", key: run.id, record: run });
  }

  listRuns(): PipelineRunRecord[] {
    return [...this.runs.values()];
  }
}

export class MemoryMetaStore implements MetaStore {
  constructor(private meta: MetaRecord | undefined, private readonly onChange: OnChange = NOOP) {}


  get(): MetaRecord | undefined {
    return this.meta;
  }

  put(meta: MetaRecord): void {
    this.meta = meta;
    this.onChange({ collection: "meta", key: "meta", record: meta });
  }
}

/** Models held in memory; `readBytes` lets the file-backed repository load bytes kept on disk. */
export class MemoryModelRepository implements ModelRepository {
  private readonly bytes = new Map<string, Buffer>();
  private readonly loaded = new Map<string, TrainedModel>();

  constructor(private readonly readBytes: (hash: string) => Buffer | undefined = () => undefined) {}

  put(hash: string, bytes: Buffer): void {
    this.bytes.set(hash, bytes);
  }

  has(hash: string): boolean {
    return this.bytes.has(hash) || this.readBytes(hash) !== undefined;
  }

  load(hash: string): TrainedModel | undefined {
    let model = this.loaded.get(hash);
    if (model) return model;
    const bytes = this.bytes.get(hash) ?? this.readBytes(hash);
    if (!bytes) return undefined;
    model = loadModel(bytes);
    this.loaded.set(hash, model);
    return model;
  }
}
