/**
 * The "Census Model" training experiment: Clean Missing Data → Split Data (holdout) → Train Model (two-class
 * logistic regression) → Score Model on the holdout → Evaluate Model.
 */
import { Dataset, parseDatasetCsv } from "./csv";
import * as errors from "./errors";
import { EvaluationMetrics, evaluate, renderEvaluationCsv } from "./evaluate";
import { encodeRows, fitEncoder } from "./features";
import { LOGISTIC_REGRESSION_ALGORITHM, ModelPayload, encodeIlearner } from "./ilearner";
import { fitLogisticRegression } from "./logisticRegression";
import { predictRows } from "./model";
import { seededRandom, shuffle } from "./random";
import { FEATURE_COLUMNS, LABEL_COLUMN, NEGATIVE_LABEL, POSITIVE_LABEL } from "./schema";

export interface TrainOptions {
  /** Seed of the holdout split. Default 0, Split Data's default. */
  seed?: number;
  /** Share of rows held out for evaluation, in (0, 1). Default 0.25. */
  holdoutFraction?: number;
  /** L2 regularization weight, > 0. Default 1, Studio's default for two-class logistic regression. */
  l2?: number;
  /** Name of the label column in a CSV header. Default "income". */
  labelColumn?: string;
}

export interface TrainResult {
  /** The .ilearner bytes. */
  model: Buffer;
  evaluation: EvaluationMetrics;
  evaluationCsv: string;
}

export const DEFAULT_SEED = 0;
export const DEFAULT_HOLDOUT_FRACTION = 0.25;
export const DEFAULT_L2 = 1;

/** Throws DatasetError when the CSV does not hold usable Adult data. */
export function trainFromCsv(csv: string, options: TrainOptions = {}): TrainResult {
  const seed = options.seed ?? DEFAULT_SEED;
  const holdoutFraction = options.holdoutFraction ?? DEFAULT_HOLDOUT_FRACTION;
  const l2 = options.l2 ?? DEFAULT_L2;
  const labelColumn = options.labelColumn ?? LABEL_COLUMN;
  if (!(holdoutFraction > 0 && holdoutFraction < 1)) {
    throw new RangeError(`holdoutFraction must be between 0 and 1 (exclusive), got ${holdoutFraction}.`);
  }

  const dataset = parseDatasetCsv(csv, labelColumn);
  const { training, holdout } = splitHoldout(dataset, holdoutFraction, seed);
  const payload = fitModel(training, { l2, labelColumn });
  payload.training.holdoutRows = holdout.labels.length;
  payload.training.seed = seed;
  const evaluation = evaluate(holdout.labels, predictRows(payload, holdout.features));
  return { model: encodeIlearner(payload), evaluation, evaluationCsv: renderEvaluationCsv(evaluation) };
}

/** Fits the encoder and the regression on every row given. */
export function fitModel(dataset: Dataset, options: { l2: number; labelColumn: string }): ModelPayload {
  if (!(options.l2 > 0)) {
    // One-hot columns sum to the intercept column, so without a penalty the fit has no unique solution.
    throw new RangeError(`l2 must be greater than 0, got ${options.l2}.`);
  }
  const encoder = fitEncoder(dataset.features);
  const fit = fitLogisticRegression(encodeRows(encoder, dataset.features), dataset.labels, options.l2);
  return {
    algorithm: LOGISTIC_REGRESSION_ALGORITHM,
    createdAt: new Date().toISOString(),
    schema: {
      featureColumns: [...FEATURE_COLUMNS],
      labelColumn: options.labelColumn,
      positiveLabel: POSITIVE_LABEL,
      negativeLabel: NEGATIVE_LABEL,
    },
    encoder,
    weights: { intercept: fit.intercept, coefficients: fit.coefficients },
    training: { rows: dataset.labels.length, l2: options.l2, iterations: fit.iterations, converged: fit.converged },
  };
}

/**
 * Stratified by label, so both parts keep the label balance and hold both classes (AUC needs both), and shuffled
 * with the seed so the same data and seed always give the same split.
 */
export function splitHoldout(
  dataset: Dataset,
  holdoutFraction: number,
  seed: number,
): { training: Dataset; holdout: Dataset } {
  const random = seededRandom(seed);
  let trainingRows: number[] = [];
  let holdoutRows: number[] = [];
  for (const [label, name] of [
    [1, POSITIVE_LABEL],
    [0, NEGATIVE_LABEL],
  ] as const) {
    const rows = shuffle(
      Array.from(dataset.labels.keys()).filter((i) => dataset.labels[i] === label),
      random,
    );
    if (rows.length < 2) throw errors.tooFewToHoldOut(name, rows.length);
    const held = Math.min(rows.length - 1, Math.max(1, Math.round(rows.length * holdoutFraction)));
    holdoutRows = holdoutRows.concat(rows.slice(0, held));
    trainingRows = trainingRows.concat(rows.slice(held));
  }
  return { training: subset(dataset, trainingRows), holdout: subset(dataset, holdoutRows) };
}

function subset(dataset: Dataset, rows: number[]): Dataset {
  return { features: rows.map((i) => dataset.features[i]), labels: Uint8Array.from(rows, (i) => dataset.labels[i]) };
}
