/** A trained model loaded from an .ilearner, as a predictive web service uses it to score rows. */
import * as errors from "./errors";
import { DECISION_THRESHOLD } from "./evaluate";
import { encodeRows } from "./features";
import { ModelPayload, decodeIlearner } from "./ilearner";
import { predictProbabilities } from "./logisticRegression";
import { FEATURE_COLUMNS, FeatureRow, NUMERIC_COLUMNS, normalizeColumnName, readCell } from "./schema";

export interface ScoredRow {
  /** "Scored Labels": the positive label when probability >= 0.5. */
  label: string;
  /** "Scored Probabilities": the probability of the positive label. */
  probability: number;
}

export interface TrainedModel {
  /** First 16 hex digits of the SHA-256 of the .ilearner payload. */
  modelId: string;
  algorithm: string;
  createdAt: string;
  featureColumns: string[];
  labelColumn: string;
  /**
   * Rows are keyed by column name (matched like CSV headers: case-insensitive, `_` for `-`); other keys, such as the
   * label, are ignored. Throws DatasetError naming the row (1-based) and column of a missing or non-numeric value.
   */
  score(rows: Array<Record<string, string | number | null>>): ScoredRow[];
}

/** Throws IlearnerFormatError when the bytes are not a readable .ilearner. */
export function loadModel(bytes: Buffer): TrainedModel {
  const { payload, modelId } = decodeIlearner(bytes);
  return {
    modelId,
    algorithm: payload.algorithm,
    createdAt: payload.createdAt,
    featureColumns: [...payload.schema.featureColumns],
    labelColumn: payload.schema.labelColumn,
    score(rows) {
      const probabilities = predictRows(payload, rows.map(toFeatureRow));
      return Array.from(probabilities, (probability) => ({
        label: probability >= DECISION_THRESHOLD ? payload.schema.positiveLabel : payload.schema.negativeLabel,
        probability,
      }));
    },
  };
}

/** Probability of the positive label for each row. */
export function predictRows(payload: ModelPayload, rows: FeatureRow[]): Float64Array {
  return predictProbabilities(payload.weights, encodeRows(payload.encoder, rows));
}

function toFeatureRow(record: Record<string, unknown>, index: number): FeatureRow {
  const byColumn = new Map(Object.entries(record).map(([name, value]) => [normalizeColumnName(name), value]));
  return FEATURE_COLUMNS.map((column) => {
    if (!byColumn.has(column)) throw errors.missingFeatureColumn(index + 1, column);
    const raw = byColumn.get(column);
    // JSON callers may send booleans or objects: as text, a numeric column rejects them and a categorical one
    // treats them as an unseen category, the same as any other unknown string.
    const cell = raw === null || raw === undefined ? null : typeof raw === "number" ? raw : String(raw);
    const value = readCell(NUMERIC_COLUMNS.has(column), cell);
    if (value === undefined) throw errors.scoreNotANumber(index + 1, column, String(raw));
    return value;
  });
}
