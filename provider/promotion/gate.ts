/**
 * The metric gate (issue 9): absolute minimums and limits relative to the model currently bound, over the metrics of
 * the evaluation output beside each model. Pure: the binding and the rollout evaluate it at preview (when the new
 * model is known) and again at apply, before the write; the review command renders the same verdict.
 */
import type { ModelMetrics } from "../clients/storage";
import type { InputFailure, ModelBlobRef } from "../validation";
import { isUnknown } from "../validation";

export const METRIC_NAMES = ["auc", "accuracy", "precision", "recall", "f1"] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export interface GateArgs {
  /** Absolute minimums, e.g. `{ auc: 0.85 }`: the new model must reach each. */
  minimum?: Partial<Record<MetricName, number>>;
  /** Largest drop allowed against the model currently bound, e.g. `{ accuracy: 0.005 }`. */
  maxDrop?: Partial<Record<MetricName, number>>;
  /**
   * A deliberate override of one model (issue 16): promote the model whose bytes hash to `sha256` even when a rule
   * fails, for `reason`. It has no effect on any other model. It is an input, so it shows in the preview diff beside
   * the model change; the verdict records it.
   */
  override?: GateOverride;
}

export interface GateOverride {
  /** The SHA-256 of the model this override approves (the `sha256` the preview shows). */
  sha256: string;
  reason: string;
}

export interface GateCheck {
  metric: MetricName;
  /** `>= 0.85` or `drop <= 0.005`. */
  rule: string;
  old?: number;
  new?: number;
  passed: boolean;
  /** Why a rule could not be evaluated as written (no metric, no baseline). */
  note?: string;
}

export interface GateVerdict {
  /** True when every rule passed, or when an override of this very model was declared. */
  passed: boolean;
  overridden?: boolean;
  /** An override that names another model's sha256: it had no effect. */
  staleOverride?: boolean;
  summary: string;
  checks: GateCheck[];
}

/** Offline checks of the gate's shape: known metric names, numbers in range, a non-empty override reason. */
export function checkGateArgs(out: InputFailure[], property: string, gate: unknown): void {
  if (gate === undefined || isUnknown(gate)) return;
  if (!gate || typeof gate !== "object" || Array.isArray(gate)) {
    out.push({ property, reason: `${property} is not an object`, fix: "Give { minimum: { auc: 0.85 }, maxDrop: { accuracy: 0.005 } }" });
    return;
  }
  const g = gate as Record<string, unknown>;
  for (const key of Object.keys(g)) {
    if (!["minimum", "maxDrop", "override"].includes(key)) {
      out.push({ property: `${property}.${key}`, reason: `${property} has no setting "${key}"`, fix: "Use minimum, maxDrop and override" });
    }
  }
  for (const kind of ["minimum", "maxDrop"] as const) {
    const rules = g[kind];
    if (rules === undefined || isUnknown(rules)) continue;
    if (!rules || typeof rules !== "object" || Array.isArray(rules)) {
      out.push({ property: `${property}.${kind}`, reason: `${property}.${kind} is not a map of metric to number`, fix: `Give e.g. { ${kind === "minimum" ? "auc: 0.85" : "accuracy: 0.005"} }` });
      continue;
    }
    for (const [metric, limit] of Object.entries(rules as Record<string, unknown>)) {
      const prop = `${property}.${kind}.${metric}`;
      if (!(METRIC_NAMES as readonly string[]).includes(metric)) {
        out.push({ property: prop, reason: `"${metric}" is not a metric of the evaluation output`, fix: `Use one of ${METRIC_NAMES.join(", ")}` });
      } else if (!isUnknown(limit) && (typeof limit !== "number" || !Number.isFinite(limit) || limit < 0 || limit > 1)) {
        out.push({ property: prop, reason: `${prop} is ${JSON.stringify(limit)}, not a number from 0 to 1`, fix: kind === "minimum" ? "Give the lowest acceptable value, e.g. 0.85" : "Give the largest acceptable drop, e.g. 0.005" });
      }
    }
  }
  const o = g.override as Partial<GateOverride> | undefined;
  if (o !== undefined && !isUnknown(o)) {
    const fix = 'Give override: { sha256: "<the sha256 of the model you approve, as the preview shows it>", reason: "accepted by ML review 2026-12-01" }, or remove it';
    if (!o || typeof o !== "object" || Array.isArray(o)) {
      out.push({ property: `${property}.override`, reason: `${property}.override must name the model it approves and why`, fix });
    } else {
      if (!isUnknown(o.sha256) && (typeof o.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(o.sha256))) out.push({ property: `${property}.override.sha256`, reason: `${property}.override.sha256 ${JSON.stringify(o.sha256)} is not a SHA-256`, fix });
      if (!isUnknown(o.reason) && (typeof o.reason !== "string" || o.reason.trim() === "")) out.push({ property: `${property}.override.reason`, reason: `${property}.override.reason must be the reason for the override`, fix });
    }
  }
}

export function hasRules(gate: GateArgs | undefined): gate is GateArgs {
  return !!gate && (Object.keys(gate.minimum ?? {}).length > 0 || Object.keys(gate.maxDrop ?? {}).length > 0);
}

const fmt = (n: number | undefined) => (n === undefined ? "—" : n.toFixed(4));

/**
 * Evaluates the gate of a promotion from `bound` (the model served now; undefined when unknown) to `proposed`.
 * A missing metric on the proposed model fails its rule (nothing proves the minimum); a missing baseline skips a
 * relative rule, noted, since a first promotion has nothing to compare with.
 */
export function evaluateGate(gate: GateArgs, bound: ModelMetrics | undefined, proposed: ModelMetrics | undefined, proposedSha256?: string): GateVerdict {
  const checks: GateCheck[] = [];
  for (const [metric, min] of Object.entries(gate.minimum ?? {}) as Array<[MetricName, number]>) {
    const value = proposed?.[metric];
    // No undefined fields: the verdict is an output, and the engine's struct encoding refuses undefined.
    checks.push({
      metric,
      rule: `>= ${min}`,
      ...(bound?.[metric] !== undefined ? { old: bound[metric] } : {}),
      ...(value !== undefined ? { new: value } : {}),
      passed: value !== undefined && value >= min,
      ...(value === undefined ? { note: "no verified evaluation of the new model has this metric (metrics count only through the manifest naming its sha256)" } : {}),
    });
  }
  for (const [metric, maxDrop] of Object.entries(gate.maxDrop ?? {}) as Array<[MetricName, number]>) {
    const now = proposed?.[metric];
    const before = bound?.[metric];
    if (now === undefined) {
      checks.push({ metric, rule: `drop <= ${maxDrop}`, ...(before !== undefined ? { old: before } : {}), passed: false, note: "no verified evaluation of the new model has this metric (metrics count only through the manifest naming its sha256)" });
    } else if (before === undefined) {
      checks.push({ metric, rule: `drop <= ${maxDrop}`, new: now, passed: true, note: "no baseline: the bound model has no evaluation" });
    } else {
      // Rounded to absorb float noise: a drop of exactly the limit passes.
      const drop = Math.round((before - now) * 1e9) / 1e9;
      checks.push({ metric, rule: `drop <= ${maxDrop}`, old: before, new: now, passed: drop <= maxDrop });
    }
  }
  const failed = checks.filter((c) => !c.passed);
  const o = gate.override;
  const applies = !!o && !!proposedSha256 && o.sha256 === proposedSha256;
  const overridden = failed.length > 0 && applies;
  const stale = failed.length > 0 && !!o && !applies;
  const staleNote = stale ? `; the override for sha256 ${o!.sha256.slice(0, 12)}… does not apply to this model (${proposedSha256 ? `sha256 ${proposedSha256}` : "sha256 unknown"})` : "";
  const summary =
    failed.length === 0
      ? `gate passed (${checks.map((c) => `${c.metric} ${fmt(c.new)} ${c.rule}`).join(", ")})`
      : `${overridden ? "gate overridden" : "gate refused"}: ${failed.map(describeFailure).join("; ")}${overridden ? ` (override for sha256 ${o!.sha256.slice(0, 12)}…: ${o!.reason})` : staleNote}`;
  return { passed: failed.length === 0 || overridden, ...(overridden ? { overridden: true } : {}), ...(stale ? { staleOverride: true } : {}), summary, checks };
}

function describeFailure(c: GateCheck): string {
  if (c.note && c.new === undefined) return `${c.metric}: ${c.note} (rule ${c.rule})`;
  if (c.rule.startsWith("drop")) return `${c.metric} dropped by ${fmt((c.old ?? 0) - (c.new ?? 0))} (${fmt(c.old)} → ${fmt(c.new)}), more than ${c.rule.replace("drop <= ", "")}`;
  return `${c.metric} ${fmt(c.new)} is below the minimum ${c.rule.replace(">= ", "")}`;
}

/** Both metric sets side by side with every rule, for the refusal message and the review. */
export function gateTable(verdict: GateVerdict, bound: Pick<ModelBlobRef, "container" | "path"> | undefined, proposed: Pick<ModelBlobRef, "container" | "path">): string {
  const rows = [["metric", "bound", "proposed", "delta", "rule", "verdict"]];
  for (const c of verdict.checks) {
    const delta = c.old !== undefined && c.new !== undefined ? `${c.new - c.old >= 0 ? "+" : ""}${(c.new - c.old).toFixed(4)}` : "—";
    rows.push([c.metric, fmt(c.old), fmt(c.new), delta, c.rule, c.passed ? (c.note ? `pass (${c.note})` : "pass") : `FAIL${c.note ? ` (${c.note})` : ""}`]);
  }
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  const lines = rows.map((r) => "  " + r.map((cell, col) => cell.padEnd(widths[col])).join("  ").trimEnd());
  const where = (m: Pick<ModelBlobRef, "container" | "path"> | undefined) => (m ? `${m.container}/${m.path}` : "unknown");
  return [`  bound:    ${where(bound)}`, `  proposed: ${where(proposed)}`, ...lines].join("\n");
}

/** The refusal text: the rule that failed, both metric sets, what to do. `gate refused the promotion` is stable. */
export function gateRefusal(type: string, name: string, verdict: GateVerdict, bound: ModelBlobRef | undefined, proposed: ModelBlobRef, when: "preview" | "apply"): string {
  return (
    `${type} "${name}": gate refused the promotion of ${proposed.container}/${proposed.path}: ${verdict.summary.replace(/^gate refused: /, "")}.\n` +
    `${gateTable(verdict, bound, proposed)}\n` +
    `Nothing was written${when === "apply" ? " and the bound model keeps serving" : ""}. Keep the bound model (fix the data and retrain), relax the gate, ` +
    `or declare gate.override: { sha256: "${proposed.sha256 ?? "<the model's sha256>"}", reason: "<why>" } in the program to promote this model anyway.`
  );
}
