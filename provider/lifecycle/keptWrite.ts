/**
 * A promotion failed after the service kept a write (issue 18): the verification failed and the rollback write was
 * refused, or there was nothing to roll back to. The engine then keeps whatever the update or create returns in its
 * error, so the binding records what the target really serves (read back now), marked `verifiedBy: "failed"`:
 * the next `up` sees a change and binds the declared model again, instead of trusting a state that says the old
 * model serves. The error names what serves.
 */
import { AuditedModel, recordPromotion } from "../audit";
import { initFailure } from "../errors";
import { TrainedModelBindingInputs, relativeOf } from "../targets/target";
import type { ModelBlobRef } from "../validation";
import { servedModel } from "./bindingApply";
import { locationServes } from "../promotion/immutableCopy";

/** What serves after a kept write: read back; when the read fails too, the model the write bound. */
export async function servedAfterKeptWrite(i: TrainedModelBindingInputs): Promise<ModelBlobRef> {
  return (await servedModel(i).catch(() => undefined)) ?? i.model;
}

/**
 * The error for a kept write: the cause, what serves now, and the state to record (`toState` builds it from the
 * served model). The engine records that state even though the step failed.
 */
export async function keptWriteFailure(
  i: TrainedModelBindingInputs,
  err: unknown,
  id: string,
  toState: (served: ModelBlobRef) => object,
  audit?: { operation: "create" | "update"; from: AuditedModel | undefined },
): Promise<Error> {
  const served = await servedAfterKeptWrite(i);
  if (audit) await auditKeptWrite(i, served, audit.operation, audit.from);
  const cause = err instanceof Error ? err.message : String(err);
  const message =
    `${cause.replace(/\s*$/, "")} The target serves ${relativeOf(served)}${served.etag ? ` (etag ${served.etag})` : ""} now; ` +
    `the binding's state records that, unverified, so the next up binds the declared model again.`;
  return initFailure(new Error(message), id, toState(served));
}

/**
 * The audit line of a kept write: the declared model when the target serves its bytes (its copy), else what the
 * target reports. Best effort: the failure the user sees matters more than the line, and it names what serves.
 */
async function auditKeptWrite(i: TrainedModelBindingInputs, served: ModelBlobRef, operation: "create" | "update", from: AuditedModel | undefined): Promise<void> {
  const servedLocation = relativeOf(served);
  const to = locationServes(servedLocation, i.model) ? i.model : served;
  await recordPromotion({ ...i, model: to }, { verifiedBy: "failed", boundLocation: servedLocation }, operation, from).catch(() => undefined);
}
