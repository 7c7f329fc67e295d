/**
 * The input schema of the Studio (classic) "Census Model" experiment: the 15 columns of the UCI Adult data set, in
 * the order the UCI files use. See ../shared/data/adult/README.md for the data itself.
 */

export const ADULT_COLUMNS = [
  "age",
  "workclass",
  "fnlwgt",
  "education",
  "education-num",
  "marital-status",
  "occupation",
  "relationship",
  "race",
  "sex",
  "capital-gain",
  "capital-loss",
  "hours-per-week",
  "native-country",
  "income",
] as const;

export const LABEL_COLUMN = "income";
export const POSITIVE_LABEL = ">50K";
export const NEGATIVE_LABEL = "<=50K";

/** The 14 columns a model reads, in file order; a `FeatureRow` holds one value per entry. */
export const FEATURE_COLUMNS: readonly string[] = ADULT_COLUMNS.filter((column) => column !== LABEL_COLUMN);

export const NUMERIC_COLUMNS: ReadonlySet<string> = new Set([
  "age",
  "fnlwgt",
  "education-num",
  "capital-gain",
  "capital-loss",
  "hours-per-week",
]);

/** How UCI marks an unknown value; an empty cell means the same. */
export const MISSING_VALUE = "?";

/** A number (null when missing) for a numeric column, a string (`?` when missing) for a categorical one. */
export type FeatureValue = number | string | null;
export type FeatureRow = FeatureValue[];

/** Column names match case-insensitively and with `_` for `-` (pandas and SQL exports often rename them so). */
export function normalizeColumnName(name: string): string {
  return name.trim().toLowerCase().replace(/_/g, "-");
}

/** Reads one cell as its column's type; undefined when a numeric column holds something that is not a number. */
export function readCell(isNumeric: boolean, raw: string | number | null): FeatureValue | undefined {
  if (typeof raw === "number") return isNumeric ? (Number.isFinite(raw) ? raw : undefined) : String(raw);
  const text = raw === null ? "" : raw.trim();
  if (text === "" || text === MISSING_VALUE) return isNumeric ? null : MISSING_VALUE;
  if (!isNumeric) return text;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}
