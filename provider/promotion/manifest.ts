/**
 * Provenance of metrics (issue 16): a run that trains writes `<model>.manifest.json` beside the `.ilearner`, naming
 * the SHA-256 of the model's bytes and the evaluation it produced for them. A gate trusts metrics only through a
 * manifest whose hash is the model's own; an `evaluation.csv` alone, another model's manifest or metrics written
 * in the program never reach a verdict. Every number is range-checked (rates in [0, 1], counts ≥ 0, finite).
 */
import { ModelMetrics, StorageAccess, blobUrl, mintSas, parseEvaluationMetrics, readBlobText, splitCsvLine } from "../clients/storage";
import { STORAGE_API_VERSION, send } from "../transport";
import { SHA256_HEX } from "./modelIdentity";

export const MANIFEST_VERSION = 1;
/** The five numbers a gate compares: each a rate in [0, 1]. */
const RATES = ["auc", "accuracy", "precision", "recall", "f1"] as const;

export interface ModelManifest {
  version: number;
  /** Lowercase hex SHA-256 of the `.ilearner` bytes this evaluation was computed for. */
  sha256: string;
  size?: number;
  /** The evaluation of those bytes: the gate's rates, and any counts (`truePositives`, `rows`, …). */
  metrics: Record<string, number | string>;
  /** What trained it, e.g. `training job 42` or `emulator training`. */
  producedBy?: string;
  createdAt?: string;
}

/** `models/census/v2/model.ilearner` → `models/census/v2/model.ilearner.manifest.json`. */
export function manifestPathFor(modelPath: string): string {
  return `${modelPath}.manifest.json`;
}

/** Every out-of-range or non-finite number, as `auc 10 is not in [0, 1]`. Strings (labels) are not checked. */
export function metricRangeProblems(metrics: Record<string, unknown> | undefined): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(metrics ?? {})) {
    if (typeof value === "string" && !(RATES as readonly string[]).includes(name)) continue;
    if (typeof value !== "number" || !Number.isFinite(value)) problems.push(`${name} ${JSON.stringify(value)} is not a finite number`);
    else if ((RATES as readonly string[]).includes(name) && (value < 0 || value > 1)) problems.push(`${name} ${value} is not in [0, 1]`);
    else if (value < 0) problems.push(`${name} ${value} is negative`);
  }
  return problems;
}

/** The gate's rates of a manifest, rounded like the evaluation CSV's (four decimals). */
export function gateMetricsOf(manifest: ModelManifest): ModelMetrics {
  const out: ModelMetrics = {};
  for (const k of RATES) {
    const v = manifest.metrics[k];
    if (typeof v === "number") out[k] = Math.round(v * 10_000) / 10_000;
  }
  return out;
}

/** Parses and checks a manifest's text: `{ manifest }`, or `{ problem }` saying what is wrong with it. */
export function parseModelManifest(text: string): { manifest?: ModelManifest; problem?: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { problem: "it is not JSON" };
  }
  const m = raw as Partial<ModelManifest>;
  if (!m || typeof m !== "object" || typeof m.sha256 !== "string" || !SHA256_HEX.test(m.sha256)) return { problem: "it has no sha256 (64 lowercase hex characters)" };
  if (!m.metrics || typeof m.metrics !== "object" || Array.isArray(m.metrics)) return { problem: "it has no metrics object" };
  const problems = metricRangeProblems(m.metrics);
  if (problems.length > 0) return { problem: `its metrics are out of range: ${problems.join("; ")}` };
  return { manifest: { ...m, version: m.version ?? MANIFEST_VERSION } as ModelManifest };
}

/**
 * An Evaluate Model CSV as manifest metrics (every numeric column, camel-cased by the gate's names where they
 * exist), with the range problems of the whole row. A training run turns its evaluation output into this.
 */
export function evaluationCsvMetrics(text: string): { metrics: Record<string, number>; problems: string[] } {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/).filter((l) => l.trim().length > 0);
  const metrics: Record<string, number> = { ...(parseEvaluationMetrics(text) as Record<string, number>) };
  const problems: string[] = [];
  if (lines.length < 2) return { metrics, problems: ["the evaluation has no data row"] };
  const header = splitCsvLine(lines[0]);
  const row = splitCsvLine(lines[1]);
  // The names of the ML core's EvaluationMetrics (docs/interfaces.md), so every manifest reads the same.
  const named: Record<string, string> = {
    AUC: "auc", Accuracy: "accuracy", Precision: "precision", Recall: "recall", "F-Score": "f1", "Average Log Loss": "averageLogLoss", Rows: "rows",
    "True Positive": "truePositives", "False Negative": "falseNegatives", "False Positive": "falsePositives", "True Negative": "trueNegatives",
  };
  header.forEach((h, k) => {
    if (/label/i.test(h) || row[k] === undefined || row[k] === "") return;
    const v = Number(row[k]);
    const name = named[h] ?? h.replace(/[^A-Za-z0-9]+(.)/g, (_, c: string) => c.toUpperCase()).replace(/^./, (c) => c.toLowerCase());
    if (!Number.isFinite(v)) problems.push(`${h} ${JSON.stringify(row[k])} is not a finite number`);
    else metrics[name] = v;
  });
  return { metrics, problems: [...problems, ...metricRangeProblems(metrics)] };
}

/** Reads the manifest beside a model: undefined when there is none, else the manifest or what is wrong with it. */
export async function readModelManifest(access: StorageAccess, container: string, modelPath: string): Promise<{ manifest?: ModelManifest; problem?: string } | undefined> {
  const text = await readBlobText(access, container, manifestPathFor(modelPath));
  return text === undefined ? undefined : parseModelManifest(text);
}

/** Writes (replaces) the manifest beside a model: what a run that trained it vouches for. */
export async function writeModelManifest(access: StorageAccess, container: string, modelPath: string, manifest: ModelManifest): Promise<void> {
  const path = manifestPathFor(modelPath);
  const url = `${blobUrl(access, container, path)}${mintSas({ access, container, path, permissions: "cw", lifetimeMinutes: 10 })}`;
  await send({
    surface: "storage",
    method: "PUT",
    url,
    headers: { "x-ms-version": STORAGE_API_VERSION, "x-ms-blob-type": "BlockBlob", "Content-Type": "application/json" },
    body: JSON.stringify(manifest),
    settings: access.http,
  });
}

/** What a model's metrics are worth: verified through its own manifest, or not at all (and why). */
export interface MetricsProvenance {
  metrics?: ModelMetrics;
  /** Why no metrics were trusted, for messages; undefined when they were. */
  untrusted?: string;
  /** A manifest that is there but malformed or out of range: an error at preview. */
  malformed?: string;
}

/** Trusts a manifest's metrics only when its hash is the model's. */
export function provenanceOf(sha256: string, read: { manifest?: ModelManifest; problem?: string } | undefined, where: string): MetricsProvenance {
  if (!read) return { untrusted: `no manifest ${manifestPathFor(where)} names this model's hash` };
  if (read.problem || !read.manifest) return { malformed: `the manifest beside ${where} is malformed: ${read.problem}` };
  if (read.manifest.sha256 !== sha256) {
    return { untrusted: `the manifest beside ${where} describes another model (sha256 ${read.manifest.sha256.slice(0, 12)}…, not ${sha256.slice(0, 12)}…)` };
  }
  return { metrics: gateMetricsOf(read.manifest) };
}
