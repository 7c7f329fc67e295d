/**
 * Sample rows with expectations (issue 9): after a write, each row is scored on the target and must come back with
 * the expected label or a probability in range. A model that scores them wrong is rolled back.
 */
import type { InputFailure } from "../validation";
import { isUnknown } from "../validation";

export interface VerificationSample {
  /** One input row, column → value. */
  row: Record<string, string | number | boolean | null>;
  /** The `Scored Labels` value the new model must return. */
  expectLabel?: string;
  /** Inclusive range `[min, max]` the `Scored Probabilities` value must fall in. */
  probabilityBetween?: [number, number];
}

export const MAX_SAMPLES = 20;

export function checkSamples(out: InputFailure[], property: string, samples: unknown): void {
  if (samples === undefined || isUnknown(samples)) return;
  if (!Array.isArray(samples) || samples.length === 0 || samples.length > MAX_SAMPLES) {
    out.push({ property, reason: `${property} must be a list of 1 to ${MAX_SAMPLES} samples`, fix: "Give [{ row: { column: value, ... }, expectLabel: \">50K\" }, ...]" });
    return;
  }
  samples.forEach((s, k) => {
    const p = `${property}[${k}]`;
    if (isUnknown(s)) return;
    const sample = s as Partial<VerificationSample> | null;
    if (!sample || typeof sample !== "object" || !sample.row || typeof sample.row !== "object" || Array.isArray(sample.row) || Object.keys(sample.row).length === 0) {
      out.push({ property: `${p}.row`, reason: `${p} has no row`, fix: "Give row: { column: value, ... } with the scoring input's columns" });
      return;
    }
    if (sample.expectLabel === undefined && sample.probabilityBetween === undefined) {
      out.push({ property: p, reason: `${p} expects nothing`, fix: "Give expectLabel, probabilityBetween or both; a row without expectations belongs in verification.sampleRow" });
    }
    if (sample.expectLabel !== undefined && !isUnknown(sample.expectLabel) && typeof sample.expectLabel !== "string") {
      out.push({ property: `${p}.expectLabel`, reason: `${p}.expectLabel is not a string`, fix: 'Give the label as the service returns it, e.g. ">50K"' });
    }
    const range = sample.probabilityBetween;
    if (range !== undefined && !isUnknown(range)) {
      const ok = Array.isArray(range) && range.length === 2 && range.every((x) => typeof x === "number" && x >= 0 && x <= 1) && range[0] <= range[1];
      if (!ok) out.push({ property: `${p}.probabilityBetween`, reason: `${p}.probabilityBetween is not [min, max] within 0..1`, fix: "Give e.g. [0.6, 1]" });
    }
  });
}

/** Why a scored row misses its sample's expectations, or undefined when it meets them. */
export function sampleMismatch(sample: VerificationSample, scored: { scoredLabel?: string; scoredProbability?: number }): string | undefined {
  const misses: string[] = [];
  if (sample.expectLabel !== undefined && scored.scoredLabel !== sample.expectLabel) {
    misses.push(`label ${scored.scoredLabel === undefined ? "missing" : JSON.stringify(scored.scoredLabel)}, expected ${JSON.stringify(sample.expectLabel)}`);
  }
  const range = sample.probabilityBetween;
  if (range) {
    const p = scored.scoredProbability;
    if (p === undefined || p < range[0] || p > range[1]) misses.push(`probability ${p === undefined ? "missing" : p}, expected ${range[0]}..${range[1]}`);
  }
  return misses.length ? misses.join(", ") : undefined;
}
