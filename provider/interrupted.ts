/**
 * The audit after a crash (issue 18). A promotion's audit line is written after its write is verified, so a run
 * killed between the write and the line left targets serving the new model with an audit naming the old one, and
 * the README's recovery (refresh) then took the new model as drift: no later up had anything to write or audit.
 *
 * So every promotion first leaves a marker, `azureml-retrain/pending/<target key>.json` (what it is about to bind,
 * from what, by whom), and removes it once its audit line is written or it ended without changing what serves.
 * A marker still there means a run died mid-promotion: when refresh (or the next up's read) finds its target
 * serving the marked model, the promotion is recorded then, marked `interrupted`, and the marker removed.
 */
import { appendStateText, createStateBlob, deleteStateBlob, readStateBlob, replaceStateBlob } from "./clients/stateBlobs";
import { AuditedModel, PromotionRecord, actorOf, auditPath } from "./audit";
import { bindingTargetKey } from "./ownership";
import { TrainedModelBindingInputs, nameOf, relativeOf, storageOf } from "./targets/target";
import { copyPathFor } from "./promotion/immutableCopy";

interface PendingPromotion {
  stack: string;
  binding: string;
  actor: string;
  operation: PromotionRecord["operation"];
  startedAt: string;
  from?: AuditedModel;
  to: AuditedModel;
}

export function pendingPath(key: string): string {
  return `pending/${key}.json`;
}

const audited = (m: AuditedModel | undefined): AuditedModel | undefined =>
  m?.container && m.path ? (JSON.parse(JSON.stringify({ container: m.container, path: m.path, etag: m.etag || undefined, sha256: m.sha256 || undefined, lastModified: m.lastModified || undefined, metrics: m.metrics })) as AuditedModel) : undefined;

/** Where a target promoted to `to` reports its model: the content-addressed copy of its bytes (issue 16), or its path. */
function boundLocationsOf(to: AuditedModel): string[] {
  return [relativeOf(to), ...(to.sha256 ? [`${to.container}/${copyPathFor(to.sha256)}`] : [])];
}

/** Before a promotion's write: the marker (replacing one a crashed run left). */
export async function markPromotion(i: TrainedModelBindingInputs, operation: PromotionRecord["operation"], from: AuditedModel | undefined): Promise<void> {
  const key = bindingTargetKey(i);
  if (typeof i.ownerStack !== "string" || !key) return;
  const marker: PendingPromotion = { stack: i.ownerStack, binding: nameOf(i), actor: actorOf(i), operation, startedAt: new Date().toISOString(), ...(audited(from) ? { from: audited(from) } : {}), to: audited(i.model)! };
  const access = storageOf(i);
  if (await createStateBlob(access, pendingPath(key), marker)) return;
  const stale = await readStateBlob<PendingPromotion>(access, pendingPath(key));
  if (!stale || !(await replaceStateBlob(access, pendingPath(key), marker, stale.etag))) await createStateBlob(access, pendingPath(key), marker);
}

/** After the promotion's audit line, or a promotion that left what serves unchanged: the marker goes. */
export async function clearPromotion(i: TrainedModelBindingInputs): Promise<void> {
  const key = bindingTargetKey(i);
  if (typeof i.ownerStack !== "string" || !key) return;
  const marker = await readStateBlob<PendingPromotion>(storageOf(i), pendingPath(key));
  if (marker && marker.value.stack === i.ownerStack) await deleteStateBlob(storageOf(i), pendingPath(key), marker.etag);
}

/** Runs a promotion between its marker and the marker's removal; a crash in between leaves the marker. */
export async function markedPromotion<T>(i: TrainedModelBindingInputs, operation: PromotionRecord["operation"], from: AuditedModel | undefined, run: () => Promise<T>): Promise<T> {
  await markPromotion(i, operation, from);
  try {
    return await run();
  } finally {
    await clearPromotion(i).catch(() => undefined);
  }
}

/**
 * Refresh found `served` (container/path) on a target whose state names another model: when a crashed run's
 * marker says it was promoting exactly that model, its audit line is written now, marked interrupted. True when
 * it recorded one.
 */
export async function recordInterrupted(i: TrainedModelBindingInputs, served: string): Promise<boolean> {
  const key = bindingTargetKey(i);
  if (typeof i.ownerStack !== "string" || !key) return false;
  const access = storageOf(i);
  const marker = await readStateBlob<PendingPromotion>(access, pendingPath(key));
  if (!marker || marker.value.stack !== i.ownerStack || !boundLocationsOf(marker.value.to).includes(served)) return false;
  const m = marker.value;
  const record: PromotionRecord = {
    at: new Date().toISOString(), actor: m.actor, stack: m.stack, target: key, binding: m.binding, operation: m.operation,
    ...(m.from ? { from: m.from } : {}), to: m.to, verifiedBy: "refresh", interrupted: { startedAt: m.startedAt, foundBy: "refresh" },
  };
  await appendStateText(access, auditPath(key), `${JSON.stringify(record)}\n`);
  await deleteStateBlob(access, pendingPath(key), marker.etag);
  return true;
}
