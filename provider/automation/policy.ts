/**
 * Which model a source wants (issue 17 item 2), the way Flux's ImagePolicy picks a tag: newest by time, by a
 * numeric run id, or the newest whose metrics pass the gate. Pure apart from `metricsOf`, which the gate policy
 * calls newest first and stops at the first model that passes.
 */
import type { BlobIdentity, ModelMetrics } from "../clients/storage";
import { GateArgs, checkGateArgs, evaluateGate } from "../promotion/gate";
import type { InputFailure } from "../validation";

export type ModelPolicy = "newest" | "run-id" | "gate";
export const MODEL_POLICIES: readonly ModelPolicy[] = ["newest", "run-id", "gate"];

/** One model source: where new models land and which one to pin. */
export interface ModelSource {
  /** Stack config key of the pin (`model`, or `project:model`). */
  key: string;
  container: string;
  /** Only blobs under this path, e.g. `census/`. */
  prefix?: string;
  /** Default `newest`. */
  policy?: ModelPolicy;
  /** `run-id`: a regular expression whose first group is the numeric run id. Default: the last number in the path. */
  runIdPattern?: string;
  /** `gate`: the rules a model must pass (maxDrop against the currently pinned model's metrics). */
  gate?: GateArgs;
}

/** Every problem of a source, all at once, each naming the field and the fix. */
export function checkModelSource(s: Partial<ModelSource>, where: string): string[] {
  const out: string[] = [];
  if (!s.key || typeof s.key !== "string") out.push(`${where}.key: give the stack config key of the pin, e.g. "model"`);
  if (!s.container || typeof s.container !== "string") out.push(`${where}.container: give the container the models land in`);
  if (s.policy !== undefined && !MODEL_POLICIES.includes(s.policy)) out.push(`${where}.policy: "${String(s.policy)}" is not a policy: use ${MODEL_POLICIES.join(", ")}`);
  if (s.runIdPattern !== undefined) {
    try {
      if (!/\((?!\?)/.test(s.runIdPattern)) out.push(`${where}.runIdPattern: needs a capture group around the run id, e.g. "runs/(\\\\d+)/"`);
      new RegExp(s.runIdPattern);
    } catch (err) {
      out.push(`${where}.runIdPattern: ${(err as Error).message}`);
    }
  }
  if (s.policy === "gate") {
    const failures: InputFailure[] = [];
    if (!s.gate) out.push(`${where}.gate: the gate policy needs rules, e.g. { minimum: { auc: 0.85 } }`);
    checkGateArgs(failures, `${where}.gate`, s.gate);
    out.push(...failures.map((f) => `${f.property}: ${f.reason}. ${f.fix}`));
  }
  return out;
}

export function runIdOf(path: string, pattern?: string): number | undefined {
  const m = pattern ? new RegExp(pattern).exec(path) : /(\d+)(?!.*\d)/.exec(path);
  return m?.[1] !== undefined && /^\d+$/.test(m[1]) ? Number(m[1]) : undefined;
}

function newestFirst(a: BlobIdentity, b: BlobIdentity): number {
  return Date.parse(b.lastModified) - Date.parse(a.lastModified) || (a.path < b.path ? 1 : a.path > b.path ? -1 : 0);
}

/**
 * The model the source wants among `blobs` (every `.ilearner` under the prefix), or undefined when none
 * qualifies. `pinnedMetrics` are the currently pinned model's, the baseline of the gate's maxDrop.
 */
export async function chooseModel(
  source: ModelSource,
  blobs: BlobIdentity[],
  metricsOf: (b: BlobIdentity) => Promise<ModelMetrics | undefined>,
  pinnedMetrics?: ModelMetrics,
): Promise<{ model?: BlobIdentity; metrics?: ModelMetrics; reason: string }> {
  const models = blobs.filter((b) => b.path.toLowerCase().endsWith(".ilearner"));
  const where = `${source.container}/${source.prefix ?? ""}`;
  if (models.length === 0) return { reason: `no .ilearner under ${where}` };
  const policy = source.policy ?? "newest";
  if (policy === "run-id") {
    const numbered = models.map((b) => ({ b, id: runIdOf(b.path, source.runIdPattern) })).filter((x) => x.id !== undefined);
    if (numbered.length === 0) return { reason: `no model under ${where} has a run id${source.runIdPattern ? ` matching ${source.runIdPattern}` : ""}` };
    numbered.sort((x, y) => y.id! - x.id! || newestFirst(x.b, y.b));
    return { model: numbered[0].b, reason: `highest run id ${numbered[0].id}` };
  }
  const sorted = [...models].sort(newestFirst);
  if (policy === "newest") return { model: sorted[0], reason: "newest by last-modified" };
  for (const b of sorted) {
    const metrics = await metricsOf(b);
    const verdict = evaluateGate(source.gate ?? {}, pinnedMetrics, metrics);
    if (verdict.passed) return { model: b, metrics, reason: `newest passing the gate (${verdict.summary})` };
  }
  return { reason: `no model under ${where} passes the gate` };
}
