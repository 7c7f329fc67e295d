/**
 * The models a binding bound, newest first (issue 9): recorded as an output after every verified write, and the
 * source a pin (`pin: "previous"` or `{ path, etag }`) resolves from, so rolling back is an ordinary promotion.
 */
import type { ModelMetrics } from "../clients/storage";
import type { InputFailure, ModelBlobRef } from "../validation";
import { isUnknown } from "../validation";

export const HISTORY_LENGTH = 5;

export interface HistoryEntry {
  container: string;
  path: string;
  etag: string;
  /** The bytes' SHA-256 (issue 16), when the binding knew it. */
  sha256?: string;
  lastModified?: string;
  size?: number;
  metrics?: ModelMetrics;
  /** ISO time the binding wrote it. */
  boundAt: string;
}

export type PinArgs = "previous" | { path: string; etag?: string; container?: string; sha256?: string };

export function modelKey(m: { container: string; path: string; etag: string }): string {
  return `${m.container}/${m.path.replace(/^\/+/, "")}@${m.etag}`;
}

/** The history after binding `model` at `boundAt`: newest first, one entry per model, at most HISTORY_LENGTH. */
export function pushHistory(history: HistoryEntry[] | undefined, model: ModelBlobRef, boundAt: string): HistoryEntry[] {
  const entry: HistoryEntry = {
    container: model.container,
    path: model.path,
    etag: model.etag,
    ...(model.sha256 ? { sha256: model.sha256 } : {}),
    ...(model.lastModified ? { lastModified: model.lastModified } : {}),
    ...(model.size ? { size: model.size } : {}),
    ...(model.metrics ? { metrics: model.metrics } : {}),
    boundAt,
  };
  const rest = (history ?? []).filter((h) => modelKey(h) !== modelKey(entry));
  return [entry, ...rest].slice(0, HISTORY_LENGTH);
}

export function checkPinArgs(out: InputFailure[], property: string, pin: unknown): void {
  if (pin === undefined || isUnknown(pin) || pin === "previous") return;
  if (!pin || typeof pin !== "object" || Array.isArray(pin) || typeof (pin as { path?: unknown }).path !== "string") {
    out.push({ property, reason: `${property} must be "previous" or { path, etag? } of a model in the binding's history`, fix: 'Give pin: "previous", or the path (and etag) of an entry of the binding\'s history output' });
  }
}

/**
 * The history entry a pin names. `previous` is the newest entry that is not the model bound now; `{ path, etag }`
 * matches by path (and etag when given). Undefined, with the reason, when the history has none.
 */
export function resolvePin(pin: PinArgs, history: HistoryEntry[] | undefined, bound: { container: string; path: string; etag: string } | undefined): { entry?: HistoryEntry; reason?: string } {
  const entries = history ?? [];
  const listed = entries.length === 0 ? "the history is empty" : `the history holds ${entries.map((h) => `${h.container}/${h.path} (etag ${h.etag}, bound ${h.boundAt})`).join("; ")}`;
  if (pin === "previous") {
    const entry = entries.find((h) => !bound || modelKey(h) !== modelKey(bound));
    return entry ? { entry } : { reason: `no model was bound before the current one: ${listed}` };
  }
  const entry = entries.find((h) => h.path.replace(/^\/+/, "") === pin.path.replace(/^\/+/, "") && (!pin.etag || h.etag === pin.etag) && (!pin.container || h.container === pin.container));
  return entry ? { entry } : { reason: `no model ${pin.path}${pin.etag ? ` with etag ${pin.etag}` : ""} was bound by this binding: ${listed}` };
}

/** A history entry as the model reference a binding promotes. */
export function modelFromEntry(h: HistoryEntry): ModelBlobRef {
  return {
    container: h.container,
    path: h.path,
    etag: h.etag,
    ...(h.sha256 ? { sha256: h.sha256 } : {}),
    lastModified: h.lastModified ?? "",
    size: h.size ?? 0,
    ...(h.metrics ? { metrics: h.metrics } : {}),
  };
}
