/**
 * RolloutWave's lifecycle (issue 9): one model bound to many targets (classic endpoints and ARM web services) in one
 * dynamic resource, so a fleet costs the engine one step and one checkpoint per wave instead of per target. Every
 * target goes through the same code a TrainedModelBinding uses (targets/, bindingApply.ts): check, preflight, one
 * write, verification, rollback. A wave is all or nothing: when a target fails, the targets this wave already moved
 * are restored and the wave fails, so the later waves (which depend on it) never start.
 */
import type * as pulumi from "@pulumi/pulumi";
import { withCredentials } from "./credentials";
import { checkTrainedModelBinding, modelIdentity } from "./trainedModelBinding";
import { gateOf, immutableModel, modelAt, preflightModelBlob, servedModel, writeVerifyOrRollback } from "./bindingApply";
import { copyPathFor, sameBytes } from "../promotion/immutableCopy";
import { checkGateArgs, gateRefusal, GateVerdict, hasRules } from "../promotion/gate";
import { holdCause, unpreviewedReason } from "../promotion/previewLedger";
import { PROMOTION_POLICIES, PROMOTION_POLICIES_FIX, checkPinnedModel } from "../promotion/freshModels";
import { targetFor } from "../targets";
import { TrainedModelBindingInputs, relativeOf, storageOf } from "../targets/target";
import { resolveModelContent } from "../promotion/provenance";
import { InputFailure, ModelBlobRef, checkOneOf, checkPositive, isKnown, stableJson, toCheckFailures, withoutUndefined } from "../validation";
import type { RolloutWaveInputs, RolloutWaveState, WaveBound, WaveTarget } from "./rolloutWaveTypes";
import { acquireClaims, bindingTargetKey, claimFailures, releaseClaim } from "../ownership";
import { declarationFailures } from "../declarations";
import { rolloutPlanFailures } from "./rolloutPlan";
import { clearPromotion, markPromotion, recordInterrupted } from "../interrupted";
import { recordPromotion } from "../audit";
import { identityOf, waveFailure } from "./waveKeptWrites";

export type { RolloutWaveInputs, RolloutWaveState, WaveBound, WaveTarget } from "./rolloutWaveTypes";

const TYPE = "RolloutWave";
export const DEFAULT_WAVE_CONCURRENCY = 16;

const waveName = (w: Partial<RolloutWaveInputs>) => `${w.resourceName ?? "wave"}${w.wave !== undefined && w.waveCount ? ` (wave ${w.wave + 1} of ${w.waveCount})` : ""}`;

/** The key a target is known by in the wave's state and the review: its coordinates. */
export function targetKey(t: Partial<WaveTarget>): string {
  if (t.key) return t.key;
  return t.kind === "arm" ? `arm/${t.subscriptionId}/${t.resourceGroup}/${t.webServiceName}` : `classic/${t.workspaceId}/${t.webServiceId}/${t.endpointName}`;
}

/** A target of the wave as the TrainedModelBinding inputs its adapter takes. */
export function bindingInputs(w: RolloutWaveInputs, t: WaveTarget, model: ModelBlobRef = w.model): TrainedModelBindingInputs {
  const { key: _k, kind, ...coords } = t;
  return withoutUndefined({
    ...coords,
    resourceName: `${w.resourceName}/${targetKey(t)}`,
    targetKind: kind,
    workspaceToken: w.workspaceToken,
    armToken: w.armToken,
    model,
    storageAccountName: w.storageAccountName,
    storageBlobEndpoint: w.storageBlobEndpoint,
    storageAccountKey: w.storageAccountKey,
    storageUserDelegationKey: w.storageUserDelegationKey,
    sasLifetimeMinutes: w.sasLifetimeMinutes,
    verification: w.verification,
    http: w.http,
    ownerStack: w.ownerStack,
    actor: w.actor,
  }) as TrainedModelBindingInputs;
}

export function checkRolloutWave(news: Partial<RolloutWaveInputs>): { inputs: RolloutWaveInputs; failures: InputFailure[] } {
  const w = { ...news } as RolloutWaveInputs;
  const out: InputFailure[] = [];
  if (!Array.isArray(w.targets) || w.targets.length === 0) {
    out.push({ property: "targets", reason: "the wave has no targets", fix: "Give at least one target" });
    return { inputs: w, failures: out };
  }
  const seen = new Map<string, number>();
  w.targets = w.targets.map((t, k) => {
    if (!isKnown(t)) return t;
    const target = { ...t, key: targetKey(t) };
    const first = seen.get(target.key);
    if (first !== undefined) out.push({ property: `targets[${k}]`, reason: `target ${target.key} is listed twice (also targets[${first}])`, fix: "List each target once across the rollout" });
    seen.set(target.key, k);
    // Every target gets the binding's own checks, named by its place in the wave.
    const { failures } = checkTrainedModelBinding(bindingInputs(w, target));
    for (const f of failures) {
      const property = ["model", "storage", "sas", "verification", "http"].some((p) => f.property.startsWith(p)) ? f.property : `targets[${k}].${f.property}`;
      if (!out.some((o) => o.property === property && o.reason === f.reason)) out.push({ ...f, property });
    }
    return target;
  });
  checkGateArgs(out, "gate", w.gate);
  out.push(...rolloutPlanFailures(w.rolloutPlan));
  if (w.promotion !== undefined) checkOneOf(out, "promotion", w.promotion, PROMOTION_POLICIES, PROMOTION_POLICIES_FIX);
  checkPinnedModel(out, w.promotion, w.model);
  checkPositive(out, "concurrency", w.concurrency, 256);
  return { inputs: w, failures: out };
}

/** Runs `fn` over the targets with bounded concurrency (the transport also limits per host). */
async function eachTarget<T>(w: RolloutWaveInputs, targets: WaveTarget[], fn: (t: WaveTarget) => Promise<T>): Promise<T[]> {
  // p-limit 3 is CommonJS; required like transport.ts does.
  const pLimit: (n: number) => <R>(fn: () => Promise<R>) => Promise<R> = require("p-limit");
  const limit = pLimit(w.concurrency ?? DEFAULT_WAVE_CONCURRENCY);
  return Promise.all(targets.map((t) => limit(() => fn(t))));
}

/** What each target serves now; distinct models are read from storage once. */
async function servedModels(w: RolloutWaveInputs, targets: WaveTarget[]): Promise<Map<string, ModelBlobRef | undefined>> {
  const byLocation = new Map<string, Promise<ModelBlobRef>>();
  const served = new Map<string, ModelBlobRef | undefined>();
  await eachTarget(w, targets, async (t) => {
    const i = bindingInputs(w, t);
    const bound = await targetFor(t.kind).readBound(i);
    if (bound.gone || !bound.relative) return served.set(targetKey(t), undefined);
    if (!byLocation.has(bound.relative)) byLocation.set(bound.relative, modelAt(i, bound.relative));
    served.set(targetKey(t), await byLocation.get(bound.relative));
  });
  return served;
}

/** The gate against every distinct baseline; the first refusal wins. */
function gateOverBaselines(w: RolloutWaveInputs, baselines: Array<ModelBlobRef | undefined>): { verdict?: GateVerdict; refusal?: string } {
  if (!hasRules(w.gate)) return {};
  const distinct = new Map(baselines.map((b) => [b ? modelIdentity(b) : "none", b]));
  let verdict: GateVerdict | undefined;
  for (const baseline of distinct.values()) {
    verdict = gateOf({ gate: w.gate, model: w.model } as TrainedModelBindingInputs, baseline);
    if (verdict && !verdict.passed) return { verdict, refusal: gateRefusal(TYPE, waveName(w), verdict, baseline, w.model, "preview") };
  }
  return { verdict };
}

const failuresText = (w: RolloutWaveInputs, failures: InputFailure[]) => toCheckFailures(failures).map((f) => `${TYPE} "${waveName(w)}": ${f.property}: ${f.reason}`).join("\n");

/** Targets whose recorded model is not the wave's model (new targets, a new model, drift seen by refresh). */
function pendingTargets(olds: Partial<RolloutWaveState>, news: RolloutWaveInputs): WaveTarget[] {
  const bound = new Map((olds.bound ?? []).map((b) => [b.key, b]));
  return news.targets.filter((t) => {
    const b = bound.get(targetKey(t));
    // A target recorded as "failed" serves what its failed promotion left (waveKeptWrites.ts): bind it again.
    return !b || b.verifiedBy === "failed" || olds.heldModel !== undefined || !sameBytes(b.model, news.model) || stableJson({ ...t }) !== stableJson(olds.targets?.find((o) => targetKey(o) === targetKey(t)));
  });
}

/**
 * Binds the pending targets, each verified (and rolled back alone when its verification fails). When any target
 * fails, the ones this wave moved are restored to their previous model, and the wave fails naming every failure.
 */
async function bindWave(id: string, w: RolloutWaveInputs, pending: WaveTarget[], previous: Map<string, ModelBlobRef | undefined>, kept: WaveBound[]): Promise<WaveBound[]> {
  const pre = await preflightModelBlob(bindingInputs(w, pending[0]), "apply-time check of the model blob");
  if (pre.failures.length > 0) throw new Error(failuresText(w, pre.failures));
  const gate = gateOverBaselines(w, pending.map((t) => previous.get(targetKey(t))));
  if (gate.refusal) throw new Error(gate.refusal.replace("Nothing was written.", "Nothing was written: no target of this wave or a later one was touched."));
  await acquireClaims(pending.map((t) => bindingInputs(w, t)));
  // Every target is bound to the content-addressed copy of the reviewed bytes, written once for the wave.
  const copy = await immutableModel(bindingInputs(w, pending[0]));
  // Each target's promotion is marked until its audit line is written (interrupted.ts): a crash leaves the marks.
  await eachTarget(w, pending, (t) => markPromotion(bindingInputs(w, t), kept.some((k) => k.key === targetKey(t)) ? "update" : "create", previous.get(targetKey(t))));
  try {
    return await writeWave(id, w, pending, previous, kept, gate.verdict, copy);
  } finally {
    await eachTarget(w, pending, (t) => clearPromotion(bindingInputs(w, t)).catch(() => undefined));
  }
}

/** bindWave after its checks: the writes and verifications, the restores when one fails, the audit lines. */
async function writeWave(id: string, w: RolloutWaveInputs, pending: WaveTarget[], previous: Map<string, ModelBlobRef | undefined>, kept: WaveBound[], verdict: GateVerdict | undefined, copy: ModelBlobRef): Promise<WaveBound[]> {
  const results = await eachTarget(w, pending, async (t) => {
    const key = targetKey(t);
    const progress = { written: false };
    try {
      const verifiedBy = await writeVerifyOrRollback(bindingInputs(w, t, copy), previous.get(key), progress, w.model);
      return { key, ok: true as const, verifiedBy };
    } catch (err) {
      return { key, ok: false as const, written: progress.written, message: err instanceof Error ? err.message : String(err) };
    }
  });
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) {
    const moved = pending.filter((t) => results.find((r) => r.key === targetKey(t))?.ok);
    const restored = await eachTarget(w, moved, async (t) => {
      const before = previous.get(targetKey(t));
      if (!before?.etag) return `${targetKey(t)}: no earlier model known, left on the new model`;
      // A refused restore is reported with the others, not thrown: the state must still record what serves.
      return writeVerifyOrRollback({ ...bindingInputs(w, t, before), verification: { ...w.verification, sampleRow: undefined, samples: undefined } }, undefined, { written: false }).then(
        () => undefined,
        (e: Error) => `restoring ${targetKey(t)} to ${relativeOf(before)} failed: ${e.message}`,
      );
    });
    const left = restored.filter((x): x is string => !!x);
    const served = await servedModels(w, pending).catch(() => undefined);
    // A target the failure left on the new model is audited so, unverified: the audit says what serves (issue 18).
    const stayed = pending.filter((t) => sameBytes(served?.get(targetKey(t)), w.model));
    await eachTarget(w, stayed, (t) => recordPromotion(bindingInputs(w, t), { verifiedBy: "failed" }, kept.some((k) => k.key === targetKey(t)) ? "update" : "create", previous.get(targetKey(t))).catch(() => undefined));
    throw waveFailure(
      w,
      `${TYPE} "${waveName(w)}": ${failed.length} of ${pending.length} targets failed, so the wave stops and no later wave starts:\n` +
        failed.map((f) => `  ${f.key}: ${"message" in f ? f.message : ""}`).join("\n") +
        `\n${moved.length} target(s) this wave had moved to ${relativeOf(w.model)} were restored to their previous model${left.length ? `, except: ${left.join("; ")}` : ""}. Fix the failing targets or the model, then run up again.`,
      { id, keys: w.targets.map(targetKey), pending: pending.map(targetKey), previous, kept, served },
    );
  }
  const boundAt = new Date().toISOString();
  const done = new Map(results.map((r) => [r.key, r.ok ? r.verifiedBy : "failed"]));
  await eachTarget(w, pending, (t) => recordPromotion(bindingInputs(w, t), { verifiedBy: done.get(targetKey(t))!, gateVerdict: verdict }, kept.some((k) => k.key === targetKey(t)) ? "update" : "create", previous.get(targetKey(t))));
  return w.targets.map((t) => {
    const key = targetKey(t);
    if (!done.has(key)) return kept.find((k) => k.key === key)!;
    // The model recorded before names the source blob; what was read from the target may be its content-addressed copy.
    const before = kept.find((k) => k.key === key)?.model ?? identityOf(previous.get(key));
    return withoutUndefined({ key, previousModel: before, model: identityOf(w.model)!, verifiedBy: done.get(key)!, boundAt });
  });
}

/**
 * Under `promotion: "reviewed"` a model no preview showed (trained in this up, or with no preview marker of this
 * wave: promotion/previewLedger.ts) is held: the wave keeps `current` and records it. `declared`: the wave's model
 * before (the same bytes are no promotion).
 */
async function holdIfUnreviewed(w: RolloutWaveInputs, current: ModelBlobRef | undefined, declared?: ModelBlobRef): Promise<void> {
  if (!isKnown(w.model) || !current || sameBytes(current, w.model)) return;
  const cause = await holdCause({ promotion: w.promotion, pinned: false, model: w.model, declared, ownerStack: w.ownerStack, resourceName: w.resourceName ?? "", access: storageOf(bindingInputs(w, w.targets[0])) });
  if (!cause) return;
  const trained = cause === "trained";
  w.heldModel = w.model;
  w.heldReason = trained
    ? `${relativeOf(w.model)} was trained in this update, so no preview showed it; promotion "reviewed" keeps ${relativeOf(current)} serving. Run preview to review it, then up`
    : unpreviewedReason(relativeOf(w.model), relativeOf(current));
  w.model = current;
}

const isNewResource = (olds: unknown) => !olds || Object.keys(olds as object).filter((k) => k !== "__provider").length === 0;
const knownForReads = (w: RolloutWaveInputs) => isKnown([w.model, w.targets, w.workspaceToken, w.armToken, w.storageAccountKey, w.storageUserDelegationKey, w.storageBlobEndpoint]);

/** Checked by the stub in resources/: raised when the calls it forwards change shape. */
export const API_VERSION = 1;

const lifecycle: pulumi.dynamic.ResourceProvider<RolloutWaveInputs, RolloutWaveState> = {
  async check(olds, news) {
    const { inputs, failures } = checkRolloutWave(news);
    if (failures.length === 0) {
      const declared = inputs.targets.map((t, k) => ({ target: isKnown(t) ? bindingTargetKey(bindingInputs(inputs, t)) : undefined, property: `targets[${k}]`, resource: `ModelRollout wave "${inputs.resourceName}"` }));
      failures.push(...declarationFailures(inputs.ownerStack, declared));
    }
    if (failures.length > 0 || !knownForReads(inputs)) return { inputs, failures: toCheckFailures(failures) };
    const isNew = isNewResource(olds);
    // The wave's model: its bytes' sha256 and trusted metrics, resolved once for every target (issue 16).
    const content = await resolveModelContent(storageOf(bindingInputs(inputs, inputs.targets[0])), "model", inputs.model, isNew ? undefined : (olds as RolloutWaveInputs).model);
    inputs.model = content.model;
    if (content.failures.length > 0) return { inputs, failures: toCheckFailures(content.failures) };
    if (isNew) {
      // Preview-time reads of a new wave (no diff runs for it): every target exists and names the trained model,
      // the blob is there, and the gate passes against what the targets serve now.
      const preflight = await eachTarget(inputs, inputs.targets, (t) => targetFor(t.kind).preflight(bindingInputs(inputs, t)));
      preflight.forEach((fs, k) => failures.push(...fs.map((f) => ({ ...f, property: `targets[${k}].${f.property}` }))));
      if (failures.length === 0) failures.push(...(await preflightModelBlob(bindingInputs(inputs, inputs.targets[0]))).failures);
      if (failures.length === 0) (await eachTarget(inputs, inputs.targets, (t) => claimFailures(bindingInputs(inputs, t)))).forEach((fs, k) => failures.push(...fs.map((f) => ({ ...f, property: `targets[${k}].${f.property}` }))));
      if (failures.length === 0) {
        const served = await servedModels(inputs, inputs.targets);
        await holdIfUnreviewed(inputs, served.get(targetKey(inputs.targets[0])));
        const gate = gateOverBaselines(inputs, [...served.values()]);
        if (gate.refusal && !inputs.heldModel) failures.push({ property: "gate", reason: gate.refusal, fix: "Nothing was written" });
      }
    } else {
      await holdIfUnreviewed(inputs, (olds as RolloutWaveInputs).model, (olds as RolloutWaveInputs).model);
    }
    return { inputs, failures: toCheckFailures(failures) };
  },

  async diff(_id, olds, news) {
    const pending = knownForReads(news) ? pendingTargets(olds, news) : news.targets;
    const changes = pending.length > 0 || olds.targets?.length !== news.targets.length || stableJson([olds.gate, olds.verification, olds.promotion, olds.heldModel]) !== stableJson([news.gate, news.verification, news.promotion, news.heldModel]);
    if (changes && knownForReads(news) && isKnown(news.gate) && !news.heldModel && modelIdentity(olds.model) !== modelIdentity(news.model)) {
      const gate = gateOverBaselines(news, [olds.model]);
      if (gate.refusal) throw new Error(gate.refusal);
    }
    return { changes, replaces: [], deleteBeforeReplace: false };
  },

  async create(inputs) {
    const id = `${inputs.resourceName}/${inputs.wave ?? 0}`;
    const served = await servedModels(inputs, inputs.targets);
    if (inputs.heldModel) {
      const bound = inputs.targets.map((t) => withoutUndefined({ key: targetKey(t), model: identityOf(served.get(targetKey(t))) ?? { container: "", path: "", etag: "" }, verifiedBy: "held" }));
      return { id, outs: withoutUndefined({ ...inputs, bound }) as RolloutWaveState };
    }
    const bound = await bindWave(id, inputs, inputs.targets, served, []);
    return { id, outs: withoutUndefined({ ...inputs, bound, gateVerdict: gateOverBaselines(inputs, [...served.values()]).verdict }) as RolloutWaveState };
  },

  async read(id, props) {
    // Drift per target: what each serves now; a target that moved shows as pending in the next diff.
    const state = props as RolloutWaveState;
    const served = await servedModels(state, state.targets);
    const bound = (state.bound ?? []).map((b) => {
      const now = served.get(b.key);
      return now && !sameBytes(now, b.model) ? { ...b, model: identityOf(now)!, verifiedBy: "refresh" } : b;
    });
    // A promotion a crash cut short after a target's write is audited now (interrupted.ts).
    const drifted = state.targets.filter((t) => {
      const now = served.get(targetKey(t));
      const was = state.bound?.find((b) => b.key === targetKey(t));
      return now && was && !sameBytes(now, was.model);
    });
    await eachTarget(state, drifted, (t) => recordInterrupted(bindingInputs(state, t), relativeOf(served.get(targetKey(t))!)));
    const { bound: _b, gateVerdict: _g, ...inputs } = state;
    return { id, props: { ...state, bound }, inputs: inputs as RolloutWaveState };
  },

  async update(id, olds, news) {
    if (news.heldModel) return { outs: withoutUndefined({ ...news, bound: olds.bound ?? [], gateVerdict: olds.gateVerdict }) as RolloutWaveState };
    const pending = pendingTargets(olds, news);
    if (pending.length === 0) return { outs: withoutUndefined({ ...news, bound: olds.bound, gateVerdict: olds.gateVerdict }) as RolloutWaveState };
    // The previous model of a target this wave bound is in state; a new target is read.
    const previous = new Map<string, ModelBlobRef | undefined>();
    const recorded = new Map((olds.bound ?? []).map((b) => [b.key, b]));
    const unknown = pending.filter((t) => !recorded.get(targetKey(t))?.model.etag);
    const read = unknown.length ? await servedModels(news, unknown) : new Map();
    // A target bound to a content-addressed copy is restored to that copy; distinct locations are read once.
    const byLocation = new Map<string, Promise<ModelBlobRef>>();
    for (const t of pending) {
      const key = targetKey(t);
      const b = recorded.get(key);
      if (!b?.model.etag) previous.set(key, read.get(key));
      else if (!b.model.sha256 && modelIdentity(b.model) === modelIdentity(olds.model)) previous.set(key, olds.model);
      else {
        // The copy when the wave wrote one; a target recorded as held or bound before copies serves the path itself.
        const copy = b.model.sha256 ? relativeOf({ container: b.model.container, path: copyPathFor(b.model.sha256) }) : undefined;
        const location = copy ?? relativeOf(b.model);
        if (!byLocation.has(location)) {
          const i = bindingInputs(news, t);
          byLocation.set(location, modelAt(i, location).then((m) => (m.etag || !copy ? m : modelAt(i, relativeOf(b.model)))));
        }
        previous.set(key, await byLocation.get(location));
      }
    }
    const bound = await bindWave(id, news, pending, previous, olds.bound ?? []);
    await eachTarget(olds, (olds.targets ?? []).filter((t) => !news.targets.some((n) => targetKey(n) === targetKey(t))), (t) => releaseClaim(bindingInputs(olds, t)));
    return { outs: withoutUndefined({ ...news, bound, gateVerdict: gateOverBaselines(news, [...previous.values()]).verdict }) as RolloutWaveState };
  },

  async delete(_id, props) {
    // Like a binding: the targets keep serving the last bound model, and their claims are released.
    await eachTarget(props, props.targets ?? [], (t) => releaseClaim(bindingInputs(props, t)));
  },
};

/** What the stub forwards to: the lifecycle with the current stack config's credentials applied. */
export const provider = withCredentials(lifecycle);
export const rolloutWaveProvider = provider;
export { servedModel };
