/** Request-Response Service (contract §3): PascalCase except the lowercase `type`/`value` of table outputs. */
import { Shape } from "./casing";

export type Cell = string | number | boolean | null;

/** The columns a predictive service appends to each scored row (RRS §3.4, and batch scoring's CSV). */
export const SCORED_LABELS = "Scored Labels";
export const SCORED_PROBABILITIES = "Scored Probabilities";

export interface TableInput {
  ColumnNames: string[];
  Values: Cell[][];
}

export interface ScoreRequestTable {
  Inputs: Record<string, TableInput>;
  GlobalParameters?: Record<string, unknown>;
}

export interface ScoreRequestRecords {
  Inputs: Record<string, Array<Record<string, Cell>>>;
  GlobalParameters?: Record<string, unknown>;
}

export interface TableOutput {
  type: "table";
  value: { ColumnNames?: string[]; ColumnTypes?: string[]; Values: Array<Array<string | null>> };
}

export const TABLE_INPUT_SHAPE: Shape = { ColumnNames: true, Values: true };
export const SCORE_TABLE_SHAPE: Shape = { Inputs: { $map: TABLE_INPUT_SHAPE }, GlobalParameters: true };
export const SCORE_RECORDS_SHAPE: Shape = { Inputs: true, GlobalParameters: true };

/**
 * One schema for both forms: the handler tells them apart by `format=swagger`. Kept loose on purpose (no ajv
 * coercion of cells); the handler checks rows against the model and reports InputMismatchError / InputParseError.
 */
export const SCORE_REQUEST_SCHEMA = {
  type: "object",
  required: ["Inputs"],
  properties: {
    Inputs: { type: "object" },
    GlobalParameters: { type: ["object", "null"] },
  },
} as const;
