/**
 * Pure, offline input checks shared by the resources. Each returns failures with property, reason and fix, all
 * at once. Runs inside the dynamic provider: no `@pulumi/pulumi` values.
 */
import type { HttpSettings } from "./transport";
import { CLASSIC_REGIONS } from "./clients/management";
import type { ModelMetrics, UserDelegationKey } from "./clients/storage";

/** What the engine sends during preview for a value not known yet (`runtime/rpc.ts` unknownValue). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(v: unknown): boolean {
  return v === UNKNOWN;
}

/** True when the value and (for objects/arrays) everything inside it is known. */
export function isKnown(v: unknown): boolean {
  if (v === UNKNOWN) return false;
  if (Array.isArray(v)) return v.every(isKnown);
  if (v && typeof v === "object") return Object.values(v as Record<string, unknown>).every(isKnown);
  return true;
}

export interface InputFailure {
  property: string;
  reason: string;
  fix: string;
}

/** Pulumi's check-failure shape: the fix goes into the reason so users see it. */
export function toCheckFailures(failures: InputFailure[]): Array<{ property: string; reason: string }> {
  // Reasons that quote a service message may end in a period or a "(request id …)": never print "..".
  const sentence = (t: string) => t.trim().replace(/[.\s]+$/, "");
  return failures.map((f) => ({ property: f.property, reason: `${sentence(f.reason)}. ${sentence(f.fix)}.` }));
}

/** A model blob as a binding takes it: its identity is an input, so preview shows old → new. */
export interface ModelBlobRef {
  container: string;
  /** Path inside the container, ending in `.ilearner`. */
  path: string;
  /** ETag without quotes. */
  etag: string;
  /** ISO 8601. */
  lastModified: string;
  /** Bytes. */
  size: number;
  contentMd5?: string;
  /**
   * Lowercase hex SHA-256 of the blob's bytes: the model's identity (issue 16), computed by the provider. Declared
   * by the program, it is a pin: only a blob whose bytes hash to it is promoted.
   */
  sha256?: string;
  /** Evaluation of the model, trusted only through the manifest beside it that names this sha256. */
  metrics?: ModelMetrics;
  /**
   * The stack config key a pin came from (`config:<key>`), set by `pinnedModel` only: `promotion: "pinned"` takes no
   * other model, so a model found by getLatestModelBlob (which carries a sha256 too) is not mistaken for a pin.
   */
  pinnedFrom?: string;
  /** Metrics the program declared that no manifest vouches for: shown in the diff, never used by a gate. */
  unverifiedMetrics?: ModelMetrics;
}

export const HEX32 = /^[0-9a-f]{32}$/;
export const ENDPOINT_NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
export const ENDPOINT_NAME_MAX = 24;
export const THROTTLE_LEVELS = ["Low", "High"] as const;
export const TRACE_LEVELS = ["None", "Error", "All"] as const;
export const MAX_CONCURRENT_CALLS_LOW = 4;
export const MAX_CONCURRENT_CALLS = 200;
export const DESCRIPTION_MAX = 2000;
export const DEFAULT_ENDPOINT_NAME = "default";
/** Container names per Azure Storage rules. */
const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$/;

export function missing(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === "string" && v.trim() === "");
}

export function checkRequired(out: InputFailure[], property: string, value: unknown, fix: string): boolean {
  if (isUnknown(value)) return false;
  if (missing(value)) {
    out.push({ property, reason: `${property} is required`, fix });
    return false;
  }
  return true;
}

export function checkHex32(out: InputFailure[], property: string, value: unknown, what: string): void {
  if (!checkRequired(out, property, value, `Give the ${what}: 32 lowercase hex characters, as in the management URL`)) return;
  if (typeof value !== "string" || !HEX32.test(value)) {
    out.push({
      property,
      reason: `${property} "${String(value)}" is not a classic id`,
      fix: `Give the ${what} as 32 lowercase hex characters without dashes (contract §1, E4)`,
    });
  }
}

export function checkEndpointName(out: InputFailure[], property: string, value: unknown, defaultEndpointName: string): void {
  if (!checkRequired(out, property, value, "Name the added endpoint: lowercase letters, digits and hyphens, at most 24 characters")) return;
  const v = String(value);
  if (v.length > ENDPOINT_NAME_MAX || !ENDPOINT_NAME.test(v)) {
    out.push({
      property,
      reason: `endpoint name "${v}" breaks the naming rule`,
      fix: "Use at most 24 lowercase letters, digits and hyphens, not starting or ending with a hyphen (contract §1.4)",
    });
  }
  if (v === DEFAULT_ENDPOINT_NAME || v === defaultEndpointName) {
    out.push({
      property,
      reason: `"${v}" is the default endpoint, which cannot be updated`,
      fix: "Add an endpoint to the predictive web service (a ScoringEndpoint) and bind models to that one; re-publishing updates only the default endpoint (contract §1.1, E5)",
    });
  }
}

export function checkRegion(out: InputFailure[], property: string, value: unknown): void {
  if (value === undefined || isUnknown(value)) return;
  if (typeof value !== "string" || !(value in CLASSIC_REGIONS)) {
    out.push({
      property,
      reason: `region "${String(value)}" is not a Studio (classic) region`,
      fix: `Use one of ${Object.keys(CLASSIC_REGIONS).join(", ")}: the workspace's region (contract §1.2)`,
    });
  }
}

export function checkUrl(out: InputFailure[], property: string, value: unknown): void {
  if (value === undefined || isUnknown(value)) return;
  let ok = false;
  if (typeof value === "string") {
    try {
      const u = new URL(value);
      ok = (u.protocol === "https:" || u.protocol === "http:") && u.search === "";
    } catch {
      ok = false;
    }
  }
  if (!ok) {
    out.push({ property, reason: `${property} "${String(value).split("?")[0]}" is not an http(s) URL without query string`, fix: `Give ${property} as a base URL such as https://host/path` });
  }
}

export function checkOneOf(out: InputFailure[], property: string, value: unknown, allowed: readonly string[], fix: string): void {
  if (value === undefined || isUnknown(value)) return;
  if (typeof value !== "string" || !allowed.includes(value)) {
    out.push({ property, reason: `${property} "${String(value)}" is not one of ${allowed.join(", ")}`, fix });
  }
}

export function checkPositive(out: InputFailure[], property: string, value: unknown, max?: number): void {
  if (value === undefined || isUnknown(value)) return;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || (max !== undefined && value > max)) {
    out.push({
      property,
      reason: `${property} ${String(value)} is out of range`,
      fix: max === undefined ? `Give a positive number` : `Give a positive number up to ${max}`,
    });
  }
}

export function checkHttp(out: InputFailure[], http: HttpSettings | undefined): void {
  if (!http || isUnknown(http)) return;
  checkPositive(out, "http.timeoutSeconds", http.timeoutSeconds, 3600);
  if (http.maxRetries !== undefined && !isUnknown(http.maxRetries)) {
    if (typeof http.maxRetries !== "number" || !Number.isInteger(http.maxRetries) || http.maxRetries < 0 || http.maxRetries > 20) {
      out.push({ property: "http.maxRetries", reason: `http.maxRetries ${String(http.maxRetries)} is out of range`, fix: "Give an integer from 0 to 20" });
    }
  }
  checkPositive(out, "http.maxConcurrencyPerHost", http.maxConcurrencyPerHost, 256);
  if (http.retryBaseDelayMs !== undefined && !isUnknown(http.retryBaseDelayMs)) {
    if (typeof http.retryBaseDelayMs !== "number" || http.retryBaseDelayMs < 0) {
      out.push({ property: "http.retryBaseDelayMs", reason: `http.retryBaseDelayMs ${String(http.retryBaseDelayMs)} is out of range`, fix: "Give a number of milliseconds ≥ 0" });
    }
  }
}

export function checkContainer(out: InputFailure[], property: string, value: unknown): void {
  if (!checkRequired(out, property, value, "Give the blob container name")) return;
  if (typeof value !== "string" || !CONTAINER_NAME.test(value)) {
    out.push({ property, reason: `container "${String(value)}" is not a valid container name`, fix: "Use 3–63 lowercase letters, digits and single hyphens" });
  }
}

/** Checks a model blob reference: container, an `.ilearner` path, and its identity fields. */
export function checkModelRef(out: InputFailure[], property: string, model: unknown): void {
  if (isUnknown(model)) return;
  if (typeof model === "string" && model.length > 0) {
    // A path alone has no identity: preview could not show which model (etag, size, metrics) a reviewer approves.
    out.push({
      property,
      reason: `${property} is the string "${model}", not a model reference`,
      fix: "Pass a ModelBlobRef ({ container, path, etag, … }): run.model of a RetrainingRun or PipelineRun, or getLatestModelBlob(...)",
    });
    return;
  }
  if (!model || typeof model !== "object") {
    out.push({
      property,
      reason: `${property} is required`,
      fix: "Pass the model blob from a RetrainingRun or PipelineRun (run.model) or from getLatestModelBlob(...)",
    });
    return;
  }
  const m = model as Record<string, unknown>;
  checkContainer(out, `${property}.container`, m.container);
  if (checkRequired(out, `${property}.path`, m.path, "Give the blob path of the .ilearner inside the container")) {
    const p = String(m.path);
    if (!p.toLowerCase().endsWith(".ilearner")) {
      out.push({
        property: `${property}.path`,
        reason: `model blob "${p}" is not an .ilearner`,
        fix: "Bind the trained-model output of a training run: its RelativeLocation ends in .ilearner (contract §2.2, E15)",
      });
    }
  }
  // A pin by content ({ container, path, sha256 }) needs no etag: check reads it from the blob.
  if (m.sha256 === undefined) checkRequired(out, `${property}.etag`, m.etag, "Take the model from getLatestModelBlob or a RetrainingRun, which fill in its etag, or pin it by sha256");
  else if (!isUnknown(m.sha256) && (typeof m.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(m.sha256))) {
    out.push({ property: `${property}.sha256`, reason: `${property}.sha256 ${JSON.stringify(m.sha256)} is not a SHA-256`, fix: "Give the 64 lowercase hex characters of the model's SHA-256 (the sha256 of getLatestModelBlob or of the binding's model output)" });
  }
  if (m.size !== undefined && !isUnknown(m.size) && (typeof m.size !== "number" || m.size < 0)) {
    out.push({ property: `${property}.size`, reason: `${property}.size ${String(m.size)} is not a byte count`, fix: "Take the model from getLatestModelBlob or a RetrainingRun" });
  }
}

/** Base URL without trailing slashes. */
export function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

/** Shallow-compares the named fields; unknown values on the new side count as changed. */
export function changedFields<T extends object>(olds: Partial<T>, news: Partial<T>, fields: ReadonlyArray<keyof T>): string[] {
  const out: string[] = [];
  for (const f of fields) {
    const a = (olds as Record<string, unknown>)[f as string];
    const b = (news as Record<string, unknown>)[f as string];
    if (!sameValue(a, b)) out.push(f as string);
  }
  return out;
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (!isKnown(b)) return false;
  return stableJson(a) === stableJson(b);
}

export function stableJson(v: unknown): string {
  if (v === undefined) return "undefined";
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  const rec = v as Record<string, unknown>;
  return `{${Object.keys(rec)
    .filter((k) => rec[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(rec[k])}`)
    .join(",")}}`;
}

/**
 * A user-delegation key must outlive every SAS minted from it: storage refuses a SAS whose expiry is past its key's
 * (a 403 at apply time). `neededMinutes` is how long from now the resource's SAS must stay valid.
 */
export function checkDelegationKey(out: InputFailure[], property: string, key: UserDelegationKey | undefined, neededMinutes: number, nowMs = Date.now()): void {
  if (!key || isUnknown(key) || typeof key !== "object" || isUnknown(key.signedExpiresOn)) return;
  const expiresMs = Date.parse(String(key.signedExpiresOn));
  if (!Number.isFinite(expiresMs)) {
    out.push({ property: `${property}.signedExpiresOn`, reason: `signedExpiresOn ${JSON.stringify(key.signedExpiresOn)} is not a date`, fix: "Pass the key as Get User Delegation Key returns it (ISO 8601 dates)" });
    return;
  }
  const neededUntil = nowMs + neededMinutes * 60_000;
  if (expiresMs <= nowMs) {
    out.push({ property, reason: `the user-delegation key expired at ${new Date(expiresMs).toISOString()}`, fix: "Get a new user-delegation key (Get User Delegation Key) and pass it" });
  } else if (expiresMs < neededUntil) {
    out.push({
      property,
      reason: `the user-delegation key expires at ${new Date(expiresMs).toISOString()}, before the ${neededMinutes}-minute SAS minted from it would (${new Date(neededUntil).toISOString()})`,
      fix: "Get a key valid for longer, or shorten the SAS (sasLifetimeMinutes on a binding, timeoutMinutes on a run)",
    });
  }
}

/** The object without its undefined fields: what a lifecycle returns as state (the engine keeps no undefined). */
export function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
