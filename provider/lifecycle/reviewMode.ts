/**
 * Review mode (issue 17 item 5). The engine stops a preview at the first step that fails, and `pulumi preview`
 * has no `--continue-on-error` (3.276: only up and destroy, and even there not for check failures), so a preview
 * with three refused targets reported one. The review command (provider/review/run.ts) therefore names a file in
 * AZUREML_RETRAIN_REVIEW_LOG; a provider process that sees it records each refusal (gate or integrity) of check or diff there
 * as one JSON line and lets the step go on as a change, so the preview reaches every resource and the review
 * reports every refusal once.
 *
 * Nothing else changes: without the variable a refusal fails preview and up as before, and create/update are
 * never wrapped (the gate runs again before any write, so a refused model is never promoted).
 */
import * as fs from "fs";

export const REVIEW_LOG_ENV = "AZUREML_RETRAIN_REVIEW_LOG";
/** Text a gate refusal carries (promotion/gate.ts `gateRefusal`). */
export const GATE_REFUSAL_MARKER = "gate refused the promotion";
/**
 * Texts an integrity refusal carries (issue 16: the blob no longer holds the bytes the program or the pin declares).
 * Like a gate refusal, it is a property of one target's model, so the review goes on past it and lists it.
 */
export const INTEGRITY_REFUSAL_MARKERS: readonly string[] = [
  "holds other bytes than the program declares",
  "changed since it was resolved",
  "is not the model the diff showed",
  "holds other bytes: expected sha256",
];
export const REFUSAL_MARKERS: readonly string[] = [GATE_REFUSAL_MARKER, ...INTEGRITY_REFUSAL_MARKERS];

export function isIntegrityRefusal(text: string): boolean {
  return INTEGRITY_REFUSAL_MARKERS.some((m) => text.includes(m));
}

export interface RecordedRefusal {
  /** The resource's name (its `resourceName` input). */
  resource: string;
  /** The refusal's text as the provider would have failed with. */
  message: string;
}

type Props = Record<string, unknown>;

function isRefusal(text: unknown): text is string {
  return typeof text === "string" && REFUSAL_MARKERS.some((m) => text.includes(m));
}

function nameOf(inputs: unknown): string {
  const i = (inputs ?? {}) as Props;
  return String(i.__name ?? i.resourceName ?? "unknown");
}

function record(file: string, r: RecordedRefusal): void {
  fs.appendFileSync(file, `${JSON.stringify(r)}\n`, { mode: 0o600 });
}

/** The refusals a review's preview recorded, once per resource and message. */
export function readRefusals(file: string): RecordedRefusal[] {
  let text = "";
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const seen = new Set<string>();
  const out: RecordedRefusal[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as RecordedRefusal;
    const key = `${r.resource}\n${r.message}`;
    if (!seen.has(key)) out.push(r);
    seen.add(key);
  }
  return out;
}

/**
 * Wraps one lifecycle method (already in wire form). In review mode a refused check keeps its other failures and
 * a refused diff reports a change; otherwise the method is returned unchanged.
 */
export function reviewAware(method: string, fn: (...args: unknown[]) => Promise<unknown>): (...args: unknown[]) => Promise<unknown> {
  if (method !== "check" && method !== "diff") return fn;
  return async (...args: unknown[]) => {
    const file = process.env[REVIEW_LOG_ENV];
    if (!file) return fn(...args);
    const news = method === "check" ? args[1] : args[2];
    if (method === "diff") {
      try {
        return await fn(...args);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (!isRefusal(message)) throw err;
        record(file, { resource: nameOf(news), message });
        return { changes: true, replaces: [], deleteBeforeReplace: false };
      }
    }
    const result = (await fn(...args)) as { inputs?: Props; failures?: Array<{ property: string; reason: string }> } | undefined;
    const refusals = (result?.failures ?? []).filter((f) => isRefusal(f.reason));
    if (!result || refusals.length === 0) return result;
    for (const f of refusals) record(file, { resource: nameOf(result.inputs ?? news), message: f.reason });
    return { ...result, failures: result.failures!.filter((f) => !refusals.includes(f)) };
  };
}
