/**
 * A Review: the rows of a preview (rows.ts), the gate refusals and errors its diagnostics carry, and the one-line
 * summary. Pure: built from recorded engine events, so the report can be tested without an engine.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { RecordedRefusal } from "../lifecycle/reviewMode";
import { isIntegrityRefusal } from "../lifecycle/reviewMode";
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
  targetLabel,
} from "./rows";

export interface Review {
  stack: string;
  /** `failed` when the preview did not complete (a gate refusal or any other error). */
  preview: "succeeded" | "failed";
  summary: string;
  /** `promotions` counts what up will promote: refused and held rows are counted apart. */
  counts: { promotions: number; refused: number; held: number; trainings: number; other: number; overridden?: number; refusedIntegrity?: number };
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
  /** Refusals the providers recorded in review mode (lifecycle/reviewMode.ts): every refused resource, once. */
  refusals?: RecordedRefusal[];
}

/**
 * Color directives (`<{%reset%}>`), ANSI escapes and JavaScript stack frames (`    at f (file:1:2)`, which the
 * dynamic-provider server appends to a thrown error) removed; `oneLine` also collapses whitespace.
 */
export function plainText(s: string, oneLine = true): string {
  // eslint-disable-next-line no-control-regex
  const plain = s.replace(/<\{%[^%]*%\}>/g, "").replace(/\x1b\[[0-9;]*m/g, "").replace(/^[ \t]+at [^\n]*(?:\(|:\d+)[^\n]*\n?/gm, "");
  return oneLine ? plain.replace(/\s+/g, " ").trim() : plain.replace(/[ \t]+$/gm, "").trim();
}

/** `gate refused the promotion of models/x/model.ilearner: …` up to the end of that line. */
const REFUSAL_LINE = /gate refused the promotion(?: of (\S+?))?:[^\n]*/;
/** The blob an integrity refusal names: `model blob models/x/model.ilearner holds other bytes …`. */
const MODEL_BLOB = /model blob (\S+) /;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function summaryLine(c: Review["counts"]): string {
  const held = c.held > 0 ? `, ${c.held} held for review` : "";
  // An override promotes past a failed rule: counted apart, so "0 refused" never hides it (issue 16).
  const overridden = c.overridden ? ` (${c.overridden} by override)` : "";
  // Integrity refusals (the bytes are not the ones declared) are counted apart from the gate's (issue 17).
  const integrity = c.refusedIntegrity ? `, ${c.refusedIntegrity} refused: model bytes not as declared` : "";
  return `${plural(c.promotions, "promotion")}${overridden}, ${c.refused - (c.refusedIntegrity ?? 0)} refused by gate${integrity}${held}, ${plural(c.trainings, "training")}, ${plural(c.other, "other change")}`;
}

function refusedGate(diagnostic: string): PromotionRow["gate"] {
  const line = REFUSAL_LINE.exec(diagnostic);
  return { status: "refused", summary: line ? line[0].replace(/\.$/, "") : plainText(diagnostic), diagnostic };
}

/** A refused resource that has no step in the events (the preview stopped at it): one row, from state. */
function refusedRow(urn: string, diagnostic: string, inputs: Record<string, unknown> | undefined): PromotionRow {
  const current: ModelVersion | undefined = modelVersion(inputs?.model) ?? undefined;
  const [container, ...path] = (REFUSAL_LINE.exec(diagnostic)?.[1] ?? MODEL_BLOB.exec(diagnostic)?.[1] ?? "").split("/");
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
    gate: refusedGate(diagnostic),
    // Refused: up makes no write for it (issue 17).
    write: "none",
  };
}

/** Marks every row of a refused resource (each target of a wave) refused, or adds one row when it has none. */
function applyRefusal(promotions: PromotionRow[], urn: string, diagnostic: string, inputs: Record<string, unknown> | undefined): void {
  const name = nameOfUrn(urn);
  let found = false;
  for (const [i, p] of promotions.entries()) {
    if (p.resource !== name) continue;
    found = true;
    const { held: _held, ...rest } = p;
    promotions[i] = { ...rest, gate: refusedGate(diagnostic), write: "none" };
  }
  if (!found) promotions.push(refusedRow(urn, diagnostic, inputs));
}

/** The preview's failure as a reader needs it: the CLI's `error:` lines, without the Automation API's wrapping. */
export function failureText(failure: string): string {
  const text = plainText(failure, false);
  const errors = text.split("\n").flatMap((l) => /(?:^|\s)(error: .*)$/.exec(l)?.[1].trim() ?? []);
  return (errors.length > 0 ? errors.join(" ") : plainText(text)).slice(0, 2000);
}

export function buildReview(input: ReviewInput): Review {
  const facts = extractFacts(changedSteps(input.events));
  const errors: string[] = [];
  const refusedUrns = new Set<string>();
  const urnOf = (name: string) => Object.keys(input.stateInputs ?? {}).find((u) => nameOfUrn(u) === name) ?? `${input.stack}::unknown::${name}`;
  for (const r of input.refusals ?? []) {
    const step = input.events.find((e) => e.resourcePreEvent && nameOfUrn(e.resourcePreEvent.metadata.urn) === r.resource)?.resourcePreEvent?.metadata;
    const urn = step?.urn ?? urnOf(r.resource);
    if (refusedUrns.has(urn)) continue;
    refusedUrns.add(urn);
    applyRefusal(facts.promotions, urn, plainText(r.message, false), input.stateInputs?.[urn] ?? (step?.old?.inputs as Record<string, unknown> | undefined));
  }
  for (const e of input.events) {
    const d = e.diagnosticEvent;
    if (!d || d.severity !== "error") continue;
    const text = plainText(d.message);
    if (d.urn && (text.includes(GATE_REFUSAL) || isIntegrityRefusal(text))) {
      if (refusedUrns.has(d.urn)) continue;
      refusedUrns.add(d.urn);
      applyRefusal(facts.promotions, d.urn, plainText(d.message, false), input.stateInputs?.[d.urn]);
    } else if (!/^update failed$|^preview failed$/.test(text) && !errors.includes(text)) {
      errors.push(text);
    }
  }
  if (input.failure && refusedUrns.size === 0 && errors.length === 0) errors.push(failureText(input.failure));
  // Engine events arrive in completion order; the report lists rows by name so two reviews of a stack compare.
  facts.promotions.sort((a, b) => a.key.localeCompare(b.key));
  facts.trainings.sort((a, b) => a.resource.localeCompare(b.resource));
  facts.other.sort((a, b) => a.resource.localeCompare(b.resource));
  const refused = facts.promotions.filter((p) => p.gate.status === "refused").length;
  const held = facts.promotions.filter((p) => p.held).length;
  const overridden = facts.promotions.filter((p) => p.gate.status === "overridden" && !p.held).length;
  const refusedIntegrity = facts.promotions.filter((p) => p.gate.status === "refused" && isIntegrityRefusal(p.gate.diagnostic ?? p.gate.summary)).length;
  const counts = { promotions: facts.promotions.length - refused - held, refused, held, trainings: facts.trainings.length, other: facts.other.length, ...(overridden ? { overridden } : {}), ...(refusedIntegrity ? { refusedIntegrity } : {}) };
  return {
    stack: input.stack,
    preview: input.failure || refused > 0 || errors.length > 0 ? "failed" : "succeeded",
    summary: summaryLine(counts),
    counts,
    ...facts,
    errors,
  };
}
