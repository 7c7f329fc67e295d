/**
 * TrainedModelBinding — which trained model a scoring target serves.
 *
 * Classic target: one PATCH of the endpoint's trained-model resource (contract §1.5 M6, §8.1).
 * ARM target: GET definition → replace the asset's locationInfo.uri → one PATCH → wait for Succeeded (§4.8, §8.2).
 * Then verify: read back what the service reports as bound, and probe scoring until the new model serves it.
 */
import { CredentialConfig, withCredentials } from "./credentials";
import type * as pulumi from "@pulumi/pulumi";
import {
  BES_API_VERSION,
  DEFAULT_ARM_BASE_URL,
  DEFAULT_CLASSIC_REGION,
  EndpointInfo,
  HttpResponse,
  HttpSettings,
  armWebServiceUrl,
  defaultManagementBaseUrl,
  endpointUrl,
  getEndpoint,
  joinUrl,
  prop,
  send,
  withQuery,
} from "../client";
import {
  BlobIdentity,
  DEFAULT_SAS_LIFETIME_MINUTES,
  StorageAccess,
  UserDelegationKey,
  blobEndpointOf,
  blobUrl,
  getBlobIdentity,
  mintSas,
  splitRelativeLocation,
} from "../blobs";
import { failure, formatFailure, initFailure, isServiceError } from "../errors";
import {
  DEFAULT_ENDPOINT_NAME,
  InputFailure,
  ModelBlobRef,
  changedFields,
  checkEndpointName,
  checkHex32,
  checkHttp,
  checkModelRef,
  checkPositive,
  checkRegion,
  checkRequired,
  checkUrl,
  isKnown,
  isUnknown,
  sameValue,
  stableJson,
  toCheckFailures,
  trimSlash,
} from "../validation";

const TYPE = "TrainedModelBinding";



/** How the binding proves scoring moved to the new model (behaviour 4). */
export interface VerificationArgs {
  /**
   * One input row for a probe scoring request (column → value). Without it only the read-back is verified.
   * With the emulator, the probe's x-ms-azureml-model-* headers must name the new blob; on the real service the
   * probe must succeed.
   */
  sampleRow?: Record<string, string | number | boolean | null>;
  /** RRS input name. Default `input1`. */
  inputName?: string;
  /** How long to wait for read-back and probe to show the new model. Default 120 seconds. */
  timeoutSeconds?: number;
  /** Pause between attempts. Default 2 seconds. */
  intervalSeconds?: number;
  /** Pause after the write before the first check (the real service needs about 30 s, contract §1.5 M6). Default 0. */
  settleSeconds?: number;
}


export type TargetKind = "classic" | "arm";

/** Flat inputs the provider receives (the class unpacks the target). */
export interface TrainedModelBindingInputs {
  /** Credential field → stack config key; read, refresh and delete use the current value (credentials.ts). */
  credentialConfig?: CredentialConfig;
  resourceName?: string;
  /** `ambiguous` / undefined are check failures. */
  targetKind?: TargetKind | "ambiguous";
  managementBaseUrl?: string;
  region?: string;
  workspaceId?: string;
  webServiceId?: string;
  endpointName?: string;
  defaultEndpointName?: string;
  armBaseUrl?: string;
  subscriptionId?: string;
  resourceGroup?: string;
  webServiceName?: string;
  apiLocation?: string;
  endpointKey?: string;
  workspaceToken?: string;
  armToken?: string;
  scoringKey?: string;
  trainedModelName: string;
  model: ModelBlobRef;
  storageAccountName: string;
  storageBlobEndpoint?: string;
  storageAccountKey?: string;
  storageUserDelegationKey?: UserDelegationKey;
  sasLifetimeMinutes?: number;
  verification?: VerificationArgs;
  http?: HttpSettings;
}

export interface TrainedModelBindingState extends TrainedModelBindingInputs {
  /** `container/path` the service reported as bound after the write (or at the last refresh). */
  boundLocation?: string;
  /** ISO time of the last write. */
  boundAt?: string;
  /** `model-headers`, `read-back+probe`, `read-back` or `adopted`. */
  verifiedBy?: string;
}

const CLASSIC_TARGET = ["targetKind", "workspaceId", "webServiceId", "endpointName", "region"] as const;
const ARM_TARGET = ["targetKind", "subscriptionId", "resourceGroup", "webServiceName"] as const;
const SECRET_FIELDS = ["endpointKey", "workspaceToken", "armToken", "scoringKey", "storageAccountKey"] as const;
const STORAGE_ACCOUNT = /^[a-z0-9]{3,24}$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The model identity a binding promotes on: container, path, etag. */
export function modelIdentity(m: Partial<ModelBlobRef> | undefined): string {
  return stableJson({ container: m?.container, path: m?.path, etag: m?.etag });
}

function relativeOf(m: { container: string; path: string }): string {
  return `${m.container}/${m.path.replace(/^\/+/, "")}`;
}

/** Pure, offline checks; every failure at once, and the normalised inputs. */
export function checkTrainedModelBinding(news: Partial<TrainedModelBindingInputs>): { inputs: TrainedModelBindingInputs; failures: InputFailure[] } {
  const out: InputFailure[] = [];
  const i = { ...news } as TrainedModelBindingInputs;
  if (i.targetKind === undefined || i.targetKind === "ambiguous") {
    out.push({
      property: "endpoint",
      reason: i.targetKind === "ambiguous" ? "more than one target given" : "no target given",
      fix: "Give exactly one of endpoint (a ScoringEndpoint), classicEndpoint or armWebService",
    });
  } else if (i.targetKind === "classic") {
    i.region = i.region ?? DEFAULT_CLASSIC_REGION;
    i.defaultEndpointName = i.defaultEndpointName ?? DEFAULT_ENDPOINT_NAME;
    checkHex32(out, "workspaceId", i.workspaceId, "workspace id");
    checkHex32(out, "webServiceId", i.webServiceId, "predictive web service id");
    checkEndpointName(out, "endpointName", i.endpointName, i.defaultEndpointName);
    checkRegion(out, "region", i.region);
    checkUrl(out, "managementBaseUrl", i.managementBaseUrl);
    checkUrl(out, "apiLocation", i.apiLocation);
    if (i.managementBaseUrl === undefined) i.managementBaseUrl = defaultManagementBaseUrl(i.region);
    else if (!isUnknown(i.managementBaseUrl)) i.managementBaseUrl = trimSlash(i.managementBaseUrl);
    if (!isUnknown(i.endpointKey) && !isUnknown(i.workspaceToken) && !i.endpointKey && !i.workspaceToken) {
      out.push({ property: "endpointKey", reason: "no credential for the classic endpoint", fix: "Pass endpointKey (the endpoint's PrimaryKey) or workspaceToken as a secret" });
    }
  } else if (i.targetKind === "arm") {
    i.armBaseUrl = i.armBaseUrl === undefined ? DEFAULT_ARM_BASE_URL : isUnknown(i.armBaseUrl) ? i.armBaseUrl : trimSlash(i.armBaseUrl);
    if (checkRequired(out, "subscriptionId", i.subscriptionId, "Give the Azure subscription id") && !GUID.test(String(i.subscriptionId))) {
      out.push({ property: "subscriptionId", reason: `subscriptionId "${String(i.subscriptionId)}" is not a GUID`, fix: "ARM subscription ids are dashed GUIDs (contract conventions)" });
    }
    checkRequired(out, "resourceGroup", i.resourceGroup, "Give the resource group of the web service");
    checkRequired(out, "webServiceName", i.webServiceName, "Give the name of the Microsoft.MachineLearning/webServices resource");
    checkRequired(out, "armToken", i.armToken, "Pass an Azure AD token for https://management.azure.com/ as a secret");
    checkUrl(out, "armBaseUrl", i.armBaseUrl);
    checkUrl(out, "apiLocation", i.apiLocation);
  }
  checkRequired(out, "trainedModelName", i.trainedModelName, "Give the trained model's resource Name (classic) or asset name (ARM), e.g. \"Census Model [trained model]\"");
  checkModelRef(out, "model", i.model);
  if (checkRequired(out, "storageAccountName", i.storageAccountName, "Give the storage account that holds the model") && !STORAGE_ACCOUNT.test(String(i.storageAccountName))) {
    out.push({ property: "storageAccountName", reason: `storage account "${String(i.storageAccountName)}" is not a valid account name`, fix: "Use 3–24 lowercase letters and digits" });
  }
  checkUrl(out, "storageBlobEndpoint", i.storageBlobEndpoint);
  if (i.targetKind === "classic" && !isUnknown(i.storageAccountKey) && !isUnknown(i.storageUserDelegationKey) && !i.storageAccountKey && !i.storageUserDelegationKey) {
    out.push({ property: "storageAccountKey", reason: "no storage credential to mint the read SAS", fix: "Pass storageAccountKey or storageUserDelegationKey as a secret" });
  }
  if (i.sasLifetimeMinutes !== undefined && !isUnknown(i.sasLifetimeMinutes)) {
    if (typeof i.sasLifetimeMinutes !== "number" || i.sasLifetimeMinutes < 1 || i.sasLifetimeMinutes > 1440) {
      out.push({ property: "sasLifetimeMinutes", reason: `sasLifetimeMinutes ${String(i.sasLifetimeMinutes)} is out of range`, fix: "Give 1 to 1440 minutes; the SAS is minted at apply time, so minutes are enough" });
    }
  }
  const v = i.verification;
  if (v && !isUnknown(v)) {
    checkPositive(out, "verification.timeoutSeconds", v.timeoutSeconds, 3600);
    checkPositive(out, "verification.intervalSeconds", v.intervalSeconds, 600);
    if (v.settleSeconds !== undefined && !isUnknown(v.settleSeconds) && (typeof v.settleSeconds !== "number" || v.settleSeconds < 0 || v.settleSeconds > 600)) {
      out.push({ property: "verification.settleSeconds", reason: `verification.settleSeconds ${String(v.settleSeconds)} is out of range`, fix: "Give 0 to 600 seconds" });
    }
    if (v.sampleRow !== undefined && !isUnknown(v.sampleRow) && (typeof v.sampleRow !== "object" || v.sampleRow === null || Array.isArray(v.sampleRow) || Object.keys(v.sampleRow).length === 0)) {
      out.push({ property: "verification.sampleRow", reason: "verification.sampleRow is not a row", fix: "Give one input row as { column: value, ... }" });
    }
  }
  checkHttp(out, i.http);
  return { inputs: i, failures: out };
}

function targetFields(i: Partial<TrainedModelBindingInputs>): readonly string[] {
  return i.targetKind === "arm" ? ARM_TARGET : CLASSIC_TARGET;
}

/**
 * Pure diff. Promotes (update) when the model identity (container/path/etag) or trainedModelName changes;
 * replaces only when the target changes; connection/credential changes are updates without a write.
 * Ignores `__provider`, metrics and last-modified alone.
 */
export function diffTrainedModelBinding(olds: Partial<TrainedModelBindingState>, news: TrainedModelBindingInputs): pulumi.dynamic.DiffResult & { modelChanged: boolean } {
  const replaces = changedFields(olds, news, targetFields(news) as ReadonlyArray<keyof TrainedModelBindingInputs>);
  const modelChanged = !isKnown(news.model) || modelIdentity(olds.model) !== modelIdentity(news.model);
  const other = changedFields(olds, news, [
    "trainedModelName",
    "managementBaseUrl",
    "armBaseUrl",
    "apiLocation",
    "storageAccountName",
    "storageBlobEndpoint",
    "sasLifetimeMinutes",
    "verification",
    "http",
  ]);
  // A create whose verification failed is recorded with verifiedBy "failed": the next up binds again.
  const unverified = olds.verifiedBy === "failed";
  return { changes: replaces.length > 0 || modelChanged || unverified || other.length > 0, replaces, deleteBeforeReplace: false, modelChanged: modelChanged || unverified };
}

function storageOf(i: TrainedModelBindingInputs): StorageAccess {
  return {
    accountName: i.storageAccountName,
    blobEndpoint: i.storageBlobEndpoint,
    accountKey: i.storageAccountKey,
    userDelegationKey: i.storageUserDelegationKey,
    http: i.http,
  };
}

function secretsOf(i: Partial<TrainedModelBindingInputs>): string[] {
  const out = SECRET_FIELDS.map((f) => i[f]).filter((x): x is string => typeof x === "string");
  if (i.storageUserDelegationKey?.value) out.push(i.storageUserDelegationKey.value);
  return out;
}

function nameOf(i: Partial<TrainedModelBindingInputs>): string {
  return i.resourceName ?? i.endpointName ?? i.webServiceName ?? "binding";
}

function classicCoords(i: TrainedModelBindingInputs) {
  return {
    managementBaseUrl: i.managementBaseUrl as string,
    workspaceId: i.workspaceId as string,
    webServiceId: i.webServiceId as string,
    token: (i.endpointKey || i.workspaceToken) as string,
    http: i.http,
  };
}

function armUrl(i: TrainedModelBindingInputs, suffix = ""): string {
  return armWebServiceUrl(i.armBaseUrl ?? DEFAULT_ARM_BASE_URL, i.subscriptionId as string, i.resourceGroup as string, i.webServiceName as string, suffix);
}

interface ArmAsset {
  id: string;
  name: string;
  type: string;
  uri: string;
}

function armAssets(def: unknown): ArmAsset[] {
  const assets = prop<Record<string, unknown>>(prop(def, "properties"), "assets") ?? {};
  return Object.entries(assets).map(([id, a]) => ({
    id,
    name: String(prop(a, "name") ?? ""),
    type: String(prop(a, "type") ?? ""),
    uri: String(prop(prop(a, "locationInfo"), "uri") ?? ""),
  }));
}

function findTrainedModelAsset(def: unknown, name: string): ArmAsset | undefined {
  return armAssets(def).find((a) => a.name === name && a.type.toLowerCase() === "resource");
}

/** Read-only target checks (zero writes): target exists, is updatable, and has the named trained model. */
export async function preflightTarget(i: TrainedModelBindingInputs): Promise<InputFailure[]> {
  const secrets = secretsOf(i);
  try {
    if (i.targetKind === "classic") {
      const ep = await getEndpoint(classicCoords(i), i.endpointName as string);
      if (!ep) {
        return [{ property: "endpointName", reason: `endpoint "${i.endpointName}" does not exist on web service ${i.webServiceId}`, fix: "Create it with a ScoringEndpoint, or fix endpointName" }];
      }
      return checkResourceName(ep, i.trainedModelName);
    }
    const res = await send({ surface: "arm", method: "GET", url: armUrl(i), bearer: i.armToken, acceptStatus: [404], settings: i.http });
    if (res.status === 404) {
      return [{ property: "webServiceName", reason: `ARM web service "${i.webServiceName}" does not exist in resource group ${i.resourceGroup}`, fix: "Check subscriptionId, resourceGroup and webServiceName" }];
    }
    const out: InputFailure[] = [];
    if (prop(prop(res.data, "properties"), "readOnly") === true) {
      out.push({ property: "webServiceName", reason: `ARM web service "${i.webServiceName}" is readOnly`, fix: "A readOnly web service can only be deleted, never patched: bind a writable one (contract §4.2, E23)" });
    }
    if (!findTrainedModelAsset(res.data, i.trainedModelName)) {
      const valid = armAssets(res.data).filter((a) => a.type.toLowerCase() === "resource").map((a) => `"${a.name}"`);
      out.push({
        property: "trainedModelName",
        reason: `"${i.trainedModelName}" is not a trained-model asset of web service "${i.webServiceName}"`,
        fix: valid.length > 0 ? `Use one of ${valid.join(", ")}` : "The web service has no Resource assets to update",
      });
    }
    return out;
  } catch (err) {
    return [{ property: targetProperty(i, err), reason: formatFailure(TYPE, nameOf(i), "preview read of the target", err, undefined, secrets), fix: "Nothing was written" }];
  }
}

/** The input a failed target read points at: the credential on 401/403, the base URL when unreachable. */
export function targetProperty(i: Partial<TrainedModelBindingInputs>, err: unknown): string {
  const arm = i.targetKind === "arm";
  if (!isServiceError(err)) return arm ? "webServiceName" : "endpointName";
  if (err.status === undefined) return arm ? "armBaseUrl" : "managementBaseUrl";
  if (err.status === 401 || err.status === 403) return arm ? "armToken" : i.endpointKey ? "endpointKey" : "workspaceToken";
  if (err.code === "WorkspaceNotFound") return "region";
  return arm ? "webServiceName" : "endpointName";
}

/** The input a failed storage read points at. */
export function storageProperty(i: Partial<TrainedModelBindingInputs>, err: unknown): string {
  if (!isServiceError(err) || err.status === undefined) return "storageBlobEndpoint";
  if (err.status === 401 || err.status === 403) return i.storageAccountKey ? "storageAccountKey" : "storageUserDelegationKey";
  return "model.path";
}

/** Classic: the endpoint must have updatable resources (not a training service) and one with exactly this Name. */
export function checkResourceName(ep: EndpointInfo, trainedModelName: string): InputFailure[] {
  if (ep.resources.length === 0) {
    return [
      {
        property: "endpointName",
        reason: `endpoint "${ep.name}" has no updatable resources: it belongs to a training web service`,
        fix: "This Web Service has no updatable resources: bind an added endpoint of the predictive web service (contract §1.6, E6)",
      },
    ];
  }
  if (!ep.resources.some((r) => r.name === trainedModelName)) {
    return [
      {
        property: "trainedModelName",
        reason: `"${trainedModelName}" is not an updatable resource of endpoint "${ep.name}"`,
        fix: `Use the exact Name, one of ${ep.resources.map((r) => `"${r.name}"`).join(", ")} (contract §1.5 M6, E10)`,
      },
    ];
  }
  return [];
}

/** Read-only blob check (one storage read): exists, and is the version the program resolved. */
export async function preflightModelBlob(i: TrainedModelBindingInputs): Promise<{ failures: InputFailure[]; identity?: BlobIdentity }> {
  let id: BlobIdentity | undefined;
  try {
    id = await getBlobIdentity(storageOf(i), i.model.container, i.model.path);
  } catch (err) {
    return {
      failures: [{ property: storageProperty(i, err), reason: formatFailure(TYPE, nameOf(i), "preview read of the model blob", err, undefined, secretsOf(i)), fix: "Nothing was written" }],
    };
  }
  if (!id) {
    return {
      failures: [
        {
          property: "model.path",
          reason: `model blob ${relativeOf(i.model)} does not exist in storage account ${i.storageAccountName}`,
          fix: "Check model.container and model.path, or resolve the model again with getLatestModelBlob",
        },
      ],
    };
  }
  if (i.model.etag && id.etag !== i.model.etag) {
    return {
      failures: [
        {
          property: "model.etag",
          reason: `model blob ${relativeOf(i.model)} changed since it was resolved (etag ${i.model.etag}, now ${id.etag})`,
          fix: "Run preview again so the binding shows and binds the current version",
        },
      ],
      identity: id,
    };
  }
  return { failures: [], identity: id };
}

function failuresToError(i: Partial<TrainedModelBindingInputs>, failures: InputFailure[]): Error {
  return new Error(toCheckFailures(failures).map((f) => `${TYPE} "${nameOf(i)}": ${f.property}: ${f.reason}`).join("\n"));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

interface ProbeResult {
  ok: boolean;
  location?: string;
  etag?: string;
}

async function probeScoring(apiLocation: string, key: string, v: VerificationArgs, http?: HttpSettings): Promise<ProbeResult> {
  const row = v.sampleRow ?? {};
  const url = withQuery(joinUrl(apiLocation, "execute"), { "api-version": BES_API_VERSION, details: "true" });
  const res: HttpResponse = await send({
    surface: "rrs",
    method: "POST",
    url,
    bearer: key,
    retry: "idempotent", // scoring has no side effects
    body: {
      Inputs: { [v.inputName ?? "input1"]: { ColumnNames: Object.keys(row), Values: [Object.values(row).map((x) => (x === null ? null : String(x)))] } },
      GlobalParameters: {},
    },
    settings: http,
  });
  return { ok: true, location: res.headers["x-ms-azureml-model-location"], etag: res.headers["x-ms-azureml-model-etag"]?.replace(/^"|"$/g, "") };
}

/** What the target reports as bound: `container/path`, or undefined when the target is gone. */
async function readBound(i: TrainedModelBindingInputs): Promise<{ gone: boolean; relative?: string; provisioningState?: string; def?: unknown; ep?: EndpointInfo }> {
  if (i.targetKind === "classic") {
    const ep = await getEndpoint(classicCoords(i), i.endpointName as string);
    if (!ep) return { gone: true };
    const r = ep.resources.find((x) => x.name === i.trainedModelName);
    return { gone: false, relative: r?.relativeLocation?.replace(/^\/+/, ""), ep };
  }
  const res = await send({ surface: "arm", method: "GET", url: armUrl(i), bearer: i.armToken, acceptStatus: [404], settings: i.http });
  if (res.status === 404) return { gone: true };
  const asset = findTrainedModelAsset(res.data, i.trainedModelName);
  return {
    gone: false,
    relative: asset ? relativeFromUri(asset.uri, i) : undefined,
    provisioningState: String(prop(prop(res.data, "properties"), "provisioningState") ?? ""),
    def: res.data,
  };
}

/** `container/path` of a blob URI, relative to the account's blob endpoint when it is on it. */
export function relativeFromUri(uri: string, access: { storageAccountName: string; storageBlobEndpoint?: string }): string {
  const clean = uri.split("?")[0];
  const base = blobEndpointOf({ accountName: access.storageAccountName, blobEndpoint: access.storageBlobEndpoint });
  const rest = clean.toLowerCase().startsWith(base.toLowerCase()) ? clean.slice(base.length) : (() => {
    try {
      return new URL(clean).pathname.replace(/^\/+/, "");
    } catch {
      return clean;
    }
  })();
  return rest
    .split("/")
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    })
    .join("/");
}

/** ARM: wait for the async operation (A10) or provisioningState to reach a terminal state. */
async function waitForArm(i: TrainedModelBindingInputs, asyncUrl: string | undefined, deadline: number): Promise<void> {
  for (;;) {
    let state: string;
    let retryAfter: string | undefined;
    let errorInfo: unknown;
    if (asyncUrl) {
      const res = await send({ surface: "arm", method: "GET", url: asyncUrl, bearer: i.armToken, settings: i.http });
      state = String(prop(res.data, "status") ?? prop(res.data, "provisioningState") ?? "");
      errorInfo = prop(res.data, "errorInfo") ?? prop(res.data, "error");
      retryAfter = res.headers["retry-after"];
    } else {
      const res = await send({ surface: "arm", method: "GET", url: armUrl(i), bearer: i.armToken, settings: i.http });
      state = String(prop(prop(res.data, "properties"), "provisioningState") ?? "");
      retryAfter = res.headers["retry-after"];
    }
    const s = state.toLowerCase();
    if (s === "succeeded") return;
    if (s === "failed" || s === "canceled" || s === "cancelled") {
      const code = String(prop(errorInfo, "code") ?? "ProvisioningFailed");
      const message = String(prop(errorInfo, "message") ?? `provisioning ended in ${state}`);
      throw new Error(`${TYPE} "${nameOf(i)}": ARM update of web service "${i.webServiceName}" failed: ${state} ${code}: ${message}. The web service keeps its previous model; fix the cause and run up again.`);
    }
    if (Date.now() > deadline) {
      throw new Error(`${TYPE} "${nameOf(i)}": ARM update of web service "${i.webServiceName}" did not finish within the verification timeout (last state "${state}"). Raise verification.timeoutSeconds or check the service.`);
    }
    const wait = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : (i.verification?.intervalSeconds ?? 2) * 1000;
    await sleep(Math.min(wait, 30_000));
  }
}

/**
 * Writes the binding (exactly one PATCH / one ARM PATCH) and verifies it. Returns how it was verified.
 * `written` is set as soon as the write was accepted, so callers can tell a partial failure.
 */
async function bindAndVerify(i: TrainedModelBindingInputs, progress: { written: boolean }): Promise<{ verifiedBy: string; boundLocation: string }> {
  const name = nameOf(i);
  const secrets = secretsOf(i);
  const target = relativeOf(i.model);
  const v = i.verification ?? {};
  const timeoutMs = (v.timeoutSeconds ?? 120) * 1000;
  const intervalMs = (v.intervalSeconds ?? 2) * 1000;

  // The declared blob must still be the one the preview showed.
  const pre = await preflightModelBlob(i);
  if (pre.failures.length > 0) throw failuresToError(i, pre.failures);

  let apiLocation = i.apiLocation;
  let probeKey = i.targetKind === "classic" ? i.endpointKey : i.scoringKey;
  if (i.targetKind === "classic") {
    // Minted now, valid for minutes, never stored: a PATCH can no longer carry an expired SAS.
    const sas = mintSas({ access: storageOf(i), container: i.model.container, path: i.model.path, permissions: "r", lifetimeMinutes: i.sasLifetimeMinutes ?? DEFAULT_SAS_LIFETIME_MINUTES });
    const body = {
      Resources: [
        {
          Name: i.trainedModelName,
          Location: { BaseLocation: blobEndpointOf(storageOf(i)), RelativeLocation: target, SasBlobToken: sas },
        },
      ],
    };
    try {
      await send({ surface: "management", method: "PATCH", url: endpointUrl(i.managementBaseUrl as string, i.workspaceId as string, i.webServiceId as string, i.endpointName as string), bearer: classicCoords(i).token, body, settings: i.http });
    } catch (err) {
      throw failure(TYPE, name, `bind model ${target} (PATCH endpoint "${i.endpointName}")`, err, bindHint(err), [...secrets, sas]);
    }
    progress.written = true;
  } else {
    const deadline = Date.now() + timeoutMs;
    let def: unknown;
    try {
      const res = await send({ surface: "arm", method: "GET", url: armUrl(i), bearer: i.armToken, settings: i.http });
      def = res.data;
    } catch (err) {
      throw failure(TYPE, name, `get web service definition "${i.webServiceName}"`, err, undefined, secrets);
    }
    const asset = findTrainedModelAsset(def, i.trainedModelName);
    if (!asset) throw failuresToError(i, [{ property: "trainedModelName", reason: `"${i.trainedModelName}" is not a trained-model asset of "${i.webServiceName}"`, fix: "Use the asset's exact name" }]);
    const uri = blobUrl(storageOf(i), i.model.container, i.model.path);
    const props = prop<Record<string, unknown>>(def, "properties") ?? {};
    const assets = { ...(prop<Record<string, unknown>>(props, "assets") ?? {}) };
    const old = assets[asset.id] as Record<string, unknown>;
    assets[asset.id] = { ...old, locationInfo: { ...(prop<Record<string, unknown>>(old, "locationInfo") ?? {}), uri } };
    let asyncUrl: string | undefined;
    try {
      // PATCH with the complete assets map: safe whether the service merges or replaces it (contract §4.8).
      const res = await send({
        surface: "arm",
        method: "PATCH",
        url: armUrl(i),
        bearer: i.armToken,
        body: { location: prop(def, "location"), properties: { packageType: prop(props, "packageType") ?? "Graph", assets } },
        settings: i.http,
      });
      asyncUrl = res.headers["azure-asyncoperation"] ?? res.headers["location"];
    } catch (err) {
      throw failure(TYPE, name, `update web service definition "${i.webServiceName}" (ARM PATCH)`, err, undefined, secrets);
    }
    progress.written = true;
    try {
      await waitForArm(i, asyncUrl, deadline);
    } catch (err) {
      throw isServiceError(err) ? failure(TYPE, name, "wait for ARM provisioning", err, undefined, secrets) : err;
    }
    if (!apiLocation) {
      const swagger = String(prop(props, "swaggerLocation") ?? "");
      if (swagger) apiLocation = swagger.split("?")[0].replace(/\/swagger\.json$/i, "");
    }
    if (v.sampleRow && !probeKey) {
      try {
        const keys = await send({ surface: "arm", method: "GET", url: armUrl(i, "/listKeys"), bearer: i.armToken, settings: i.http });
        probeKey = String(prop(keys.data, "primary") ?? "");
      } catch (err) {
        throw failure(TYPE, name, "list keys for the scoring probe (A5)", err, undefined, secrets);
      }
    }
  }

  if (v.settleSeconds) await sleep(v.settleSeconds * 1000);
  const deadline = Date.now() + timeoutMs;
  let lastSeen = "";
  for (;;) {
    let readBackOk = false;
    try {
      const bound = await readBound(i);
      lastSeen = bound.relative ?? "(nothing)";
      readBackOk = !bound.gone && bound.relative === target && (i.targetKind === "classic" || (bound.provisioningState ?? "").toLowerCase() === "succeeded");
      if (i.targetKind === "classic" && !apiLocation) apiLocation = bound.ep?.apiLocation;
      if (i.targetKind === "classic" && !probeKey) probeKey = bound.ep?.primaryKey;
    } catch (err) {
      throw failure(TYPE, name, "verify binding (read back)", err, undefined, secrets);
    }
    if (readBackOk) {
      if (!v.sampleRow) return { verifiedBy: "read-back", boundLocation: target };
      if (!apiLocation || !probeKey) {
        throw new Error(`${TYPE} "${name}": verify binding failed: no apiLocation or key for the scoring probe. Set apiLocation (and scoringKey for ARM), or remove verification.sampleRow.`);
      }
      let probe: ProbeResult;
      try {
        probe = await probeScoring(apiLocation, probeKey, v, i.http);
      } catch (err) {
        throw failure(TYPE, name, "verify binding (probe scoring request)", err, "The model is bound but scoring fails: check the model and verification.sampleRow", [...secrets, probeKey]);
      }
      if (probe.location === undefined) return { verifiedBy: "read-back+probe", boundLocation: target };
      if (probe.location.replace(/^\/+/, "") === target && (!probe.etag || probe.etag === i.model.etag)) return { verifiedBy: "model-headers", boundLocation: target };
      lastSeen = `scoring served by ${probe.location}${probe.etag ? ` (etag ${probe.etag})` : ""}`;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${TYPE} "${name}": verify binding failed: after ${Math.round(timeoutMs / 1000)} s the target still reports ${lastSeen}, not ${target} (etag ${i.model.etag}). ` +
          `The write was accepted ("200 but still the old model"); raise verification.timeoutSeconds or check the service, then run up again.`,
      );
    }
    await sleep(intervalMs);
  }
}

function bindHint(err: unknown): string | undefined {
  if (!isServiceError(err)) return undefined;
  if (err.status === 400 || err.status === 404) {
    return "Check trainedModelName against the endpoint's updatable resources (ScoringEndpoint.trainedModelResourceNames), that the endpoint is an added endpoint of the predictive web service, and that the model blob is readable";
  }
  return undefined;
}

function toState(i: TrainedModelBindingInputs, extra: Partial<TrainedModelBindingState>): TrainedModelBindingState {
  return Object.fromEntries(Object.entries({ ...i, ...extra }).filter(([, v]) => v !== undefined)) as unknown as TrainedModelBindingState;
}

/** Checked by the stub in resources/: raised when the calls it forwards change shape. */
export const API_VERSION = 1;

const lifecycle: pulumi.dynamic.ResourceProvider<TrainedModelBindingInputs, TrainedModelBindingState> = {
  async check(olds, news) {
    const { inputs, failures } = checkTrainedModelBinding(news);
    // No diff runs for a new resource, so its preview-time reads (zero writes) happen here.
    const isNew = !olds || Object.keys(olds).filter((k) => k !== "__provider").length === 0;
    if (failures.length === 0 && isNew) {
      if (isKnown(targetOnly(inputs))) failures.push(...(await preflightTarget(inputs)));
      if (failures.length === 0 && isKnown(storageOnly(inputs))) failures.push(...(await preflightModelBlob(inputs)).failures);
    }
    return { inputs, failures: toCheckFailures(failures) };
  },

  async diff(_id, olds, news) {
    const { modelChanged, ...result } = diffTrainedModelBinding(olds, news);
    // At most one read per concern, none on a no-op: the target when it or the model name changed, the blob
    // (one storage read) when the model identity changed.
    const failures: InputFailure[] = [];
    const targetChanged = (result.replaces?.length ?? 0) > 0 || !sameValue(olds.trainedModelName, news.trainedModelName);
    if (targetChanged && isKnown(targetOnly(news))) failures.push(...(await preflightTarget(news)));
    if (failures.length === 0 && modelChanged && isKnown(storageOnly(news))) failures.push(...(await preflightModelBlob(news)).failures);
    if (failures.length > 0) throw failuresToError(news, failures);
    return result;
  },

  async create(inputs) {
    const id = inputs.targetKind === "arm" ? `arm/${inputs.subscriptionId}/${inputs.resourceGroup}/${inputs.webServiceName}/${inputs.trainedModelName}` : `${inputs.workspaceId}/${inputs.webServiceId}/${inputs.endpointName}/${inputs.trainedModelName}`;
    const progress = { written: false };
    try {
      const r = await bindAndVerify(inputs, progress);
      return { id, outs: toState(inputs, { ...r, boundAt: new Date().toISOString() }) };
    } catch (err) {
      if (!progress.written) throw err;
      // The service accepted the write: record the resource so the engine neither leaks nor forgets it.
      const e = err as Error;
      throw initFailure(new Error(e.message), id, toState(inputs, { boundLocation: relativeOf(inputs.model), boundAt: new Date().toISOString(), verifiedBy: "failed" }));
    }
  },

  async read(id, props) {
    const state = props as TrainedModelBindingState;
    let bound: Awaited<ReturnType<typeof readBound>>;
    try {
      bound = await readBound(state);
    } catch (err) {
      throw failure(TYPE, nameOf(state), "refresh (read bound model)", err, undefined, secretsOf(state));
    }
    if (bound.gone) return {};
    if (!bound.relative || bound.relative === relativeOf(state.model)) {
      const next = toState(state, { boundLocation: bound.relative ?? state.boundLocation });
      return { id, props: next, inputs: inputsOf(next) as TrainedModelBindingState };
    }
    // Drift: something else is bound. Describe it as a model reference so the next up shows old → new and restores.
    const loc = splitRelativeLocation(bound.relative);
    let identity: BlobIdentity | undefined;
    try {
      identity = await getBlobIdentity(storageOf(state), loc.container, loc.path);
    } catch {
      identity = undefined;
    }
    const model: ModelBlobRef = identity
      ? { container: identity.container, path: identity.path, etag: identity.etag, lastModified: identity.lastModified, size: identity.size, ...(identity.contentMd5 ? { contentMd5: identity.contentMd5 } : {}) }
      : { container: loc.container, path: loc.path, etag: "", lastModified: "", size: 0 };
    const next = toState(state, { model, boundLocation: bound.relative, verifiedBy: "refresh" });
    return { id, props: next, inputs: inputsOf(next) as TrainedModelBindingState };
  },

  async update(_id, olds, news) {
    const rebind = modelIdentity(olds.model) !== modelIdentity(news.model) || olds.trainedModelName !== news.trainedModelName || olds.boundLocation !== relativeOf(news.model) || olds.verifiedBy === "failed";
    if (!rebind) {
      return { outs: toState(news, { boundLocation: olds.boundLocation, boundAt: olds.boundAt, verifiedBy: olds.verifiedBy }) };
    }
    const r = await bindAndVerify(news, { written: false });
    return { outs: toState(news, { ...r, boundAt: new Date().toISOString() }) };
  },

  async delete() {
    // Nothing to undo: a scoring target always serves some model. Destroy leaves the last bound model serving.
  },
};

/** What the stub forwards to: the lifecycle with the current stack config's credentials applied. */
export const provider = withCredentials(lifecycle);

function targetOnly(i: TrainedModelBindingInputs): unknown {
  return i.targetKind === "arm"
    ? [i.armBaseUrl, i.subscriptionId, i.resourceGroup, i.webServiceName, i.armToken, i.trainedModelName]
    : [i.managementBaseUrl, i.workspaceId, i.webServiceId, i.endpointName, i.endpointKey, i.workspaceToken, i.trainedModelName];
}

function storageOnly(i: TrainedModelBindingInputs): unknown {
  return [i.storageAccountName, i.storageBlobEndpoint, i.storageAccountKey, i.storageUserDelegationKey, i.model];
}

function inputsOf(s: TrainedModelBindingState): TrainedModelBindingInputs {
  const { boundLocation: _b, boundAt: _a, verifiedBy: _v, ...inputs } = s;
  return inputs;
}


/** The provider object, for tests that drive the lifecycle directly. */
export const trainedModelBindingProvider = provider;

