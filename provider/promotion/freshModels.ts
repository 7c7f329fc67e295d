/**
 * Models trained in this deployment. Every dynamic resource of a deployment is served by one provider process, so a
 * run that trains at apply registers its model here and a binding in the same `up` can tell that no preview
 * showed that model: under `promotion: "reviewed"` it holds the promotion instead of writing (issue 9).
 */
import { modelKey } from "./history";
import { InputFailure, isKnown } from "../validation";

const trainedHere = new Set<string>();

export function markTrainedInThisDeployment(model: { container: string; path: string; etag: string }): void {
  trainedHere.add(modelKey(model));
}

export function wasTrainedInThisDeployment(model: { container: string; path: string; etag: string } | undefined): boolean {
  return !!model && trainedHere.has(modelKey(model));
}

/**
 * `reviewed` (default): a model no preview showed is held. `gated`: the gate alone approves. `pinned` (issue 17):
 * only a model pinned in stack config (pinnedModel: it carries `sha256`) is ever bound, so no `up`, however started,
 * promotes what no merged pin approved.
 */
export type PromotionPolicy = "reviewed" | "gated" | "pinned";
/** The careful default: nothing reaches a scoring target that no reviewer saw in a preview. */
export const DEFAULT_PROMOTION_POLICY: PromotionPolicy = "reviewed";
export const PROMOTION_POLICIES: readonly PromotionPolicy[] = ["reviewed", "gated", "pinned"];
export const PROMOTION_POLICIES_FIX = 'Use "reviewed" (hold a model no preview showed), "gated" (promote at apply when the gate passes) or "pinned" (only a model pinned in stack config)';

/**
 * Under `promotion: "pinned"`, a known model that is not a pin from stack config (pinnedModel sets `pinnedFrom` and
 * the pin's sha256) is refused (once, whoever asks).
 */
export function checkPinnedModel(out: InputFailure[], promotion: unknown, model: unknown): void {
  if (promotion !== "pinned" || !isKnown(model) || !model || typeof model !== "object") return;
  const { sha256, pinnedFrom } = model as { sha256?: unknown; pinnedFrom?: unknown };
  if (typeof sha256 === "string" && /^[0-9a-f]{64}$/.test(sha256) && typeof pinnedFrom === "string" && pinnedFrom.startsWith("config:")) return;
  const failure = {
    property: "model.sha256",
    reason: 'promotion "pinned" binds only a model pinned in stack config, and this model is not one',
    fix: "Take the model from pinnedModel(config, key, storage): its pin { container, path, sha256 } in Pulumi.<stack>.yaml is what a pull request approves",
  };
  if (!out.some((o) => o.property === failure.property && o.reason === failure.reason)) out.push(failure);
}
