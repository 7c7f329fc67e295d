import { encodeRows, featureCount, fitEncoder } from "../../../../emulator/ml/features";
import { FeatureRow } from "../../../../emulator/ml/schema";

/** Rows in FEATURE_COLUMNS order; only age (numeric) and sex (categorical) vary. */
const row = (age: number | null, sex: string, workclass = "Private"): FeatureRow => [
  age, workclass, 100, "HS-grad", 9, "Never-married", "Sales", "Own-child", "White", sex, 0, 0, 40, "United-States",
];

describe("feature encoding", () => {
  const training = [row(20, "Male"), row(40, "Female", "?"), row(null, "Male")];
  const state = fitEncoder(training);

  it("learns mean and std of known numeric values, std 1 for constant columns", () => {
    expect(state.numeric[0]).toEqual({ column: "age", mean: 30, std: 10 });
    expect(state.numeric.find((e) => e.column === "fnlwgt")).toEqual({ column: "fnlwgt", mean: 100, std: 1 });
  });

  it("keeps the sorted categories seen in training, '?' among them", () => {
    expect(state.categorical.find((e) => e.column === "workclass")?.categories).toEqual(["?", "Private"]);
    expect(state.categorical.find((e) => e.column === "sex")?.categories).toEqual(["Female", "Male"]);
    // 6 numeric; workclass and sex 2 categories each, the other six categorical columns 1.
    expect(featureCount(state)).toBe(6 + 2 + 2 + 6);
  });

  it("standardizes numbers, encodes unknown numbers as the mean and unseen categories as zeros", () => {
    const matrix = encodeRows(state, [row(50, "Male"), row(null, "Other", "Never-worked")]);
    const dense = (r: number) => {
      const values = new Array(matrix.columnCount).fill(0);
      for (let e = matrix.rowStart[r]; e < matrix.rowStart[r + 1]; e++) values[matrix.index[e]] = matrix.value[e];
      return values;
    };
    // Columns: age, fnlwgt, education-num, capital-gain, capital-loss, hours; workclass ?, Private; education HS-grad;
    // marital; occupation; relationship; race; sex Female, Male; native-country.
    expect(dense(0)).toEqual([2, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 1, 1]);
    expect(dense(1)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1]);
    expect(matrix.rowStart[2] - matrix.rowStart[1]).toBe(6 + 6);
  });
});
