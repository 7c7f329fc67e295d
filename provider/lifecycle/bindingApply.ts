/**
 * TrainedModelBinding at apply: re-check the blob and the gate, make the one write through the target, verify it
 * (read-back, probe, sample expectations) and, when verification fails after the write, restore the model bound
 * before in one more write (issue 9). Also what the target serves now, read as a model reference with its metrics.
 */
import { BlobIdentity, getBlobIdentity, splitRelativeLocation } from "../clients/storage";
import { provenanceOf, readModelManifest } from "../promotion/manifest";
import { describeIdentity, readModelIdentity, shortSha } from "../promotion/modelIdentity";
import { ChangedModelError, ensureImmutableCopy, isContentAddressed } from "../promotion/immutableCopy";
import { probeScoring } from "../clients/rrs";
import { DROPPED_CONNECTION_CODES, RETRYABLE_STATUSES } from "../transport";
import { failure, formatFailure, isServiceError } from "../errors";
import { GateVerdict, evaluateGate, gateRefusal, hasRules } from "../promotion/gate";
import { sampleMismatch } from "../promotion/samples";
import { modelRefOf } from "./runOutputs";
import { targetFor } from "../targets";
import { TYPE, TrainedModelBindingInputs, failuresToError, nameOf, relativeOf, secretsOf, sleep, storageOf } from "../targets/target";
import type { InputFailure, ModelBlobRef } from "../validation";

/** The input a failed storage read points at. */
export function storageProperty(i: Partial<TrainedModelBindingInputs>, err: unknown): string {
  if (!isServiceError(err) || err.status === undefined) return "storageBlobEndpoint";
  if (err.status === 401 || err.status === 403) return i.storageAccountKey ? "storageAccountKey" : "storageUserDelegationKey";
  return "model.path";
}

/**
 * Read-only blob check: exists, and is the version the program resolved (one HEAD). With a known sha256 the bytes
 * are proven too: the hash of that etag, computed once per process (a GET only when this process never read it).
 */
export async function preflightModelBlob(i: TrainedModelBindingInputs, when = "preview read of the model blob"): Promise<{ failures: InputFailure[]; identity?: BlobIdentity }> {
  let id: (BlobIdentity & { sha256?: string }) | undefined;
  try {
    id = i.model.sha256 ? await readModelIdentity(storageOf(i), i.model.container, i.model.path) : await getBlobIdentity(storageOf(i), i.model.container, i.model.path);
  } catch (err) {
    return { failures: [{ property: storageProperty(i, err), reason: formatFailure(TYPE, nameOf(i), when, err, undefined, secretsOf(i)), fix: "Nothing was written" }] };
  }
  if (!id) {
    return {
      failures: [{ property: "model.path", reason: `model blob ${relativeOf(i.model)} does not exist in storage account ${i.storageAccountName}`, fix: "Check model.container and model.path, or resolve the model again with getLatestModelBlob" }],
    };
  }
  if ((i.model.etag && id.etag !== i.model.etag) || (i.model.sha256 && id.sha256 !== i.model.sha256)) {
    return {
      failures: [{ property: "model.etag", reason: `model blob ${relativeOf(i.model)} is not the model the diff showed: it was ${describeIdentity(i.model)}, it is now ${describeIdentity(id)}`, fix: "Nothing was written. Run preview again so the binding shows and binds the current bytes" }],
      identity: id,
    };
  }
  return { failures: [], identity: id };
}

/** A blob as a model reference: its bytes' sha256 and the metrics its own manifest vouches for; a bare location when unreadable. */
export async function modelAt(i: TrainedModelBindingInputs, relative: string): Promise<ModelBlobRef> {
  const loc = splitRelativeLocation(relative);
  const access = storageOf(i);
  const content = await readModelIdentity(access, loc.container, loc.path).catch(() => undefined);
  if (!content) return { container: loc.container, path: loc.path, etag: "", lastModified: "", size: 0 };
  const manifest = await readModelManifest(access, loc.container, loc.path).catch(() => undefined);
  return modelRefOf(content, provenanceOf(content.sha256, manifest, relative).metrics);
}

/** What the target serves now, as a model reference (undefined when it names none). */
export async function servedModel(i: TrainedModelBindingInputs): Promise<ModelBlobRef | undefined> {
  let bound;
  try {
    bound = await targetFor(i.targetKind).readBound(i);
  } catch (err) {
    throw failure(TYPE, nameOf(i), "read the model the target serves", err, undefined, secretsOf(i));
  }
  return bound.gone || !bound.relative ? undefined : modelAt(i, bound.relative);
}

/** The gate of a promotion from `bound` to `i.model`; undefined without rules or for a pin (a human decision). */
export function gateOf(i: TrainedModelBindingInputs, bound: ModelBlobRef | undefined): GateVerdict | undefined {
  if (!hasRules(i.gate) || i.pin !== undefined) return undefined;
  return evaluateGate(i.gate, bound?.metrics, i.model.metrics, i.model.sha256);
}

/** A probe failure the service, not the model, caused: a retryable status or a dropped connection. */
function isTransient(err: unknown): boolean {
  return isServiceError(err) && (err.status === undefined ? !!err.code && DROPPED_CONNECTION_CODES.includes(err.code) : RETRYABLE_STATUSES.includes(err.status));
}

/** Verification failed after the write was accepted: what the target reported, for the rollback message. */
class VerificationFailure extends Error {}

/**
 * One write pointing the target at `model`, then verification: the target must report it bound, a probe (with
 * verification.sampleRow) must be served by it, and every verification.samples row must score as expected.
 */
async function writeAndVerify(i: TrainedModelBindingInputs, progress: { written: boolean }, withSamples: boolean): Promise<string> {
  const name = nameOf(i);
  const secrets = secretsOf(i);
  const target = relativeOf(i.model);
  const v = i.verification ?? {};
  const timeoutMs = (v.timeoutSeconds ?? 120) * 1000;
  const intervalMs = (v.intervalSeconds ?? 2) * 1000;
  const scoringTarget = targetFor(i.targetKind);

  let { apiLocation, probeKey } = await scoringTarget.bind(i, progress, Date.now() + timeoutMs);
  if (v.settleSeconds) await sleep(v.settleSeconds * 1000);
  const deadline = Date.now() + timeoutMs;
  let lastSeen = "";
  const probe = async (row: Record<string, unknown>, what: string) => {
    if (!apiLocation || !probeKey) {
      throw new Error(`${TYPE} "${name}": verify binding failed: no apiLocation or key for the scoring probe. Set apiLocation (and scoringKey for ARM), or remove verification.sampleRow and verification.samples.`);
    }
    try {
      // Transient answers are retried until the verification's own deadline (retryDeadline.ts).
      return await probeScoring(apiLocation, probeKey, row, v.inputName ?? "input1", i.http, deadline);
    } catch (err) {
      const hint = isTransient(err)
        ? `Scoring did not answer until verification.timeoutSeconds (${Math.round(timeoutMs / 1000)} s) ran out: that says nothing about the model. Raise verification.timeoutSeconds or retry when the service answers`
        : "The model is bound but scoring fails: check the model and the verification rows";
      throw new VerificationFailure(formatFailure(TYPE, name, `verify binding (${what})`, err, hint, [...secrets, probeKey]));
    }
  };
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
    let verifiedBy: string | undefined;
    if (readBackOk && !v.sampleRow) verifiedBy = "read-back";
    else if (readBackOk && v.sampleRow) {
      const served = await probe(v.sampleRow, "probe scoring request");
      const sameLocation = served.location !== undefined && served.location.replace(/^\/+/, "") === target;
      if (sameLocation && served.etag && i.model.etag && served.etag !== i.model.etag) {
        // The service loaded other bytes from that path (overwritten during the write): not the reviewed model.
        throw new VerificationFailure(`the target serves ${target} at etag ${served.etag}, not the reviewed ${describeIdentity(i.model)}: the blob was overwritten during the write`);
      }
      if (served.location === undefined) verifiedBy = "read-back+probe";
      else if (served.location.replace(/^\/+/, "") === target && (!served.etag || served.etag === i.model.etag)) verifiedBy = "model-headers";
      else lastSeen = `scoring served by ${served.location}${served.etag ? ` (etag ${served.etag})` : ""}`;
    }
    if (verifiedBy) {
      const samples = withSamples ? v.samples ?? [] : [];
      for (const [k, sample] of samples.entries()) {
        const miss = sampleMismatch(sample, await probe(sample.row, `sample ${k}`));
        if (miss) throw new VerificationFailure(`verification.samples[${k}] scored wrong on ${target}: ${miss}`);
      }
      return samples.length ? `${verifiedBy}+samples` : verifiedBy;
    }
    if (Date.now() > deadline) {
      throw new VerificationFailure(
        `after ${Math.round(timeoutMs / 1000)} s the target still reports ${lastSeen}, not ${target} (etag ${i.model.etag}); the write was accepted ("200 but still the old model"). Raise verification.timeoutSeconds or check the service`,
      );
    }
    await sleep(intervalMs);
  }
}

export interface PromotionResult {
  verifiedBy: string;
  boundLocation: string;
  gateVerdict?: GateVerdict;
}

/**
 * Promotes `i.model` over `previous` (the model served now, when known): blob still the one previewed, gate passes
 * (checked again here, before the write), one write, verification. When verification fails after the write, the
 * previous model is bound again (one write) and verified by read-back, and the error names both models: the target
 * is left on the model it served before, never half-bound. `progress.written` tells whether the new model stayed.
 */
export async function promote(i: TrainedModelBindingInputs, previous: ModelBlobRef | undefined, progress: { written: boolean }): Promise<PromotionResult> {
  const name = nameOf(i);
  const pre = await preflightModelBlob(i, "apply-time check of the model blob");
  if (pre.failures.length > 0) throw failuresToError(i, pre.failures);
  const gateVerdict = gateOf(i, previous);
  if (gateVerdict && !gateVerdict.passed) throw new Error(gateRefusal(TYPE, name, gateVerdict, previous, i.model, "apply"));

  const bound = await immutableModel(i);
  const verifiedBy = await writeVerifyOrRollback({ ...i, model: bound }, previous, progress, i.model);
  return { verifiedBy, boundLocation: relativeOf(bound), ...(gateVerdict ? { gateVerdict } : {}) };
}

/**
 * What the target is bound to: the content-addressed copy of the reviewed bytes (promotion/immutableCopy.ts), or
 * the model itself when its sha256 is not known (a reference resolved before this version). Refuses, before any
 * service write, when the source no longer holds the reviewed bytes.
 */
export async function immutableModel(i: TrainedModelBindingInputs): Promise<ModelBlobRef> {
  if (!i.model.sha256 || isContentAddressed(i.model.path)) return i.model;
  try {
    return await ensureImmutableCopy(storageOf(i), i.model);
  } catch (err) {
    if (err instanceof ChangedModelError) throw failuresToError(i, [{ property: "model.sha256", reason: err.message, fix: "Nothing was written. Run preview again so the binding shows and binds the current bytes" }]);
    throw failure(TYPE, nameOf(i), "write the content-addressed copy of the model", err, "Nothing was written to the target. The binding needs create and write on the model container", secretsOf(i));
  }
}

/**
 * The write and its verification; when verification fails after the write, `previous` is bound again (one write),
 * verified by read-back, and the error names both models. `i.model` is what is written (the content-addressed
 * copy); `source` is how messages name it. Returns how the new model was verified.
 */
export async function writeVerifyOrRollback(i: TrainedModelBindingInputs, previous: ModelBlobRef | undefined, progress: { written: boolean }, source: ModelBlobRef = i.model): Promise<string> {
  const name = nameOf(i);
  const written = { written: false };
  try {
    const verifiedBy = await writeAndVerify(i, written, true);
    progress.written = written.written;
    return verifiedBy;
  } catch (err) {
    progress.written = written.written;
    if (!(err instanceof VerificationFailure) || !written.written) throw err;
    const reason = err.message;
    if (!previous || !previous.etag) {
      throw new Error(`${TYPE} "${name}": verification of ${relativeOf(source)} failed: ${reason}. No earlier model is known to restore, so ${relativeOf(source)} stays bound; fix the model or the verification rows and run up again.`);
    }
    try {
      await writeAndVerify({ ...i, model: previous, verification: { ...i.verification, sampleRow: undefined } }, { written: false }, false);
    } catch (rollbackErr) {
      const why = rollbackErr instanceof Error ? rollbackErr.message : String(rollbackErr);
      throw new Error(`${TYPE} "${name}": verification of ${relativeOf(source)} failed: ${reason}. Rolling back to ${relativeOf(previous)} failed too: ${why}. Check the target by hand and run up again.`);
    }
    progress.written = false;
    throw new Error(
      `${TYPE} "${name}": verification of ${relativeOf(source)} (${source.sha256 ? shortSha(source.sha256) : `etag ${source.etag}`}) failed: ${reason}. ` +
        `Rolled back to ${relativeOf(previous)} (etag ${previous.etag}), verified by read-back: the target serves the model it served before. Fix the model or the verification samples, then run up again.`,
    );
  }
}
