/** The scoring target a binding's inputs name. */
import { armTarget } from "./arm";
import { classicTarget } from "./classic";
import type { ScoringTarget, TargetKind } from "./target";

export function targetFor(kind: TargetKind | "ambiguous" | undefined): ScoringTarget {
  return kind === "arm" ? armTarget : classicTarget;
}
