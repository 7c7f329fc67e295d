/**
 * Turns Adult rows into model features, as Studio's Normalize Data + one-hot conversion did: numeric columns
 * standardized with the training mean and standard deviation (unknown → the mean), categorical columns one-hot over
 * the categories seen in training, with `?` a category of its own and unseen categories all zeros.
 * Rows are sparse (6 numeric + at most 8 one-hot entries), which keeps training linear in the row count.
 */
import { FEATURE_COLUMNS, FeatureRow, NUMERIC_COLUMNS } from "./schema";

export interface NumericEncoding {
  column: string;
  mean: number;
  std: number;
}

export interface CategoricalEncoding {
  column: string;
  /** Sorted; the one-hot index of a category is the column's offset plus its position here. */
  categories: string[];
}

/** What training learned about the columns; stored in the .ilearner so scoring encodes rows identically. */
export interface EncoderState {
  numeric: NumericEncoding[];
  categorical: CategoricalEncoding[];
}

/** Compressed sparse rows: row r's entries are index/value[rowStart[r] .. rowStart[r + 1]). */
export interface SparseMatrix {
  rowCount: number;
  columnCount: number;
  rowStart: Int32Array;
  index: Int32Array;
  value: Float64Array;
}

export function fitEncoder(rows: FeatureRow[]): EncoderState {
  const numeric: NumericEncoding[] = [];
  const categorical: CategoricalEncoding[] = [];
  FEATURE_COLUMNS.forEach((column, j) => {
    if (NUMERIC_COLUMNS.has(column)) {
      numeric.push({ column, ...meanAndStd(rows, j) });
    } else {
      const seen = new Set(rows.map((row) => row[j] as string));
      categorical.push({ column, categories: [...seen].sort() });
    }
  });
  return { numeric, categorical };
}

export function featureCount(state: EncoderState): number {
  return state.categorical.reduce((count, encoding) => count + encoding.categories.length, state.numeric.length);
}

/** Encodes rows whose values follow FEATURE_COLUMNS order. */
export function encodeRows(state: EncoderState, rows: FeatureRow[]): SparseMatrix {
  const numericPositions = state.numeric.map((encoding) => FEATURE_COLUMNS.indexOf(encoding.column));
  const categoricalPositions = state.categorical.map((encoding) => FEATURE_COLUMNS.indexOf(encoding.column));
  const categoryIndex: Map<string, number>[] = [];
  let offset = state.numeric.length;
  for (const encoding of state.categorical) {
    categoryIndex.push(new Map(encoding.categories.map((category, k) => [category, offset + k])));
    offset += encoding.categories.length;
  }

  const maxEntries = rows.length * (state.numeric.length + state.categorical.length);
  const index = new Int32Array(maxEntries);
  const value = new Float64Array(maxEntries);
  const rowStart = new Int32Array(rows.length + 1);
  let entry = 0;
  rows.forEach((row, r) => {
    state.numeric.forEach(({ mean, std }, k) => {
      const raw = row[numericPositions[k]] as number | null;
      index[entry] = k;
      value[entry++] = raw === null ? 0 : (raw - mean) / std;
    });
    categoricalPositions.forEach((position, k) => {
      const column = categoryIndex[k].get(row[position] as string);
      if (column === undefined) return;
      index[entry] = column;
      value[entry++] = 1;
    });
    rowStart[r + 1] = entry;
  });
  return {
    rowCount: rows.length,
    columnCount: offset,
    rowStart,
    index: index.subarray(0, entry),
    value: value.subarray(0, entry),
  };
}

/** Over known values; a constant or all-unknown column gets std 1 so it encodes as zeros instead of NaN. */
function meanAndStd(rows: FeatureRow[], position: number): { mean: number; std: number } {
  let count = 0;
  let sum = 0;
  let sumOfSquares = 0;
  for (const row of rows) {
    const raw = row[position] as number | null;
    if (raw === null) continue;
    count++;
    sum += raw;
    sumOfSquares += raw * raw;
  }
  if (count === 0) return { mean: 0, std: 1 };
  const mean = sum / count;
  const std = Math.sqrt(Math.max(0, sumOfSquares / count - mean * mean));
  return { mean, std: std > 0 ? std : 1 };
}
