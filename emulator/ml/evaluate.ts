/**
 * Studio (classic) Evaluate Model for a two-class model: threshold metrics at 0.5, rank-based AUC and average log
 * loss, plus the one-line CSV the training web service writes as its evaluation output.
 */
import * as errors from "./errors";
import { NEGATIVE_LABEL, POSITIVE_LABEL } from "./schema";

export interface EvaluationMetrics {
  auc: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  truePositives: number;
  falseNegatives: number;
  falsePositives: number;
  trueNegatives: number;
  positiveLabel: string;
  negativeLabel: string;
  averageLogLoss: number;
  rows: number;
}

/** A row is scored positive when its probability is at least this. */
export const DECISION_THRESHOLD = 0.5;
// Keeps log loss finite for a confident wrong answer, as scikit-learn and Studio do.
const PROBABILITY_CLIP = 1e-15;

/** The evaluation CSV columns in order, each with the metric it holds. */
const EVALUATION_COLUMNS: ReadonlyArray<[string, keyof EvaluationMetrics]> = [
  ["True Positive", "truePositives"],
  ["False Negative", "falseNegatives"],
  ["False Positive", "falsePositives"],
  ["True Negative", "trueNegatives"],
  ["Positive Label", "positiveLabel"],
  ["Negative Label", "negativeLabel"],
  ["Accuracy", "accuracy"],
  ["Precision", "precision"],
  ["Recall", "recall"],
  ["F-Score", "f1"],
  ["AUC", "auc"],
  ["Average Log Loss", "averageLogLoss"],
  ["Rows", "rows"],
];
const EVALUATION_HEADER = EVALUATION_COLUMNS.map(([name]) => name);
const TEXT_METRICS: ReadonlySet<keyof EvaluationMetrics> = new Set(["positiveLabel", "negativeLabel"]);

/** labels: 1 for the positive class; probabilities: of the positive class. Ratios with a zero denominator are 0. */
export function evaluate(labels: Uint8Array, probabilities: Float64Array): EvaluationMetrics {
  let truePositives = 0;
  let falseNegatives = 0;
  let falsePositives = 0;
  let trueNegatives = 0;
  let logLoss = 0;
  labels.forEach((label, i) => {
    const p = Math.min(1 - PROBABILITY_CLIP, Math.max(PROBABILITY_CLIP, probabilities[i]));
    const predictedPositive = probabilities[i] >= DECISION_THRESHOLD;
    if (label === 1) {
      logLoss -= Math.log(p);
      if (predictedPositive) truePositives++;
      else falseNegatives++;
    } else {
      logLoss -= Math.log(1 - p);
      if (predictedPositive) falsePositives++;
      else trueNegatives++;
    }
  });
  const rows = labels.length;
  const precision = ratio(truePositives, truePositives + falsePositives);
  const recall = ratio(truePositives, truePositives + falseNegatives);
  return {
    auc: areaUnderRoc(labels, probabilities),
    accuracy: ratio(truePositives + trueNegatives, rows),
    precision,
    recall,
    f1: ratio(2 * precision * recall, precision + recall),
    truePositives,
    falseNegatives,
    falsePositives,
    trueNegatives,
    positiveLabel: POSITIVE_LABEL,
    negativeLabel: NEGATIVE_LABEL,
    averageLogLoss: ratio(logLoss, rows),
    rows,
  };
}

/**
 * The Mann–Whitney form: the chance a random positive scores above a random negative, ties counting half
 * (tied scores share their average rank). NaN unless both classes are present.
 */
export function areaUnderRoc(labels: Uint8Array, scores: Float64Array): number {
  const order = Array.from(scores.keys()).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]] === scores[order[start]]) end++;
    const averageRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (labels[order[k]] === 1) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    start = end + 1;
  }
  const negatives = order.length - positives;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/** Header line and one data line, LF-terminated; numbers in their shortest exact form, so they parse back equal. */
export function renderEvaluationCsv(metrics: EvaluationMetrics): string {
  const values = EVALUATION_COLUMNS.map(([, key]) => String(metrics[key]));
  return `${EVALUATION_HEADER.join(",")}\n${values.join(",")}\n`;
}

/** Finds columns by header name, case-insensitively and in any order; throws DatasetError on a malformed file. */
export function parseEvaluationCsv(text: string): EvaluationMetrics {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  if (lines.length !== 2) throw errors.evaluationLineCount(lines.length);
  const header = lines[0].split(",").map((name) => name.trim().toLowerCase());
  const values = lines[1].split(",").map((value) => value.trim());
  if (values.length !== header.length) throw errors.evaluationValueCount(header.length, values.length);

  const metrics: Record<string, string | number> = {};
  for (const [name, key] of EVALUATION_COLUMNS) {
    const position = header.indexOf(name.toLowerCase());
    if (position < 0) throw errors.evaluationMissingColumn(name, EVALUATION_HEADER);
    const value = values[position];
    if (TEXT_METRICS.has(key)) {
      metrics[key] = value;
    } else {
      const number = Number(value);
      if (value === "" || Number.isNaN(number)) throw errors.evaluationNotANumber(name, value);
      metrics[key] = number;
    }
  }
  return metrics as unknown as EvaluationMetrics;
}
