/**
 * A ModelRollout's plan, checked as a check failure of its first wave (issue 18): `canary` and `waveSize` are
 * arguments of a component, which has no check of its own, so a wrong value used to surface as an exception with
 * a stack trace (waveSize 0) or not at all (a canary larger than the rollout). The component builds its waves from
 * safe values and hands the arguments as given to the first wave, whose check refuses them before any read.
 */
import type { InputFailure } from "../validation";
import { isUnknown } from "../validation";

export interface RolloutPlan {
  canary?: number;
  waveSize?: number;
  /** How many targets the rollout has. */
  targets: number;
}

/** What is wrong with a plan, as check failures (empty when it is fine). */
export function rolloutPlanFailures(plan: RolloutPlan | undefined): InputFailure[] {
  if (!plan || isUnknown(plan)) return [];
  const out: InputFailure[] = [];
  const { canary, waveSize, targets } = plan;
  if (canary !== undefined && (typeof canary !== "number" || !Number.isInteger(canary) || canary < 0)) {
    out.push({ property: "rolloutPlan.canary", reason: `canary ${JSON.stringify(canary)} is not a whole number of targets`, fix: `Give 0 (no canary) up to ${targets}, the number of targets` });
  } else if (canary !== undefined && canary > targets) {
    out.push({ property: "rolloutPlan.canary", reason: `canary ${canary} is more than the ${targets} target${targets === 1 ? "" : "s"} of the rollout`, fix: `Give at most ${targets}, or add the targets the canary should cover` });
  }
  if (waveSize !== undefined && (typeof waveSize !== "number" || !Number.isInteger(waveSize) || waveSize < 1)) {
    out.push({ property: "rolloutPlan.waveSize", reason: `waveSize ${JSON.stringify(waveSize)} is not a whole number of targets of at least 1`, fix: "Give the number of targets per wave after the canary, or leave waveSize out for one wave" });
  }
  return out;
}

/** The plan's values when valid, else the defaults (canary 1, one wave for the rest): the waves still build. */
export function safePlanValues(plan: RolloutPlan): { canary: number; waveSize?: number } {
  const bad = new Set(rolloutPlanFailures(plan).map((f) => f.property));
  return { canary: bad.has("rolloutPlan.canary") ? 1 : plan.canary ?? 1, waveSize: bad.has("rolloutPlan.waveSize") ? undefined : plan.waveSize };
}
