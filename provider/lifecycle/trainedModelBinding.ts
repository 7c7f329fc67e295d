/**
 * TrainedModelBinding's lifecycle: pure check and diff, the preview-time reads, and bind-then-verify.
 * The target (targets/classic.ts: one PATCH of the endpoint's trained-model resource; targets/arm.ts: one ARM
 * definition update) does the write; this file then reads back what the target reports as bound and probes
 * scoring until the new model serves it.
 */
import type * as pulumi from "@pulumi/pulumi";
import { withCredentials } from "./credentials";
import { DEFAULT_ARM_BASE_URL } from "../clients/arm";
import { DEFAULT_CLASSIC_REGION, defaultManagementBaseUrl } from "../clients/management";
import { BlobIdentity, DEFAULT_SAS_LIFETIME_MINUTES, getBlobIdentity, splitRelativeLocation } from "../clients/storage";
import { probeScoring } from "../clients/rrs";
import { failure, formatFailure, initFailure, isServiceError } from "../errors";
import { targetFor } from "../targets";
import { acquireClaim, claimFailures, releaseClaim } from "../ownership";
import { boundBefore, recordPromotion } from "../audit";
import { Bound, SECRET_FIELDS, TYPE, TrainedModelBindingInputs, TrainedModelBindingState, failuresToError, nameOf, relativeOf, secretsOf, sleep, storageOf } from "../targets/target";
import {
  checkDelegationKey,
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
  withoutUndefined,
} from "../validation";

export type { TargetKind, TrainedModelBindingInputs, TrainedModelBindingState, VerificationArgs } from "../targets/target";
export { targetProperty } from "../targets/target";
export { checkResourceName } from "../targets/classic";
export { relativeFromUri } from "../targets/arm";

const CLASSIC_TARGET = ["targetKind", "workspaceId", "webServiceId", "endpointName", "region"] as const;
const ARM_TARGET = ["targetKind", "subscriptionId", "resourceGroup", "webServiceName"] as const;
const STORAGE_ACCOUNT = /^[a-z0-9]{3,24}$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The model identity a binding promotes on: container, path, etag. */
export function modelIdentity(m: Partial<ModelBlobRef> | undefined): string {
  return stableJson({ container: m?.container, path: m?.path, etag: m?.etag });
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
  // The account key wins when both are given (clients/storage.ts), so only a lone delegation key must outlive the SAS.
  if (!i.storageAccountKey) checkDelegationKey(out, "storageUserDelegationKey", i.storageUserDelegationKey, typeof i.sasLifetimeMinutes === "number" ? i.sasLifetimeMinutes : DEFAULT_SAS_LIFETIME_MINUTES);
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

/** The input a failed storage read points at. */
export function storageProperty(i: Partial<TrainedModelBindingInputs>, err: unknown): string {
  if (!isServiceError(err) || err.status === undefined) return "storageBlobEndpoint";
  if (err.status === 401 || err.status === 403) return i.storageAccountKey ? "storageAccountKey" : "storageUserDelegationKey";
  return "model.path";
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

/**
 * Writes the binding through the target (exactly one write) and verifies it: the target must report the new
 * model as bound, then, with verification.sampleRow, a probe must be served by it. Returns how it was verified.
 * `progress.written` is set as soon as the write was accepted, so callers can tell a partial failure.
 */
async function bindAndVerify(i: TrainedModelBindingInputs, progress: { written: boolean }): Promise<{ verifiedBy: string; boundLocation: string }> {
  const name = nameOf(i);
  const secrets = secretsOf(i);
  const target = relativeOf(i.model);
  const v = i.verification ?? {};
  const timeoutMs = (v.timeoutSeconds ?? 120) * 1000;
  const intervalMs = (v.intervalSeconds ?? 2) * 1000;
  const scoringTarget = targetFor(i.targetKind);

  // The declared blob must still be the one the preview showed.
  const pre = await preflightModelBlob(i);
  if (pre.failures.length > 0) throw failuresToError(i, pre.failures);

  let { apiLocation, probeKey } = await scoringTarget.bind(i, progress, Date.now() + timeoutMs);

  if (v.settleSeconds) await sleep(v.settleSeconds * 1000);
  const deadline = Date.now() + timeoutMs;
  let lastSeen = "";
  for (;;) {
    let readBackOk = false;
    try {
      const bound = await scoringTarget.readBound(i);
      lastSeen = bound.relative ?? "(nothing)";
      readBackOk = !bound.gone && bound.relative === target && bound.settled;
      apiLocation = apiLocation || bound.apiLocation;
      probeKey = probeKey || bound.probeKey;
    } catch (err) {
      throw failure(TYPE, name, "verify binding (read back)", err, undefined, secrets);
    }
    if (readBackOk) {
      if (!v.sampleRow) return { verifiedBy: "read-back", boundLocation: target };
      if (!apiLocation || !probeKey) {
        throw new Error(`${TYPE} "${name}": verify binding failed: no apiLocation or key for the scoring probe. Set apiLocation (and scoringKey for ARM), or remove verification.sampleRow.`);
      }
      let probe;
      try {
        probe = await probeScoring(apiLocation, probeKey, v.sampleRow, v.inputName ?? "input1", i.http);
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

function toState(i: TrainedModelBindingInputs, extra: Partial<TrainedModelBindingState>): TrainedModelBindingState {
  return withoutUndefined({ ...i, ...extra }) as unknown as TrainedModelBindingState;
}

/** Checked by the stub in resources/: raised when the calls it forwards change shape. */
export const API_VERSION = 1;

const lifecycle: pulumi.dynamic.ResourceProvider<TrainedModelBindingInputs, TrainedModelBindingState> = {
  async check(olds, news) {
    const { inputs, failures } = checkTrainedModelBinding(news);
    // No diff runs for a new resource, so its preview-time reads (zero writes) happen here.
    const isNew = !olds || Object.keys(olds).filter((k) => k !== "__provider").length === 0;
    if (failures.length === 0 && isNew) {
      if (isKnown(targetOnly(inputs))) failures.push(...(await targetFor(inputs.targetKind).preflight(inputs)));
      if (failures.length === 0 && isKnown(storageOnly(inputs))) failures.push(...(await preflightModelBlob(inputs)).failures);
      if (failures.length === 0) failures.push(...(await claimFailures(inputs)));
    }
    return { inputs, failures: toCheckFailures(failures) };
  },

  async diff(_id, olds, news) {
    const { modelChanged, ...result } = diffTrainedModelBinding(olds, news);
    // At most one read per concern, none on a no-op: the target when it or the model name changed, the blob
    // (one storage read) when the model identity changed.
    const failures: InputFailure[] = [];
    const targetChanged = (result.replaces?.length ?? 0) > 0 || !sameValue(olds.trainedModelName, news.trainedModelName);
    if (targetChanged && isKnown(targetOnly(news))) failures.push(...(await targetFor(news.targetKind).preflight(news)));
    if (failures.length === 0 && modelChanged && isKnown(storageOnly(news))) failures.push(...(await preflightModelBlob(news)).failures);
    if (failures.length === 0 && (targetChanged || modelChanged)) failures.push(...(await claimFailures(news)));
    if (failures.length > 0) throw failuresToError(news, failures);
    return result;
  },

  async create(inputs) {
    const id = inputs.targetKind === "arm" ? `arm/${inputs.subscriptionId}/${inputs.resourceGroup}/${inputs.webServiceName}/${inputs.trainedModelName}` : `${inputs.workspaceId}/${inputs.webServiceId}/${inputs.endpointName}/${inputs.trainedModelName}`;
    const claimed = await acquireClaim(inputs);
    const before = await boundBefore(inputs);
    const progress = { written: false };
    try {
      const r = await bindAndVerify(inputs, progress);
      await recordPromotion(inputs, r.verifiedBy, "create", before);
      return { id, outs: toState(inputs, { ...r, boundAt: new Date().toISOString() }) };
    } catch (err) {
      if (!progress.written) {
        await releaseClaim(inputs, undefined, claimed).catch(() => undefined);
        throw err;
      }
      // The service accepted the write: record the resource so the engine neither leaks nor forgets it.
      const e = err as Error;
      throw initFailure(new Error(e.message), id, toState(inputs, { boundLocation: relativeOf(inputs.model), boundAt: new Date().toISOString(), verifiedBy: "failed" }));
    }
  },

  async read(id, props) {
    const state = props as TrainedModelBindingState;
    let bound: Bound;
    try {
      bound = await targetFor(state.targetKind).readBound(state);
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
    await acquireClaim(news);
    const r = await bindAndVerify(news, { written: false });
    await recordPromotion(news, r.verifiedBy, "update", olds.model);
    await releaseClaim(olds, news);
    return { outs: toState(news, { ...r, boundAt: new Date().toISOString() }) };
  },

  async delete(_id, props) {
    // A scoring target always serves some model: destroy leaves the last bound one serving and releases the claim.
    await releaseClaim(props);
  },
};

/** What the stub forwards to: the lifecycle with the current stack config's credentials applied. */
export const provider = withCredentials(lifecycle);

/** What a target preflight needs known; a classic endpoint still being created is read with the workspace token. */
function targetOnly(i: TrainedModelBindingInputs): unknown {
  if (i.targetKind === "arm") return [i.armBaseUrl, i.subscriptionId, i.resourceGroup, i.webServiceName, i.armToken, i.trainedModelName];
  const credential = isUnknown(i.endpointKey) ? i.workspaceToken : [i.endpointKey, i.workspaceToken];
  return [i.managementBaseUrl, i.workspaceId, i.webServiceId, i.endpointName, credential, i.trainedModelName];
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