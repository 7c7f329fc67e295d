/**
 * The facts of a promotion review, extracted from a preview's engine events: one normalised row per scoring
 * target, one per training that will run, and every other change. Extraction is per resource type (EXTRACTORS), so
 * a resource that binds many targets (RolloutWave) adds its rows with one more entry; rendering (render.ts) only
 * ever sees rows.
 */
import type { EngineEvent, StepEventMetadata } from "@pulumi/pulumi/automation";
import { GateArgs, evaluateGate, hasRules } from "../promotion/gate";
import { targetKey } from "../lifecycle/rolloutWave";
import { fromWire } from "../lifecycle/quiet";
import { bindingTargetKey } from "../ownership";
import type { TrainedModelBindingInputs } from "../targets/target";
import type { WaveTarget } from "../lifecycle/rolloutWaveTypes";

/** What the engine puts where a value is only known after apply. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const METRICS = ["auc", "accuracy", "precision", "recall", "f1"] as const;
export const GATE_REFUSAL = "gate refused the promotion";

export interface ModelVersion {
  container: string;
  path: string;
  etag?: string;
  lastModified?: string;
  size?: number;
  /** The bytes' SHA-256 (issue 16): what an override names. */
  sha256?: string;
  metrics?: Record<string, number>;
}

export interface MetricChange { metric: string; old?: number; new?: number; delta?: number }

export interface GateResult {
  /** `pending`: the proposed model is only known at apply, where the gate runs. */
  status: "passed" | "overridden" | "failed" | "refused" | "pending" | "none";
  /** One line: the verdict's summary, the refusal's first line, or "no gate". */
  summary: string;
  /** A refusal's whole diagnostic (both metric sets, what to do), color codes removed. */
  diagnostic?: string;
  checks?: Array<{ metric: string; rule: string; old?: number; new?: number; passed: boolean }>;
}

export type WriteKind = "classic PATCH" | "ARM definition update" | "none";

/** One scoring target whose model changes (or is refused). */
export interface PromotionRow {
  /** Unique per row: the resource's name, or `resource/targetKey` for a resource with many targets. */
  key: string;
  resource: string;
  type: string;
  op: string;
  /** Human description of the target, e.g. `classic endpoint retrain01`. */
  target: string;
  /** The target's key in the audit, as `azureml-retrain-audit --target` takes it (when its coordinates are known). */
  auditTarget?: string;
  current?: ModelVersion;
  /** `null`: known only after apply (the model comes from a training that runs first). */
  proposed?: ModelVersion | null;
  metrics: MetricChange[];
  gate: GateResult;
  write: WriteKind;
  /**
   * Set when up will not promote although the model changes: a model known only at apply under `promotion:
   * "reviewed"` (the default) is held, and the next review shows it.
   */
  held?: string;
}

export interface DatasetVersion { etag?: string; lastModified?: string; contentMd5?: string }

export interface TrainingRow {
  resource: string;
  type: string;
  op: string;
  /** `container/path` of the dataset. */
  dataset: string;
  previousDataset?: string;
  old?: DatasetVersion;
  new?: DatasetVersion;
}

export interface OtherChange { resource: string; type: string; op: string; properties?: string[] }

export interface ReviewFacts {
  promotions: PromotionRow[];
  trainings: TrainingRow[];
  other: OtherChange[];
}

type Inputs = Record<string, unknown>;

/** A step's identity and inputs, whatever the resource type. */
export interface Step {
  op: string;
  urn: string;
  /** Short type name, e.g. `TrainedModelBinding` (from `pulumi-nodejs:dynamic/azureml:TrainedModelBinding`). */
  type: string;
  name: string;
  olds?: Inputs;
  news?: Inputs;
  diffs?: string[];
}

export type Extractor = (step: Step, facts: ReviewFacts) => void;

export function shortType(type: string): string {
  return type.split(":").pop() ?? type;
}

export function nameOfUrn(urn: string): string {
  return urn.split("::").pop() ?? urn;
}

function known(v: unknown): boolean {
  return v !== undefined && v !== UNKNOWN;
}

/** A model reference as the engine shows it; `null` when it is unknown until apply. */
export function modelVersion(v: unknown): ModelVersion | null | undefined {
  if (v === undefined) return undefined;
  if (v === UNKNOWN || typeof v !== "object" || v === null) return null;
  const m = v as Record<string, unknown>;
  if (!known(m.container) || !known(m.path)) return null;
  const metrics: Record<string, number> = {};
  if (m.metrics && typeof m.metrics === "object") {
    for (const [k, n] of Object.entries(m.metrics as Record<string, unknown>)) if (typeof n === "number") metrics[k] = n;
  }
  return {
    container: String(m.container),
    path: String(m.path),
    ...(known(m.etag) ? { etag: String(m.etag) } : {}),
    ...(known(m.lastModified) ? { lastModified: String(m.lastModified) } : {}),
    ...(typeof m.size === "number" ? { size: m.size } : {}),
    ...(typeof m.sha256 === "string" ? { sha256: m.sha256 } : {}),
    ...(Object.keys(metrics).length > 0 ? { metrics } : {}),
  };
}

export function sameModel(a: ModelVersion | null | undefined, b: ModelVersion | null | undefined): boolean {
  return !!a && !!b && a.container === b.container && a.path === b.path && a.etag === b.etag && a.sha256 === b.sha256;
}

/** Every metric either side has, in the usual order, with new − old when both are known. */
export function metricChanges(current: ModelVersion | null | undefined, proposed: ModelVersion | null | undefined): MetricChange[] {
  const o = current?.metrics ?? {};
  const n = proposed?.metrics ?? {};
  const names = [...METRICS.filter((k) => k in o || k in n), ...Object.keys({ ...o, ...n }).filter((k) => !(METRICS as readonly string[]).includes(k)).sort()];
  return names.map((metric) => {
    const c: MetricChange = { metric };
    if (o[metric] !== undefined) c.old = o[metric];
    if (n[metric] !== undefined) c.new = n[metric];
    if (c.old !== undefined && c.new !== undefined) c.delta = Math.round((c.new - c.old) * 1e6) / 1e6;
    return c;
  });
}

/**
 * The binding's gate verdict: its `gateVerdict` input when check recorded one, else the binding's own gate rules
 * evaluated on the two models' metrics (what its diff does at preview); "no gate" without rules.
 */
export function gateOf(news: Inputs | undefined, current?: ModelVersion | null, proposed?: ModelVersion | null): GateResult {
  let v = news?.gateVerdict as { passed?: unknown; overridden?: unknown; summary?: unknown; checks?: GateResult["checks"] } | undefined;
  const gate = news?.gate as GateArgs | undefined;
  if ((!v || typeof v !== "object") && known(gate) && hasRules(gate)) {
    if (!proposed) return { status: "pending", summary: "gate runs at apply, on the trained model" };
    v = evaluateGate(gate, current?.metrics, proposed.metrics, proposed.sha256);
  }
  if (!v || typeof v !== "object") return { status: "none", summary: "no gate" };
  const status = v.overridden ? "overridden" : v.passed ? "passed" : "failed";
  return { status, summary: typeof v.summary === "string" ? v.summary : status, ...(Array.isArray(v.checks) ? { checks: v.checks } : {}) };
}

export function writeKind(targetKind: unknown): WriteKind {
  return targetKind === "arm" ? "ARM definition update" : "classic PATCH";
}

/** Recorded inputs keep it as `__targetKind` (lifecycle/quiet.ts); state written before that as `targetKind`. */
export function targetKindOf(i: Inputs | undefined): unknown {
  return i?.__targetKind ?? i?.targetKind;
}

export function targetLabel(i: Inputs | undefined): string {
  if (!i) return "";
  if (targetKindOf(i) === "arm") return `ARM web service ${String(i.webServiceName ?? "")}`.trim();
  return `classic endpoint ${String(i.endpointName ?? "")}`.trim();
}

const bindingExtractor: Extractor = (step, facts) => {
  const current = modelVersion(step.olds?.model) ?? undefined;
  const proposed = modelVersion(step.news?.model);
  const promotes = step.op === "create" || step.op === "replace" || step.op === "create-replacement" || !sameModel(current, proposed);
  if (!promotes) {
    facts.other.push({ resource: step.name, type: step.type, op: step.op, ...(step.diffs?.length ? { properties: step.diffs } : {}) });
    return;
  }
  const policy = step.news?.promotion ?? "reviewed";
  const gate = gateOf(step.news, current, proposed);
  const held = proposed === null && policy === "reviewed" ? 'held for review (promotion "reviewed"): up keeps the current model, the next review shows the new one' : undefined;
  facts.promotions.push({
    key: step.name,
    resource: step.name,
    type: step.type,
    op: step.op,
    target: targetLabel(step.news ?? step.olds),
    ...auditTargetOf(fromWire(step.news ?? step.olds)),
    ...(current ? { current } : {}),
    proposed: proposed ?? null,
    metrics: metricChanges(current, proposed),
    gate: held && gate.status === "pending" ? { status: "pending", summary: "gate runs when the held model is reviewed" } : gate,
    write: held ? "none" : writeKind(targetKindOf(step.news ?? step.olds)),
    ...(held ? { held } : {}),
  });
};

function datasetOf(i: Inputs | undefined): string | undefined {
  const input = i?.input as { container?: unknown; path?: unknown } | undefined;
  return input && known(input.container) && known(input.path) ? `${String(input.container)}/${String(input.path)}` : undefined;
}

function datasetVersion(i: Inputs | undefined): DatasetVersion | undefined {
  const b = (i?.inputBlob ?? (i?.inputEtag !== undefined ? { etag: i.inputEtag } : undefined)) as Record<string, unknown> | undefined;
  if (!b || typeof b !== "object") return undefined;
  const out: DatasetVersion = {};
  for (const k of ["etag", "lastModified", "contentMd5"] as const) if (known(b[k])) out[k] = String(b[k]);
  return out;
}

const trainingExtractor: Extractor = (step, facts) => {
  const dataset = datasetOf(step.news) ?? datasetOf(step.olds) ?? "(unknown until apply)";
  const previous = datasetOf(step.olds);
  const oldV = datasetVersion(step.olds);
  const newV = datasetVersion(step.news);
  facts.trainings.push({
    resource: step.name,
    type: step.type,
    op: step.op,
    dataset,
    ...(previous && previous !== dataset ? { previousDataset: previous } : {}),
    ...(oldV ? { old: oldV } : {}),
    ...(newV ? { new: newV } : {}),
  });
};

/** The audit's key of a target (ownership.ts), so a review row leads to `azureml-retrain-audit --target`. */
function auditTargetOf(i: Inputs | undefined): { auditTarget?: string } {
  const key = i ? bindingTargetKey(i as Partial<TrainedModelBindingInputs>) : undefined;
  return key ? { auditTarget: key } : {};
}

/** A ModelRollout wave binds one model to many targets: one row per target whose model changes (or is new). */
const waveExtractor: Extractor = (step, facts) => {
  // Recorded inputs keep the list whole as __targets, `targets` being its one-line digest (lifecycle/quiet.ts).
  const listOf = (i: Inputs | undefined) => (Array.isArray(i?.__targets) ? i.__targets : i?.targets);
  const targets = listOf(step.news);
  if (!Array.isArray(targets)) {
    facts.other.push({ resource: step.name, type: step.type, op: step.op });
    return;
  }
  const oldTargets = listOf(step.olds);
  const oldKeys = new Set(Array.isArray(oldTargets) ? (oldTargets as Array<Partial<WaveTarget>>).map(targetKey) : []);
  const oldModel = modelVersion(step.olds?.model) ?? undefined;
  const proposed = modelVersion(step.news?.model);
  const gate = gateOf(step.news, oldModel, proposed);
  const policy = step.news?.promotion ?? "reviewed";
  const held = proposed === null && policy === "reviewed" ? 'held for review (promotion "reviewed"): up keeps the current model, the next review shows the new one' : undefined;
  let rows = 0;
  for (const t of targets as Array<Partial<WaveTarget>>) {
    const key = targetKey(t);
    const current = oldKeys.has(key) ? oldModel : undefined;
    if (current && sameModel(current, proposed)) continue;
    rows++;
    facts.promotions.push({
      key: `${step.name}/${key}`,
      resource: step.name,
      type: step.type,
      op: step.op,
      target: targetLabel({ __targetKind: t.kind, endpointName: t.endpointName, webServiceName: t.webServiceName }),
      ...auditTargetOf({ ...t, targetKind: t.kind }),
      ...(current ? { current } : {}),
      proposed: proposed ?? null,
      metrics: metricChanges(current, proposed),
      gate: held && gate.status === "pending" ? { status: "pending", summary: "gate runs when the held model is reviewed" } : gate,
      write: held ? "none" : writeKind(t.kind),
      ...(held ? { held } : {}),
    });
  }
  // Only settings changed (or targets were removed): no target moves.
  if (rows === 0) facts.other.push({ resource: step.name, type: step.type, op: step.op });
};

/** Rows per resource type (short type name). Anything else with a change is an "other change". */
export const EXTRACTORS: Record<string, Extractor> = {
  TrainedModelBinding: bindingExtractor,
  RolloutWave: waveExtractor,
  RetrainingRun: trainingExtractor,
  PipelineRun: trainingExtractor,
};

/** The steps of a preview that change something (no `same`, no stack or provider resources). */
export function changedSteps(events: EngineEvent[]): Step[] {
  const out: Step[] = [];
  for (const e of events) {
    const m: StepEventMetadata | undefined = e.resourcePreEvent?.metadata;
    if (!m || m.op === "same" || m.op === "read" || /^pulumi:(pulumi:Stack|providers:)/.test(m.type)) continue;
    out.push({
      op: m.op,
      urn: m.urn,
      type: shortType(m.type),
      name: nameOfUrn(m.urn),
      olds: m.old?.inputs as Inputs | undefined,
      news: m.new?.inputs as Inputs | undefined,
      diffs: m.diffs,
    });
  }
  return out;
}

export function extractFacts(steps: Step[]): ReviewFacts {
  const facts: ReviewFacts = { promotions: [], trainings: [], other: [] };
  for (const step of steps) {
    const extract = EXTRACTORS[step.type];
    if (extract) extract(step, facts);
    else facts.other.push({ resource: step.name, type: step.type, op: step.op, ...(step.diffs?.length ? { properties: step.diffs } : {}) });
  }
  return facts;
}
