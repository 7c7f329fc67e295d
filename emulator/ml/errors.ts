/**
 * The ML core's two error types and the catalogue of their messages. Each message says what is wrong, where, and
 * what to do, because the emulator passes it unchanged to the user as the batch job's failure detail.
 */
import { FEATURE_COLUMNS, NEGATIVE_LABEL, NUMERIC_COLUMNS, POSITIVE_LABEL } from "./schema";

/** Training or scoring data that does not fit the Adult schema. */
export class DatasetError extends Error {
  override name = "DatasetError";
}

/** Bytes that are not a readable `.ilearner` written by this trainer. */
export class IlearnerFormatError extends Error {
  override name = "IlearnerFormatError";
}

const NUMERIC_LIST = [...NUMERIC_COLUMNS].join(", ");
const quoted = (names: readonly string[]): string => names.map((name) => `'${name}'`).join(", ");

// Datasets (CSV text)

export const emptyDataset = (): DatasetError =>
  new DatasetError(
    "The dataset is empty. Provide CSV rows with the 14 Adult feature columns and the income label, " +
      "with a header row or in the headerless UCI adult.data format.",
  );

export const noDataRows = (): DatasetError =>
  new DatasetError(
    `The dataset has a header but no data rows. Add rows labelled '${POSITIVE_LABEL}' and '${NEGATIVE_LABEL}'.`,
  );

export const headerMissingColumns = (missing: string[]): DatasetError =>
  new DatasetError(
    `Line 1: the header lacks column(s) ${quoted(missing)}. Name every Adult column (case and _ for - do not ` +
      "matter), or drop the header to use the UCI column order.",
  );

export const headerUnknownColumns = (unknown: string[], labelColumn: string): DatasetError =>
  new DatasetError(
    `Line 1: the header has unknown column(s) ${quoted(unknown)}. Expected only ${FEATURE_COLUMNS.join(", ")} ` +
      `and the label ${labelColumn}; remove or rename the others.`,
  );

export const headerDuplicateColumn = (column: string): DatasetError =>
  new DatasetError(`Line 1: the header names column '${column}' more than once. Keep one column of that name.`);

export const wrongColumnCount = (line: number, expected: number, found: number): DatasetError =>
  new DatasetError(
    `Line ${line}: expected ${expected} comma-separated values but found ${found}. ` +
      "Give every row one value per column, with ? for an unknown value.",
  );

export const notANumber = (line: number, column: string, value: string): DatasetError =>
  new DatasetError(
    `Line ${line}, column '${column}': '${value}' is not a number. ` +
      `The numeric columns (${NUMERIC_LIST}) take numbers, or ? when unknown.`,
  );

export const missingLabel = (line: number, column: string): DatasetError =>
  new DatasetError(
    `Line ${line}, column '${column}': the label is missing. ` +
      `Every training row needs '${POSITIVE_LABEL}' or '${NEGATIVE_LABEL}'.`,
  );

export const unknownLabel = (line: number, column: string, value: string): DatasetError =>
  new DatasetError(
    `Line ${line}, column '${column}': label '${value}' is neither '${POSITIVE_LABEL}' nor '${NEGATIVE_LABEL}'. ` +
      "Use one of those two (a trailing '.' as in adult.test is accepted).",
  );

export const singleClass = (column: string, present: string, absent: string): DatasetError =>
  new DatasetError(
    `Column '${column}' holds only '${present}' labels. Two-class logistic regression needs rows of both ` +
      `'${POSITIVE_LABEL}' and '${NEGATIVE_LABEL}'; add rows labelled '${absent}'.`,
  );

export const tooFewToHoldOut = (label: string, count: number): DatasetError =>
  new DatasetError(
    `Only ${count} row(s) are labelled '${label}'; holding out a test split needs at least 2 of each label. ` +
      "Add more rows of that label.",
  );

// Rows sent for scoring

export const missingFeatureColumn = (row: number, column: string): DatasetError =>
  new DatasetError(
    `Row ${row}: column '${column}' is missing. Scoring needs every feature column ` +
      `(${FEATURE_COLUMNS.join(", ")}); send null or ? for an unknown value.`,
  );

export const scoreNotANumber = (row: number, column: string, value: string): DatasetError =>
  new DatasetError(
    `Row ${row}, column '${column}': '${value}' is not a number. ` +
      `The numeric columns (${NUMERIC_LIST}) take numbers, or null or ? when unknown.`,
  );

// Evaluation CSV (Evaluate Model output)

export const evaluationLineCount = (found: number): DatasetError =>
  new DatasetError(
    `The evaluation CSV must have a header line and one data line, but it has ${found} non-empty line(s). ` +
      "Use the evaluation output of a training run.",
  );

export const evaluationValueCount = (columns: number, values: number): DatasetError =>
  new DatasetError(`The evaluation CSV header has ${columns} columns but its data line has ${values} values.`);

export const evaluationMissingColumn = (column: string, expected: readonly string[]): DatasetError =>
  new DatasetError(`The evaluation CSV lacks column '${column}'. Expected the columns ${expected.join(",")}.`);

export const evaluationNotANumber = (column: string, value: string): DatasetError =>
  new DatasetError(`The evaluation CSV column '${column}' holds '${value}', which is not a number.`);

// .ilearner files

export const emptyIlearner = (): IlearnerFormatError =>
  new IlearnerFormatError(
    "The model blob is empty (0 bytes), so it holds no trained model. Use the .ilearner output of a training run.",
  );

export const foreignFile = (magic: string): IlearnerFormatError =>
  new IlearnerFormatError(
    `The model blob is not an .ilearner produced by a training web service: it does not start with '${magic}'. ` +
      "Use the trained-model (.ilearner) output of a training run, not its dataset or evaluation output.",
  );

export const damagedHeader = (): IlearnerFormatError =>
  new IlearnerFormatError(
    "The .ilearner header is damaged: expected 'version: <n>' and 'sha256: <64 hex digits>' lines after the " +
      "magic. The file is corrupt; retrain to produce a new one.",
  );

export const unsupportedVersion = (version: number, supported: readonly number[]): IlearnerFormatError =>
  new IlearnerFormatError(
    `The .ilearner uses format version ${version}, which this service cannot read (supported: ` +
      `${supported.join(", ")}). Retrain with this service to produce a compatible model.`,
  );

export const checksumMismatch = (recorded: string, actual: string): IlearnerFormatError =>
  new IlearnerFormatError(
    `The .ilearner is corrupt: its payload has SHA-256 ${actual} but its header records ${recorded}. ` +
      "It was changed or truncated after training; re-upload the original or retrain.",
  );

export const badPayloadJson = (detail: string): IlearnerFormatError =>
  new IlearnerFormatError(
    `The .ilearner payload is not valid JSON (${detail}). The file is corrupt; retrain to produce a new one.`,
  );

export const invalidPayloadField = (field: string): IlearnerFormatError =>
  new IlearnerFormatError(
    `The .ilearner payload has no valid '${field}'. ` +
      "It was not written by this service's trainer; retrain to produce a new one.",
  );
