/**
 * The pack's rules over plain resource inputs (what `pulumi preview` hands a policy), without the policy SDK, so
 * they are unit-tested directly (test/unit/policy/rules.test.ts). Each returns the violation messages.
 */

/** URN types of our dynamic resources. */
export const TYPES = {
  binding: "pulumi-nodejs:dynamic/azureml:TrainedModelBinding",
  wave: "pulumi-nodejs:dynamic/azureml:RolloutWave",
  trainingService: "pulumi-nodejs:dynamic/azureml:TrainingService",
} as const;

export const DEFAULT_ENDPOINT_NAME = "default";
export const DEFAULT_GATED_STACK_PREFIX = "prod";

type Props = Record<string, any>;

export interface PolicyResource {
  type: string;
  name: string;
  urn: string;
  props: Props;
}

/** A classic scoring target: a binding's own coordinates, or one entry of a rollout wave's `targets`. */
interface ClassicTarget {
  label: string;
  props: Props;
}

const KIND = { [TYPES.binding]: "TrainedModelBinding", [TYPES.wave]: "RolloutWave" } as Record<string, string>;

export function isPromotion(type: string): boolean {
  return type === TYPES.binding || type === TYPES.wave;
}

/** `urn:pulumi:<stack>::<project>::<type>::<name>` → stack. */
export function stackOf(urn: string): string {
  const m = /^urn:pulumi:([^:]+)::/.exec(urn);
  return m ? m[1] : "";
}

/**
 * Reads one input, or undefined while preview cannot know it. The policy SDK's props throw on an unknown value,
 * which would skip the whole rule; a rule reads each field it needs through this instead.
 */
export function known<T = unknown>(read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    if ((err as Error)?.constructor?.name === "UnknownValueError") return undefined;
    throw err;
  }
}

function classicTargets(r: PolicyResource): ClassicTarget[] {
  const p = r.props;
  if (r.type === TYPES.binding) {
    // Recorded inputs keep targetKind as __targetKind (lifecycle/quiet.ts); a program-side value is still targetKind.
    return known(() => p.__targetKind ?? p.targetKind) === "arm" ? [] : [{ label: `${KIND[r.type]} "${r.name}"`, props: p }];
  }
  // Recorded inputs keep a wave's list whole as __targets (`targets` is then its one-line digest, lifecycle/quiet.ts).
  const targets = r.type === TYPES.wave ? known(() => p.__targets ?? p.targets) : undefined;
  if (!Array.isArray(targets)) return [];
  return targets
    .filter((t: Props) => t && known(() => t.kind) === "classic")
    .map((t: Props) => ({ label: `RolloutWave "${r.name}" target "${known(() => t.key) ?? "?"}"`, props: t }));
}

function str(read: () => unknown): string | undefined {
  const v = known(read);
  return typeof v === "string" ? v : undefined;
}

/** Rule 1: the default endpoint of a classic web service is never a promotion target. */
export function defaultEndpointViolations(r: PolicyResource): string[] {
  const out: string[] = [];
  for (const t of classicTargets(r)) {
    const name = str(() => t.props.endpointName);
    if (name === undefined || (name !== DEFAULT_ENDPOINT_NAME && name !== str(() => t.props.defaultEndpointName))) continue;
    out.push(
      `${t.label} targets the default endpoint "${name}" of web service ${str(() => t.props.webServiceId) ?? "(unknown)"}. ` +
        "The default endpoint serves every caller of the service and cannot be re-bound safely: bind an added endpoint (a ScoringEndpoint) instead.",
    );
  }
  return out;
}

/** The web-service id inside a classic ApiLocation (`.../workspaces/{ws}/services/{id}`), lower-cased. */
export function serviceIdOf(apiLocation: unknown): string | undefined {
  if (typeof apiLocation !== "string") return undefined;
  const m = /\/services\/([0-9a-f]{32})(?:[/?#]|$)/i.exec(apiLocation);
  return m ? m[1].toLowerCase() : undefined;
}

/**
 * Rule 2 (stack-wide): no binding or wave target is a training web service — one that is a `TrainingService` of
 * this stack (by the id in its apiLocation, or the same apiLocation) or listed in `trainingWebServiceIds`.
 */
export function trainingServiceViolations(resources: PolicyResource[], listedIds: string[] = []): Array<{ urn: string; message: string }> {
  const training = new Map<string, string>();
  for (const id of listedIds) training.set(id.toLowerCase(), `listed in trainingWebServiceIds`);
  const trainingLocations = new Map<string, string>();
  for (const r of resources.filter((x) => x.type === TYPES.trainingService)) {
    const loc = str(() => r.props.apiLocation);
    const id = serviceIdOf(loc);
    if (id) training.set(id, `the TrainingService "${r.name}"`);
    if (loc !== undefined) trainingLocations.set(trimSlash(loc), `the TrainingService "${r.name}"`);
  }
  const out: Array<{ urn: string; message: string }> = [];
  for (const r of resources.filter((x) => isPromotion(x.type))) {
    for (const t of classicTargets(r)) {
      const webServiceId = str(() => t.props.webServiceId);
      const apiLocation = str(() => t.props.apiLocation);
      const byId = webServiceId !== undefined ? training.get(webServiceId.toLowerCase()) : undefined;
      const byLocation = apiLocation !== undefined ? trainingLocations.get(trimSlash(apiLocation)) : undefined;
      const what = byId ?? byLocation;
      if (!what) continue;
      out.push({
        urn: r.urn,
        message:
          `${t.label} targets web service ${webServiceId ?? apiLocation}, which is a training service (${what}). ` +
          "A model bound there would replace what retraining runs, not what callers score: target the predictive web service's endpoint.",
      });
    }
  }
  return out;
}

function trimSlash(s: string): string {
  return s.replace(/\/+$/, "").toLowerCase();
}

const GATE_METRICS = ["auc", "accuracy", "precision", "recall", "f1"];

/** True when a gate declares at least one numeric rule (a minimum or a maximum drop). */
export function hasGateRule(gate: unknown): boolean {
  if (!gate || typeof gate !== "object") return false;
  const g = gate as Props;
  return ["minimum", "maxDrop"].some((k) => g[k] && typeof g[k] === "object" && GATE_METRICS.some((m) => typeof g[k][m] === "number"));
}

/** Rule 3: on stacks whose name starts with the prefix (default `prod`), bindings and waves declare a gate. */
export function missingGateViolations(r: PolicyResource, prefix = DEFAULT_GATED_STACK_PREFIX): string[] {
  if (!isPromotion(r.type)) return [];
  const stack = stackOf(r.urn);
  if (!stack.startsWith(prefix) || hasGateRule(r.props.gate)) return [];
  return [
    `${KIND[r.type]} "${r.name}" has no gate, and stack "${stack}" starts with "${prefix}": promotions there must pass a metric gate. ` +
      "Declare one, e.g. gate: { minimum: { auc: 0.85 }, maxDrop: { accuracy: 0.005 } } (gate.override records a deliberate exception).",
  ];
}

/** Rule 4: a promoted model comes from one of the containers the policy config allows. */
export function modelContainerViolations(r: PolicyResource, allowed: string[] | undefined): string[] {
  if (!isPromotion(r.type) || !allowed) return [];
  const container = r.props.model?.container;
  if (typeof container !== "string" || allowed.includes(container)) return [];
  return [
    `${KIND[r.type]} "${r.name}" promotes a model from container "${container}", which is not in allowedModelContainers ` +
      `(${allowed.map((c) => `"${c}"`).join(", ") || "none"}). Promote a model from an allowed container, or add "${container}" to the policy config.`,
  ];
}
