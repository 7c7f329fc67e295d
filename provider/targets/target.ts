/**
 * What a TrainedModelBinding hands a scoring target, and the one interface both targets (the classic endpoint and
 * the ARM web service) implement: preflight, bind, read bound, probe. The binding's lifecycle calls a target; a
 * target calls its surface's wire client; neither calls back up.
 */
import type { StorageAccess, UserDelegationKey } from "../clients/storage";
import type { HttpSettings } from "../transport";
import { isServiceError } from "../errors";
import { DROPPED_CONNECTION_CODES } from "../transport";
import { InputFailure, ModelBlobRef, toCheckFailures } from "../validation";
import type { GateArgs, GateVerdict } from "../promotion/gate";
import type { HistoryEntry, PinArgs } from "../promotion/history";
import type { PromotionPolicy } from "../promotion/freshModels";
import type { VerificationSample } from "../promotion/samples";

export const TYPE = "TrainedModelBinding";
export const SECRET_FIELDS = ["endpointKey", "workspaceToken", "armToken", "scoringKey", "storageAccountKey"] as const;



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
  /**
   * Rows with expectations, scored after the write: a model that scores any of them wrong is rolled back to the
   * model bound before (one more write) and the update fails naming both.
   */
  samples?: VerificationSample[];
}


export type TargetKind = "classic" | "arm";

/** Where a scoring target is: a classic endpoint's coordinates or an ARM web service's, and where to probe it. */
export interface TargetCoordinates {
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
}

/** The storage account holding the models, its credentials, and the lifetime of the SAS minted from them. */
export interface ModelStorageInputs {
  storageAccountName: string;
  storageBlobEndpoint?: string;
  storageAccountKey?: string;
  storageUserDelegationKey?: UserDelegationKey;
  sasLifetimeMinutes?: number;
}

/** Flat inputs the provider receives (the class unpacks the target). */
export interface TrainedModelBindingInputs extends TargetCoordinates, ModelStorageInputs {
  /** Credential field → stack config key; read, refresh and delete use the current value (credentials.ts). */
  credentialConfig?: Partial<Record<string, string>>;
  resourceName?: string;
  /** `ambiguous` / undefined are check failures. */
  targetKind?: TargetKind | "ambiguous";
  endpointKey?: string;
  workspaceToken?: string;
  armToken?: string;
  scoringKey?: string;
  trainedModelName: string;
  model: ModelBlobRef;
  verification?: VerificationArgs;
  http?: HttpSettings;
  /** Metric gate, checked at preview when the new model is known and again before the write. */
  gate?: GateArgs;
  /** `reviewed` (default): a model first known at apply is held, not promoted. `gated`: promoted when the gate passes. */
  promotion?: PromotionPolicy;
  /** Roll back to a model of the history: check resolves it into `model`, so preview shows old → pinned. */
  pin?: PinArgs;
  /** The model declared before the current one (set by check): what `pin: "previous"` resolves to. */
  previousModel?: ModelBlobRef;
  /** Set by check: a reviewed promotion held in this up (the model no preview showed), and why. */
  heldModel?: ModelBlobRef;
  heldReason?: string;
  /** `<org>/<project>/<stack>` of the program: who claims the target (ownership.ts) and is named in the audit. */
  ownerStack?: string;
  /** Who promotes, for the audit (audit.ts); default the deploying OS user. */
  actor?: string;
}

export interface TrainedModelBindingState extends TrainedModelBindingInputs {
  /** `container/path` the service reported as bound after the write (or at the last refresh). */
  boundLocation?: string;
  /** ISO time of the last write. */
  boundAt?: string;
  /** `model-headers`, `read-back+probe`, `read-back` (each `+samples` with samples), `held` or `refresh`. */
  verifiedBy?: string;
  /** The models this binding bound, newest first (at most 5): identity, metrics, time. */
  history?: HistoryEntry[];
  /** The gate's verdict for the last promotion. */
  gateVerdict?: GateVerdict;
}

/** What the target reports as bound. */
export interface Bound {
  /** The target itself no longer exists. */
  gone: boolean;
  /** `container/path` of the bound model, when the target names one. */
  relative?: string;
  /** Whether the target finished applying it (ARM: provisioningState Succeeded; classic: always). */
  settled: boolean;
  /** Where and with which key to probe scoring, when the target tells. */
  apiLocation?: string;
  probeKey?: string;
}

export interface ScoringTarget {
  /** Read-only checks (zero writes): the target exists, is updatable and has the named trained model. */
  preflight(i: TrainedModelBindingInputs): Promise<InputFailure[]>;
  /**
   * Exactly one write pointing the target at `i.model`; sets `progress.written` once the service accepted it.
   * Returns where and with which key to probe, when known.
   */
  bind(i: TrainedModelBindingInputs, progress: { written: boolean }, deadline: number): Promise<{ apiLocation?: string; probeKey?: string }>;
  readBound(i: TrainedModelBindingInputs): Promise<Bound>;
}

export function relativeOf(m: { container: string; path: string }): string {
  return `${m.container}/${m.path.replace(/^\/+/, "")}`;
}

export function storageOf(i: TrainedModelBindingInputs): StorageAccess {
  return {
    accountName: i.storageAccountName,
    blobEndpoint: i.storageBlobEndpoint,
    accountKey: i.storageAccountKey,
    userDelegationKey: i.storageUserDelegationKey,
    http: i.http,
  };
}

export function secretsOf(i: Partial<TrainedModelBindingInputs>): string[] {
  const out = SECRET_FIELDS.map((f) => i[f]).filter((x): x is string => typeof x === "string");
  if (i.storageUserDelegationKey?.value) out.push(i.storageUserDelegationKey.value);
  return out;
}

export function nameOf(i: Partial<TrainedModelBindingInputs>): string {
  return i.resourceName ?? i.endpointName ?? i.webServiceName ?? "binding";
}

export function failuresToError(i: Partial<TrainedModelBindingInputs>, failures: InputFailure[]): Error {
  return new Error(toCheckFailures(failures).map((f) => `${TYPE} "${nameOf(i)}": ${f.property}: ${f.reason}`).join("\n"));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
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

/** A write that got no answer: it may or may not have taken effect. */
export function isLostAnswer(err: unknown): boolean {
  return isServiceError(err) && err.status === undefined && DROPPED_CONNECTION_CODES.includes(err.code);
}

/**
 * Sends a binding's write (itself sent with retry `answered-only`). When its answer is lost, the target is read
 * back before anything is sent again: a write that took effect is not repeated, one that did not is sent again, at
 * most `attempts` times in all (issue 11). Returns the answer, or undefined when the read-back showed it applied.
 */
export async function writeOnce<T>(write: () => Promise<T>, applied: () => Promise<boolean>, attempts = 3): Promise<T | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (!isLostAnswer(err) || attempt >= attempts) throw err;
      if (await applied().catch(() => false)) return undefined;
    }
  }
}
