/**
 * One declaration per target per stack (issue 18). Claims (ownership.ts) keep two stacks apart; inside one stack,
 * two resources declaring one target (two bindings, a binding and a rollout, two rollouts) would flip it between
 * their models on every refresh + up. Every resource of a stack is checked in the same provider process during a
 * preview or an update, so `check` records here which resource declares which target, and refuses the second.
 *
 * Active only under the engine (`configure` ran, credentials.ts): a test process driving `check` directly with
 * many resources over the same endpoints is not one stack's program.
 */
import type { InputFailure } from "./validation";

const KEY = Symbol.for("pulumi-azureml-retrain/declarations");

interface Registry {
  active: boolean;
  /** `<stack>|<target key>` → the resource that declared it first in this run. */
  byTarget: Map<string, string>;
}

function registry(): Registry {
  const g = globalThis as unknown as Record<symbol, Registry | undefined>;
  return (g[KEY] ??= { active: false, byTarget: new Map() });
}

/** Called by `configure`: this process serves one engine run of one stack. */
export function activateDeclarations(): void {
  registry().active = true;
}

export interface Declaration {
  /** bindingTargetKey of the target; undefined while unknown (skipped). */
  target: string | undefined;
  /** The input the failure names, e.g. `endpointName` or `targets[2]`. */
  property: string;
  /** How a user knows the resource: `TrainedModelBinding "scoring-model"`, `ModelRollout wave "fleet-canary"`. */
  resource: string;
}

/** Records the declarations of one resource; a failure for each target another resource declared first. */
export function declarationFailures(stack: string | undefined, declarations: Declaration[]): InputFailure[] {
  const r = registry();
  if (!r.active || !stack) return [];
  const out: InputFailure[] = [];
  for (const d of declarations) {
    if (!d.target) continue;
    const key = `${stack}|${d.target}`;
    const first = r.byTarget.get(key);
    if (first === undefined) r.byTarget.set(key, d.resource);
    else if (first !== d.resource) {
      out.push({
        property: d.property,
        reason: `target ${d.target} is declared twice in stack ${stack}: by ${first} and by ${d.resource}; each would bind its own model over the other's on every up`,
        fix: `Nothing was written. Declare each target once per stack: remove it from one of ${first} and ${d.resource}`,
      });
    }
  }
  return out;
}
