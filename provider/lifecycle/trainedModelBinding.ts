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
import { DEFAULT_SAS_LIFETIME_MINUTES } from "../clients/storage";
import { failure, formatFailure, initFailure } from "../errors";
import { resolveModelContent } from "../promotion/provenance";
import { isContentAddressed, locationServes, sameBytes } from "../promotion/immutableCopy";
import { splitRelativeLocation } from "../clients/storage";
import { checkGateArgs, gateRefusal } from "../promotion/gate";
import { PROMOTION_POLICIES, PROMOTION_POLICIES_FIX, checkPinnedModel } from "../promotion/freshModels";
import { HistoryEntry, checkPinArgs, pushHistory } from "../promotion/history";
import { checkSamples } from "../promotion/samples";
import { sampleSchemaFailures } from "../promotion/sampleSchema";
import { targetFor } from "../targets";
import { Bound, TYPE, TrainedModelBindingInputs, TrainedModelBindingState, failuresToError, nameOf, relativeOf, secretsOf, storageOf } from "../targets/target";
import { gateOf, modelAt, preflightModelBlob, promote, servedModel, storageProperty } from "./bindingApply";
import { acquireClaim, bindingTargetKey, claimFailures, releaseClaim } from "../ownership";
import { declarationFailures } from "../declarations";
import { recordPromotion } from "../audit";
import { keptWriteFailure } from "./keptWrite";
import { holdIfUnreviewed } from "./bindingHold";
import { storageOnly, targetOnly } from "./bindingKnown";
import { markedPromotion, recordInterrupted } from "../interrupted";
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
  checkOneOf,
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
export { preflightModelBlob, storageProperty } from "./bindingApply";

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
    checkSamples(out, "verification.samples", v.samples);
  }
  checkGateArgs(out, "gate", i.gate);
  checkPinArgs(out, "pin", i.pin);
  if (i.promotion !== undefined) checkOneOf(out, "promotion", i.promotion, PROMOTION_POLICIES, PROMOTION_POLICIES_FIX);
  checkPinnedModel(out, i.promotion, i.model);
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
    "gate",
    "promotion",
    "pin",
    "heldModel",
  ]);
  // A create whose verification failed is recorded with verifiedBy "failed": the next up binds again.
  const unverified = olds.verifiedBy === "failed";
  return { changes: replaces.length > 0 || modelChanged || unverified || other.length > 0, replaces, deleteBeforeReplace: false, modelChanged: modelChanged || unverified };
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
    if (failures.length === 0) {
      const property = inputs.targetKind === "arm" ? "webServiceName" : "endpointName";
      failures.push(...declarationFailures(inputs.ownerStack, [{ target: bindingTargetKey(inputs), property, resource: `${TYPE} "${nameOf(inputs)}"` }]));
    }
    if (failures.length === 0) failures.push(...(await resolveModel(isNew ? undefined : olds, inputs)));
    // A new binding's target (and its credentials) is checked before its model's bytes are read: it is the more basic
    // problem, and the one a user fixes first.
    if (failures.length === 0 && isNew && isKnown(targetOnly(inputs))) failures.push(...(await targetFor(inputs.targetKind).preflight(inputs)));
    if (failures.length === 0) failures.push(...(await resolveContent(inputs, isNew ? undefined : olds.model)));
    if (failures.length === 0 && isNew) {
      if (isKnown(storageOnly(inputs))) failures.push(...(await preflightModelBlob(inputs)).failures);
      if (failures.length === 0) failures.push(...(await claimFailures(inputs)));
      if (failures.length === 0) failures.push(...(await sampleSchemaFailures(inputs)));
      if (failures.length === 0 && inputs.gate && isKnown(targetOnly(inputs)) && isKnown(storageOnly(inputs)) && !isUnknown(inputs.endpointKey)) {
        // The baseline of a first promotion is what the target serves now.
        const bound = await servedModel(inputs).catch(() => undefined);
        const verdict = gateOf(inputs, bound);
        if (verdict && !verdict.passed) failures.push({ property: "gate", reason: gateRefusal(TYPE, nameOf(inputs), verdict, bound, inputs.model, "preview"), fix: "Nothing was written" });
      }
    }
    return { inputs, failures: toCheckFailures(failures) };
  },

  async diff(_id, olds, news) {
    const { modelChanged, ...result } = diffTrainedModelBinding(olds, news);
    // At most one read per concern, none on a no-op: the target when it or the model name changed, the blob
    // (one storage read) when the model identity changed.
    const failures: InputFailure[] = [];
    // A changed workspace token is proven by the target's preflight too (targets/classic.ts).
    const targetChanged = (result.replaces?.length ?? 0) > 0 || !sameValue(olds.trainedModelName, news.trainedModelName) || !sameValue(olds.workspaceToken, news.workspaceToken);
    if (targetChanged && isKnown(targetOnly(news))) failures.push(...(await targetFor(news.targetKind).preflight(news)));
    if (failures.length === 0 && modelChanged && isKnown(storageOnly(news))) failures.push(...(await preflightModelBlob(news)).failures);
    if (failures.length === 0 && (targetChanged || modelChanged)) failures.push(...(await claimFailures(news, olds.ownerStack)));
    if (failures.length === 0 && (targetChanged || !sameValue(olds.verification, news.verification))) failures.push(...(await sampleSchemaFailures(news)));
    if (failures.length > 0) throw failuresToError(news, failures);
    // The gate, whenever the new model is known: olds.model is the model bound now, with its metrics.
    if (modelChanged && isKnown(news.model) && isKnown(news.gate)) {
      const verdict = gateOf(news, olds.model);
      if (verdict && !verdict.passed) throw new Error(gateRefusal(TYPE, nameOf(news), verdict, olds.model, news.model, "preview"));
    }
    return result;
  },

  async create(inputs) {
    const id = inputs.targetKind === "arm" ? `arm/${inputs.subscriptionId}/${inputs.resourceGroup}/${inputs.webServiceName}/${inputs.trainedModelName}` : `${inputs.workspaceId}/${inputs.webServiceId}/${inputs.endpointName}/${inputs.trainedModelName}`;
    // What the target serves before this binding: the gate's baseline, what a failed verification restores, and
    // what a held promotion keeps serving.
    const served = await servedModel(inputs);
    const claimed = await acquireClaim(inputs);
    // check held a model no preview showed: the binding records it and keeps the served model, with no write.
    if (inputs.heldModel && served && sameBytes(served, inputs.model)) {
      return { id, outs: toState(inputs, { verifiedBy: "held", boundLocation: relativeOf(served) }) };
    }
    const progress = { written: false };
    try {
      // An endpoint created in this same update had no key at preview: its rows are checked now, before the write.
      const schema = await sampleSchemaFailures(inputs);
      if (schema.length > 0) throw failuresToError(inputs, schema);
      const r = await markedPromotion(inputs, "create", served, async () => {
        const done = await promote(inputs, served, progress);
        await recordPromotion(inputs, done, "create", served);
        return done;
      });
      const boundAt = new Date().toISOString();
      return { id, outs: toState(inputs, { ...r, boundAt, history: pushHistory(undefined, inputs.model, boundAt) }) };
    } catch (err) {
      if (!progress.written) {
        await releaseClaim(inputs, undefined, claimed).catch(() => undefined);
        throw err;
      }
      // The service kept the write: record the resource, and what it serves, so the engine neither leaks nor forgets it.
      throw await keptWriteFailure(inputs, err, id, (served) => toState(inputs, { model: served, boundLocation: relativeOf(served), boundAt: new Date().toISOString(), verifiedBy: "failed" }), { operation: "create", from: served });
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
    if (!bound.relative || bound.relative === relativeOf(state.model) || bound.relative === state.boundLocation) {
      const next = toState(state, { boundLocation: bound.relative ?? state.boundLocation });
      return { id, props: next, inputs: inputsOf(next) as TrainedModelBindingState };
    }
    // Drift: something else is bound. Describe it as a model reference so the next up shows old → new and restores.
    // A promotion a crash cut short after its write is audited now (interrupted.ts).
    await recordInterrupted(state, bound.relative);
    const model = await modelAt(state, bound.relative);
    // The drifted model was never declared: pins and `previous` keep resolving from the declared one (issue 18).
    const next = toState(state, { model, boundLocation: bound.relative, verifiedBy: "refresh", [DECLARED]: declaredModel(state) } as Partial<TrainedModelBindingState>);
    return { id, props: next, inputs: inputsOf(next) as TrainedModelBindingState };
  },

  async update(id, olds, news) {
    const kept = { boundLocation: olds.boundLocation, boundAt: olds.boundAt, verifiedBy: olds.verifiedBy, history: olds.history, gateVerdict: olds.gateVerdict };
    // Same bytes already bound (e.g. refresh after a crash recorded the copy the target serves): no write.
    const served = sameBytes(olds.model, news.model) && locationServes(olds.boundLocation, news.model);
    const rebind = !served || olds.trainedModelName !== news.trainedModelName || olds.verifiedBy === "failed";
    if (!rebind) return { outs: toState(news, kept) };
    await acquireClaim(news, olds.ownerStack);
    // What serves now: the content-addressed copy when the binding wrote one, which rollback restores as is.
    const previous = olds.boundLocation && isContentAddressed(splitRelativeLocation(olds.boundLocation).path) ? await modelAt(news, olds.boundLocation) : olds.model;
    const progress = { written: false };
    const r = await markedPromotion(news, "update", olds.model, async () => {
      const done = await promote(news, previous, progress).catch(async (err: unknown) => {
        if (!progress.written) throw err;
        // A write the service kept (rollback refused, or nothing to roll back to): state records what serves.
        throw await keptWriteFailure(news, err, id, (served) => toState(news, { ...kept, model: served, boundLocation: relativeOf(served), verifiedBy: "failed" }), { operation: "update", from: { ...olds.model, boundLocation: olds.boundLocation } });
      });
      // The audit names models as the program declared them, with where each was bound.
      await recordPromotion(news, done, "update", { ...olds.model, boundLocation: olds.boundLocation });
      return done;
    });
    await releaseClaim(olds, news);
    const boundAt = new Date().toISOString();
    return { outs: toState(news, { ...r, boundAt, history: pushHistory(seedHistory(olds), news.model, boundAt) }) };
  },

  async delete(_id, props) {
    // A scoring target always serves some model: destroy leaves the last bound one serving and releases the claim.
    await releaseClaim(props);
  },
};

/** History for a binding recorded before history existed: its bound model is the first entry. */
function seedHistory(olds: TrainedModelBindingState): HistoryEntry[] | undefined {
  if (olds.history || !olds.model?.etag || olds.verifiedBy === "held") return olds.history;
  return pushHistory(undefined, olds.model, olds.boundAt ?? "");
}

/**
 * Resolves a pin into `model` (so preview shows old → pinned like any promotion) and records the model declared
 * before this one, which `pin: "previous"` resolves to. A pin that did not change keeps its earlier resolution.
 */
async function resolveModel(olds: Partial<TrainedModelBindingInputs> | undefined, i: TrainedModelBindingInputs): Promise<InputFailure[]> {
  const pin = i.pin;
  // What the binding declared last: a model refresh found on the target (drift) is not part of its history.
  const oldModel = olds ? declaredModel(olds) : undefined;
  if (pin !== undefined && isKnown(pin)) {
    if (oldModel && olds?.pin !== undefined && sameValue(olds.pin, pin)) {
      i.model = oldModel;
    } else if (pin === "previous") {
      if (!olds?.previousModel) {
        return [{ property: "pin", reason: "no model was declared before the current one, so there is nothing to roll back to", fix: "Pin a model by { path, etag } (see the binding's history output), or remove pin" }];
      }
      i.model = olds.previousModel;
    } else if (isKnown(storageOnly(i))) {
      const container = pin.container ?? (isKnown(i.model) ? i.model?.container : undefined) ?? olds?.model?.container;
      if (!container) return [{ property: "pin.container", reason: "the pinned model's container is not known", fix: "Give pin.container" }];
      const model = await modelAt(i, `${container}/${pin.path.replace(/^\/+/, "")}`);
      if (!model.etag) return [{ property: "pin.path", reason: `pinned model ${container}/${pin.path} does not exist`, fix: "Pin an entry of the binding's history output" }];
      if (pin.sha256 && pin.sha256 !== model.sha256) {
        return [{ property: "pin.sha256", reason: `pinned model ${container}/${pin.path} holds other bytes: expected sha256 ${pin.sha256}, actual ${model.sha256 ? `sha256 ${model.sha256}` : "unreadable"}`, fix: "Pin a model whose blob still holds the bytes you mean, or retrain" }];
      }
      if (pin.etag && pin.etag !== model.etag) {
        return [{ property: "pin.etag", reason: `pinned model ${container}/${pin.path} has etag ${model.etag}, not ${pin.etag}: it was overwritten`, fix: "Pin a model whose blob still holds the bytes you mean, or retrain" }];
      }
      i.model = model;
    }
  }
  await holdIfUnreviewed(i, oldModel);
  if (oldModel && isKnown(oldModel)) {
    i.previousModel = !isKnown(i.model) || modelIdentity(oldModel) !== modelIdentity(i.model) ? oldModel : olds?.previousModel;
  }
  if (i.previousModel === undefined) delete i.previousModel;
  return [];
}

/**
 * Kept by refresh beside a drifted model (in state and recorded inputs, hidden from the CLI by its `__`): the model
 * the binding declared before the drift. Cleared by the next update, whose inputs come from the program.
 */
const DECLARED = "__declaredModel";

function declaredModel(s: Partial<TrainedModelBindingInputs>): ModelBlobRef | undefined {
  return ((s as Record<string, unknown>)[DECLARED] as ModelBlobRef | undefined) ?? s.model;
}

/**
 * The model's content identity and trusted metrics (promotion/provenance.ts), once the model and storage are known:
 * a declared sha256 the blob does not hold, or a malformed manifest, fails here with 0 writes.
 */
async function resolveContent(i: TrainedModelBindingInputs, recorded: ModelBlobRef | undefined): Promise<InputFailure[]> {
  if (!isKnown(storageOnly(i)) || !i.model) return [];
  try {
    const r = await resolveModelContent(storageOf(i), "model", i.model, recorded);
    i.model = r.model;
    return r.failures;
  } catch (err) {
    return [{ property: storageProperty(i, err), reason: formatFailure(TYPE, nameOf(i), "preview read of the model blob", err, undefined, secretsOf(i)), fix: "Nothing was written" }];
  }
}

/** What the stub forwards to: the lifecycle with the current stack config's credentials applied. */
export const provider = withCredentials(lifecycle);

function inputsOf(s: TrainedModelBindingState): TrainedModelBindingInputs {
  const { boundLocation: _b, boundAt: _a, verifiedBy: _v, history: _h, gateVerdict: _g, ...inputs } = s;
  return inputs;
}


/** The provider object, for tests that drive the lifecycle directly. */
export const trainedModelBindingProvider = provider;