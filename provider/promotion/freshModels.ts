/**
 * Models trained in this deployment. Every dynamic resource of a deployment is served by one provider process, so a
 * run that trains at apply registers its model here and a binding in the same `up` can tell that no preview
 * showed that model: under `promotion: "reviewed"` it holds the promotion instead of writing (issue 9).
 */
import { modelKey } from "./history";

const trainedHere = new Set<string>();

export function markTrainedInThisDeployment(model: { container: string; path: string; etag: string }): void {
  trainedHere.add(modelKey(model));
}

export function wasTrainedInThisDeployment(model: { container: string; path: string; etag: string } | undefined): boolean {
  return !!model && trainedHere.has(modelKey(model));
}

export type PromotionPolicy = "reviewed" | "gated";
/** The careful default: nothing reaches a scoring target that no reviewer saw in a preview. */
export const DEFAULT_PROMOTION_POLICY: PromotionPolicy = "reviewed";
export const PROMOTION_POLICIES: readonly PromotionPolicy[] = ["reviewed", "gated"];
