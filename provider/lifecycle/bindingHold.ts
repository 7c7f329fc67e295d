/**
 * When a binding holds a promotion (issue 17): under `promotion: "reviewed"` a model is bound only when a preview
 * showed it (promotion/previewLedger.ts) or it is a pin; otherwise check keeps the served model and records the held
 * one, and create and update write nothing.
 */
import { sameBytes } from "../promotion/immutableCopy";
import { holdCause, unpreviewedReason } from "../promotion/previewLedger";
import { TrainedModelBindingInputs, nameOf, relativeOf, storageOf } from "../targets/target";
import { ModelBlobRef, isKnown } from "../validation";
import { servedModel } from "./bindingApply";
import { storageOnly, targetOnly } from "./bindingKnown";

/**
 * Holds a reviewed promotion nothing approved, at check: the inputs keep the model served now (so the stored inputs,
 * which the next preview's diff display starts from, show it old → new) and record the held model and why. Create
 * and update then write nothing.
 */
export async function holdIfUnreviewed(i: TrainedModelBindingInputs, recorded: ModelBlobRef | undefined): Promise<void> {
  if (!isKnown(targetOnly(i)) || !isKnown(storageOnly(i))) return;
  if (!i.model) return;
  const cause = await holdCause({ promotion: i.promotion, pinned: i.pin !== undefined, model: i.model, declared: recorded, ownerStack: i.ownerStack, resourceName: nameOf(i), access: storageOf(i) });
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
