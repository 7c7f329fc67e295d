/**
 * Promotion audit (issue 10): every successful binding write appends one JSON line — who, when, stack, target,
 * old → new model, metrics, gate verdict — to the append blob `azureml-retrain/audit/<target key>.jsonl` in the
 * storage account the binding uses, beside the models. `listPromotions` (and the `azureml-retrain-audit` bin)
 * read a target's last N back. Storage requests only: no service surface sees them.
 */
import * as os from "os";
import type { ModelMetrics, StorageAccess } from "./clients/storage";
import { appendStateText, listStateBlobs, readStateText } from "./clients/stateBlobs";
import { formatFailure } from "./errors";
import { bindingTargetKey } from "./ownership";
import { TYPE, TrainedModelBindingInputs, nameOf, secretsOf, storageOf } from "./targets/target";

/** A model as the audit names it. */
export interface AuditedModel {
  container: string;
  path: string;
  etag?: string;
  /** The bytes' SHA-256 (issue 16): what the verified write proved the target was bound to. */
  sha256?: string;
  /** `container/path` the target reports bound: the content-addressed copy of these bytes. */
  boundLocation?: string;
  lastModified?: string;
  metrics?: ModelMetrics;
}

/** One promotion, one line of the audit blob. */
export interface PromotionRecord {
  /** ISO time the write was verified. */
  at: string;
  /** Who: the binding's `actor` input, else `AZUREML_RETRAIN_ACTOR`, else the OS user running the deployment. */
  actor: string;
  stack: string;
  target: string;
  binding: string;
  /** `create` (first bind) or `update` (promotion, rollback, drift restore). */
  operation: "create" | "update";
  /** What the target served before; on create, what the service reported as bound. */
  from?: AuditedModel;
  to: AuditedModel;
  /** The gate's verdict at apply, when the binding has a gate (issue 9). */
  gateVerdict?: unknown;
  verifiedBy: string;
  /**
   * Set when a crash cut the promotion short after its write and before its line (interrupted.ts): the line was
   * written when refresh (or the next up) found the target serving the new model.
   */
  interrupted?: { startedAt: string; foundBy: string };
}

export function auditPath(key: string): string {
  return `audit/${key}.jsonl`;
}

/** The deploying identity, as declared or as the provider process sees it. */
export function actorOf(i: Partial<TrainedModelBindingInputs>, env: NodeJS.ProcessEnv = process.env): string {
  if (typeof i.actor === "string" && i.actor.length > 0) return i.actor;
  if (env.AZUREML_RETRAIN_ACTOR) return env.AZUREML_RETRAIN_ACTOR;
  try {
    return os.userInfo().username;
  } catch {
    return env.USER ?? env.USERNAME ?? "unknown";
  }
}

function modelOf(m: Partial<AuditedModel> | undefined): AuditedModel | undefined {
  if (!m?.container || !m.path) return undefined;
  const { container, path, etag, sha256, boundLocation, lastModified, metrics } = m;
  return JSON.parse(JSON.stringify({ container, path, etag: etag || undefined, sha256, boundLocation, lastModified: lastModified || undefined, metrics })) as AuditedModel;
}

/** The audit line of one verified write (pure). Undefined when the binding does not know its stack or target. */
export function promotionRecord(
  news: TrainedModelBindingInputs,
  result: { verifiedBy: string; gateVerdict?: unknown; boundLocation?: string },
  operation: PromotionRecord["operation"],
  from: AuditedModel | undefined,
  now: Date,
  env: NodeJS.ProcessEnv = process.env,
): PromotionRecord | undefined {
  const key = bindingTargetKey(news);
  if (typeof news.ownerStack !== "string" || !key) return undefined;
  const gate = result.gateVerdict;
  return {
    at: now.toISOString(),
    actor: actorOf(news, env),
    stack: news.ownerStack,
    target: key,
    binding: nameOf(news),
    operation,
    ...(modelOf(from) ? { from: modelOf(from) } : {}),
    to: { ...modelOf(news.model)!, ...(result.boundLocation ? { boundLocation: result.boundLocation } : {}) },
    ...(gate !== undefined && gate !== null ? { gateVerdict: gate } : {}),
    verifiedBy: result.verifiedBy,
  };
}

/**
 * After a verified write: appends the promotion's line. `from`: the old state's model (update) or what the target
 * served before (create); `result`: how it was verified and the gate's verdict at apply (issue 9). Throws when the line cannot be written, so a promotion is never left unrecorded without the user
 * seeing it.
 */
export async function recordPromotion(
  news: TrainedModelBindingInputs,
  result: { verifiedBy: string; gateVerdict?: unknown; boundLocation?: string },
  operation: PromotionRecord["operation"],
  from: AuditedModel | undefined,
): Promise<void> {
  const record = promotionRecord(news, result, operation, from, new Date());
  if (!record) return;
  try {
    await appendStateText(storageOf(news), auditPath(record.target), `${JSON.stringify(record)}\n`);
  } catch (err) {
    throw new Error(
      formatFailure(TYPE, nameOf(news), "record the promotion in the audit", err, "The new model is bound and verified but not audited; fix storage access and run up again (it binds again and records it)", secretsOf(news)),
    );
  }
}

/** Parses an audit blob's JSON lines; lines that do not parse are skipped. Oldest first. */
export function parsePromotions(text: string): PromotionRecord[] {
  const out: PromotionRecord[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      out.push(JSON.parse(line) as PromotionRecord);
    } catch {
      // A torn or foreign line must not hide the others.
    }
  }
  return out;
}

/** A target's last `last` promotions, newest first (empty when it has none). */
export async function listPromotions(access: StorageAccess, target: string, last = 10): Promise<PromotionRecord[]> {
  const text = await readStateText(access, auditPath(target));
  return text === undefined ? [] : parsePromotions(text).slice(-Math.max(1, last)).reverse();
}

/** Every target with an audit, with the time of its last promotion. */
export async function listAuditedTargets(access: StorageAccess): Promise<Array<{ target: string; lastPromotion: string }>> {
  return (await listStateBlobs(access, "audit/"))
    .filter((b) => b.path.endsWith(".jsonl"))
    .map((b) => ({ target: b.path.slice("audit/".length, -".jsonl".length), lastPromotion: b.lastModified }));
}

function shortEtag(etag: string | undefined): string {
  return etag ? etag.slice(-8) : "?";
}

function describeModel(m: AuditedModel | undefined): string {
  return m ? `${m.container}/${m.path} (${shortEtag(m.etag)})` : "(unknown)";
}

function num(v: number | undefined): string {
  return v === undefined ? "–" : v.toFixed(4);
}

/** Human-readable lines for one record: what, who and when, then the metrics and the gate. */
export function formatPromotion(r: PromotionRecord): string {
  const lines = [`${r.at}  ${r.operation}  by ${r.actor}  stack ${r.stack}  binding ${r.binding}`, `  ${describeModel(r.from)} → ${describeModel(r.to)}`];
  const keys = (["auc", "accuracy", "precision", "recall", "f1"] as const).filter((k) => r.from?.metrics?.[k] !== undefined || r.to?.metrics?.[k] !== undefined);
  if (keys.length > 0) lines.push(`  ${keys.map((k) => `${k} ${num(r.from?.metrics?.[k])} → ${num(r.to?.metrics?.[k])}`).join(", ")}`);
  const gate = r.gateVerdict as { passed?: boolean; overridden?: boolean; summary?: string } | undefined;
  // The verdict's summary says passed/overridden and why (promotion/gate.ts).
  if (gate && typeof gate === "object") lines.push(`  ${gate.summary ?? `gate ${gate.overridden ? "overridden" : gate.passed ? "passed" : "refused"}`}`);
  lines.push(`  verified by ${r.verifiedBy}`);
  if (r.interrupted) lines.push(`  interrupted: the run started at ${r.interrupted.startedAt} died before recording it; found by ${r.interrupted.foundBy}`);
  return lines.join("\n");
}
