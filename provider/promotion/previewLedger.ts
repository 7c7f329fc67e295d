/**
 * What approves a promotion under `promotion: "reviewed"` (issue 17): a preview that showed the model. The provider
 * cannot tell a preview from the update pass of an `up` (both run check and diff), but the program can
 * (`pulumi.runtime.isDryRun()`). So in a preview the program records, per stack, resource and model identity, a
 * marker blob `azureml-retrain/previews/<stack>/<resource>/<identity hash>.json` before the resource is registered
 * (resources/previewMarker.ts), and check holds a promotion whose model has no marker: an Automation API `up`, an
 * `up --skip-preview` or `--target`, or a destroy and re-create binds only what some preview of the stack showed.
 * The identity is container/path/etag (what the program declared), so an overwritten blob is another model.
 */
import { createHash } from "crypto";
import type { StorageAccess } from "../clients/storage";
import { createStateBlob, readStateText } from "../clients/stateBlobs";
import { DEFAULT_PROMOTION_POLICY, wasTrainedInThisDeployment } from "./freshModels";
import { modelKey } from "./history";
import { sameBytes } from "./immutableCopy";
import type { ModelBlobRef } from "../validation";

type Identity = { container: string; path: string; etag: string };

export function previewMarkerPath(ownerStack: string, resourceName: string, model: Identity): string {
  const segment = (s: string) => s.replace(/\//g, "%2F");
  const identity = createHash("sha256").update(modelKey(model)).digest("hex");
  return `previews/${segment(ownerStack)}/${segment(resourceName)}/${identity}.json`;
}

/** Records that a preview of `ownerStack` showed `resourceName` with `model` (create-only: the first preview's time stays). */
export async function recordPreviewed(access: StorageAccess, ownerStack: string, resourceName: string, model: Identity, at = new Date()): Promise<void> {
  const { container, path, etag } = model;
  await createStateBlob(access, previewMarkerPath(ownerStack, resourceName, model), { at: at.toISOString(), stack: ownerStack, resource: resourceName, model: { container, path, etag } });
}

export async function wasPreviewed(access: StorageAccess, ownerStack: string, resourceName: string, model: Identity): Promise<boolean> {
  return (await readStateText(access, previewMarkerPath(ownerStack, resourceName, model))) !== undefined;
}

/** What decides whether a reviewed promotion may go on: the same for a binding and a rollout wave. */
export interface ApprovalQuestion {
  promotion: string | undefined;
  /** A pin (`pin:` or a pinnedModel reference) approves by itself. */
  pinned: boolean;
  model: ModelBlobRef;
  /** The model the resource declared before: the same bytes are no promotion. */
  declared: ModelBlobRef | undefined;
  ownerStack: string | undefined;
  resourceName: string;
  access: StorageAccess;
}

/**
 * Why a promotion must be held under `promotion: "reviewed"`, or undefined when it may go on: `trained` (trained in
 * this deployment, so in no preview) or `unpreviewed` (no marker). A ledger that cannot be read holds too: the safe
 * side.
 */
export async function holdCause(q: ApprovalQuestion): Promise<"trained" | "unpreviewed" | undefined> {
  if ((q.promotion ?? DEFAULT_PROMOTION_POLICY) !== "reviewed" || q.pinned || q.model.pinnedFrom) return undefined;
  if (wasTrainedInThisDeployment(q.model)) return "trained";
  if (sameBytes(q.declared, q.model) || typeof q.ownerStack !== "string") return undefined;
  const previewed = await wasPreviewed(q.access, q.ownerStack, q.resourceName, q.model).catch(() => false);
  return previewed ? undefined : "unpreviewed";
}

/** Why a reviewed promotion is held when no preview showed its model. */
export function unpreviewedReason(model: string, served: string): string {
  return (
    `no preview of this stack showed ${model}, and promotion "reviewed" binds only a model a preview showed (or a pin), ` +
    `so ${served} keeps serving. Run pulumi preview (or azureml-retrain-review) to review it, then up; or pin it`
  );
}
