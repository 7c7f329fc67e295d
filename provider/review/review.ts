/**
 * A Review: the rows of a preview (rows.ts), the gate refusals and errors its diagnostics carry, and the one-line
 * summary. Pure: built from recorded engine events, so the report can be tested without an engine.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import {
  GATE_REFUSAL,
  ModelVersion,
  OtherChange,
  PromotionRow,
  TrainingRow,
  changedSteps,
  extractFacts,
  modelVersion,
  nameOfUrn,
  shortType,
  targetKindOf,
  targetLabel,
  writeKind,
} from "./rows";

export interface Review {
  stack: string;
  /** `failed` when the preview did not complete (a gate refusal or any other error). */
  preview: "succeeded" | "failed";
  summary: string;
  /** `promotions` counts what up will promote: refused and held rows are counted apart. */
  counts: { promotions: number; refused: number; held: number; trainings: number; other: number; overridden?: number };
  promotions: PromotionRow[];
  trainings: TrainingRow[];
  other: OtherChange[];
  /** Error diagnostics that are not gate refusals (their text, one per error). */
  errors: string[];
}

export interface ReviewInput {
  stack: string;
  events: EngineEvent[];
  /** The error the preview failed with, if it did. */
  failure?: string;
  /** Inputs of resources in the current state by URN: the current model of a refused target. */
  stateInputs?: Record<string, Record<string, unknown>>;
}

/** Color directives (`<{%reset%}>`) and ANSI escapes removed; `oneLine` also collapses whitespace. */
export function plainText(s: string, oneLine = true): string {
  // eslint-disable-next-line no-control-regex
  const plain = s.replace(/<\{%[^%]*%\}>/g, "").replace(/\x1b\[[0-9;]*m/g, "");
  return oneLine ? plain.replace(/\s+/g, " ").trim() : plain.replace(/[ \t]+$/gm, "").trim();
}

/** `gate refused the promotion of models/x/model.ilearner: …` up to the end of that line. */
const REFUSAL_LINE = /gate refused the promotion(?: of (\S+?))?:[^\n]*/;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function summaryLine(c: Review["counts"]): string {
  const held = c.held > 0 ? `, ${c.held} held for review` : "";
  // An override promotes past a failed rule: counted apart, so "0 refused" never hides it (issue 16).
  const overridden = c.overridden ? ` (${c.overridden} by override)` : "";
  return `${plural(c.promotions, "promotion")}${overridden}, ${c.refused} refused by gate${held}, ${plural(c.trainings, "training")}, ${plural(c.other, "other change")}`;
}

function refusedRow(urn: string, diagnostic: string, inputs: Record<string, unknown> | undefined): PromotionRow {
  const current: ModelVersion | undefined = modelVersion(inputs?.model) ?? undefined;
  const line = REFUSAL_LINE.exec(diagnostic);
  const [container, ...path] = (line?.[1] ?? "").split("/");
  const proposed = path.length > 0 ? { proposed: { container, path: path.join("/") } } : {};
  return {
    key: nameOfUrn(urn),
    resource: nameOfUrn(urn),
    type: shortType(urn.split("::")[2] ?? "TrainedModelBinding"),
    op: "update",
    target: targetLabel(inputs),
    ...(current ? { current } : {}),
    ...proposed,
    metrics: [],
    gate: { status: "refused", summary: line ? line[0].replace(/\.$/, "") : plainText(diagnostic), diagnostic },
    write: inputs ? writeKind(targetKindOf(inputs)) : "none",
  };
}

export function buildReview(input: ReviewInput): Review {
  const facts = extractFacts(changedSteps(input.events));
  const errors: string[] = [];
  const refusedUrns = new Set<string>();
  for (const e of input.events) {
    const d = e.diagnosticEvent;
    if (!d || d.severity !== "error") continue;
    const text = plainText(d.message);
    if (d.urn && text.includes(GATE_REFUSAL)) {
      if (refusedUrns.has(d.urn)) continue;
      refusedUrns.add(d.urn);
      const row = refusedRow(d.urn, plainText(d.message, false), input.stateInputs?.[d.urn]);
      const i = facts.promotions.findIndex((p) => p.resource === row.resource);
      if (i >= 0) facts.promotions[i] = { ...facts.promotions[i], gate: row.gate };
      else facts.promotions.push(row);
    } else if (!/^update failed$|^preview failed$/.test(text) && !errors.includes(text)) {
      errors.push(text);
    }
  }
  if (input.failure && refusedUrns.size === 0 && errors.length === 0) errors.push(plainText(input.failure).slice(0, 2000));
  // Engine events arrive in completion order; the report lists rows by name so two reviews of a stack compare.
  facts.promotions.sort((a, b) => a.key.localeCompare(b.key));
  facts.trainings.sort((a, b) => a.resource.localeCompare(b.resource));
  facts.other.sort((a, b) => a.resource.localeCompare(b.resource));
  const refused = facts.promotions.filter((p) => p.gate.status === "refused").length;
  const held = facts.promotions.filter((p) => p.held).length;
  const overridden = facts.promotions.filter((p) => p.gate.status === "overridden" && !p.held).length;
  const counts = { promotions: facts.promotions.length - refused - held, refused, held, trainings: facts.trainings.length, other: facts.other.length, ...(overridden ? { overridden } : {}) };
  return {
    stack: input.stack,
    preview: input.failure || refused > 0 || errors.length > 0 ? "failed" : "succeeded",
    summary: summaryLine(counts),
    counts,
    ...facts,
    errors,
  };
}
