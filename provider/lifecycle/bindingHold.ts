/**
 * When a binding holds a promotion (issue 17): under `promotion: "reviewed"` a model is bound only when a preview
 * showed it (promotion/previewLedger.ts) or it is a pin; otherwise check keeps the served model and records the held
 * one, and create and update write nothing.
 */
import { DEFAULT_PROMOTION_POLICY, wasTrainedInThisDeployment } from "../promotion/freshModels";
import { sameBytes } from "../promotion/immutableCopy";
import { unpreviewedReason, wasPreviewed } from "../promotion/previewLedger";
import { TrainedModelBindingInputs, nameOf, relativeOf, storageOf } from "../targets/target";
import { ModelBlobRef, isKnown } from "../validation";
import { servedModel } from "./bindingApply";
import { storageOnly, targetOnly } from "./bindingKnown";

/**
 * Under `promotion: "reviewed"` (issue 17) a promotion is approved by a preview that showed its model (the marker the
 * program records in a preview: promotion/previewLedger.ts) or by a pin; a model trained in this same deployment was
 * in no preview. Why the promotion must be held, or undefined when it may go on. `declared`: the model declared
 * before (no promotion when it is the same bytes).
 */
async function holdCause(i: TrainedModelBindingInputs, declared: ModelBlobRef | undefined): Promise<"trained" | "unpreviewed" | undefined> {
  if ((i.promotion ?? DEFAULT_PROMOTION_POLICY) !== "reviewed" || i.pin !== undefined || !isKnown(i.model) || !i.model || i.model.pinnedFrom) return undefined;
  if (wasTrainedInThisDeployment(i.model)) return "trained";
  if (sameBytes(declared, i.model) || !isKnown(storageOnly(i)) || typeof i.ownerStack !== "string") return undefined;
  return (await wasPreviewed(storageOf(i), i.ownerStack, nameOf(i), i.model)) ? undefined : "unpreviewed";
}

/**
 * Holds a reviewed promotion nothing approved, at check: the inputs keep the model served now (so the stored inputs,
 * which the next preview's diff display starts from, show it old → new) and record the held model and why. Create
 * and update then write nothing.
 */
export async function holdIfUnreviewed(i: TrainedModelBindingInputs, recorded: ModelBlobRef | undefined): Promise<void> {
  if (!isKnown(targetOnly(i)) || !isKnown(storageOnly(i))) return;
  const cause = await holdCause(i, recorded).catch(() => "unpreviewed" as const);
  if (!cause) return;
  let served = await servedModel(i).catch(() => undefined);
  if (!served || sameBytes(served, i.model)) return;
  // The target serves the copy of the model state records: keep naming it by the blob the program declared.
  if (recorded && sameBytes(served, recorded)) served = recorded;
  i.heldModel = i.model;
  i.heldReason =
    cause === "trained"
      ? `${relativeOf(i.model)} was trained in this update, so no preview showed it; promotion "reviewed" keeps ${relativeOf(served)} serving. Run preview to review it, then up (or set promotion: "gated")`
      : unpreviewedReason(relativeOf(i.model), relativeOf(served));
  i.model = served;
}
