/**
 * Parses labelled Adult data: either CSV with a header row naming the columns (any order), or the headerless UCI
 * format of adult.data / adult.test (", " separators, `?` for unknown, `|…` comment lines, labels ending in ".").
 */
import * as errors from "./errors";
import {
  ADULT_COLUMNS,
  FEATURE_COLUMNS,
  FeatureRow,
  LABEL_COLUMN,
  MISSING_VALUE,
  NEGATIVE_LABEL,
  NUMERIC_COLUMNS,
  POSITIVE_LABEL,
  normalizeColumnName,
  readCell,
} from "./schema";

export interface Dataset {
  features: FeatureRow[];
  /** 1 where the row is labelled POSITIVE_LABEL, 0 where NEGATIVE_LABEL. */
  labels: Uint8Array;
}

/** Where each feature and the label sit within a line. */
interface Layout {
  featurePositions: number[];
  labelPosition: number;
  columnCount: number;
}

// UCI's adult.test opens with "|1x3 Cross validator"; in UCI files "|" starts a comment line.
const COMMENT_PREFIX = "|";
// adult.test writes its labels as ">50K." and "<=50K.".
const UCI_TEST_LABEL_SUFFIX = ".";

const IS_NUMERIC = FEATURE_COLUMNS.map((column) => NUMERIC_COLUMNS.has(column));

/** Throws DatasetError naming the line (and column) of the first problem. */
export function parseDatasetCsv(text: string, labelColumn: string = LABEL_COLUMN): Dataset {
  const lines = text.split("\n");
  const features: FeatureRow[] = [];
  const labels: number[] = [];
  let layout: Layout | undefined;
  let hasHeader = false;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].endsWith("\r") ? lines[i].slice(0, -1) : lines[i];
    if (line.trim() === "" || line.startsWith(COMMENT_PREFIX)) continue;
    const fields = line.split(",");
    const lineNumber = i + 1;
    if (!layout) {
      hasHeader = isHeader(fields);
      layout = hasHeader ? headerLayout(fields, labelColumn) : UCI_LAYOUT;
      if (hasHeader) continue;
    }
    if (fields.length !== layout.columnCount) {
      throw errors.wrongColumnCount(lineNumber, layout.columnCount, fields.length);
    }
    features.push(readFeatures(fields, layout, lineNumber));
    labels.push(readLabel(fields[layout.labelPosition], labelColumn, lineNumber));
  }

  if (features.length === 0) throw hasHeader ? errors.noDataRows() : errors.emptyDataset();
  const positives = labels.reduce((sum, label) => sum + label, 0);
  if (positives === 0) throw errors.singleClass(labelColumn, NEGATIVE_LABEL, POSITIVE_LABEL);
  if (positives === labels.length) throw errors.singleClass(labelColumn, POSITIVE_LABEL, NEGATIVE_LABEL);
  return { features, labels: Uint8Array.from(labels) };
}

const UCI_LAYOUT: Layout = {
  featurePositions: FEATURE_COLUMNS.map((column) => (ADULT_COLUMNS as readonly string[]).indexOf(column)),
  labelPosition: ADULT_COLUMNS.indexOf(LABEL_COLUMN),
  columnCount: ADULT_COLUMNS.length,
};

/** Every data row has numbers (age, hours, …); a header has none. */
function isHeader(fields: string[]): boolean {
  return fields.every((field) => {
    const text = field.trim();
    return text === "" || !Number.isFinite(Number(text));
  });
}

function headerLayout(fields: string[], labelColumn: string): Layout {
  const names = fields.map(normalizeColumnName);
  const label = normalizeColumnName(labelColumn);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) throw errors.headerDuplicateColumn(duplicate);
  const unknown = names.filter((name) => name !== label && !FEATURE_COLUMNS.includes(name));
  if (unknown.length > 0) throw errors.headerUnknownColumns(unknown, labelColumn);
  const missing = [...FEATURE_COLUMNS, label].filter((column) => !names.includes(column));
  if (missing.length > 0) throw errors.headerMissingColumns(missing);
  return {
    featurePositions: FEATURE_COLUMNS.map((column) => names.indexOf(column)),
    labelPosition: names.indexOf(label),
    columnCount: names.length,
  };
}

function readFeatures(fields: string[], layout: Layout, lineNumber: number): FeatureRow {
  return layout.featurePositions.map((position, j) => {
    const value = readCell(IS_NUMERIC[j], fields[position]);
    if (value === undefined) throw errors.notANumber(lineNumber, FEATURE_COLUMNS[j], fields[position].trim());
    return value;
  });
}

function readLabel(field: string, labelColumn: string, lineNumber: number): number {
  const text = field.trim();
  const label = text.endsWith(UCI_TEST_LABEL_SUFFIX) ? text.slice(0, -UCI_TEST_LABEL_SUFFIX.length) : text;
  if (label === POSITIVE_LABEL) return 1;
  if (label === NEGATIVE_LABEL) return 0;
  if (label === "" || label === MISSING_VALUE) throw errors.missingLabel(lineNumber, labelColumn);
  throw errors.unknownLabel(lineNumber, labelColumn, text);
}
