import { parseDatasetCsv } from "../../../../emulator/ml/csv";
import { DatasetError } from "../../../../emulator/ml/errors";
import { generateAdultCsv } from "../../../../emulator/ml/generator";
import { decodeIlearner } from "../../../../emulator/ml/ilearner";
import { loadModel, predictRows } from "../../../../emulator/ml/model";
import { FEATURE_COLUMNS } from "../../../../emulator/ml/schema";
import { trainFromCsv } from "../../../../emulator/ml/train";

const { model: bytes } = trainFromCsv(generateAdultCsv(2000, 11));
const model = loadModel(bytes);

const PERSON = {
  age: 52,
  workclass: "Self-emp-inc",
  fnlwgt: 287927,
  education: "Doctorate",
  "education-num": 16,
  "marital-status": "Married-civ-spouse",
  occupation: "Exec-managerial",
  relationship: "Wife",
  race: "White",
  sex: "Female",
  "capital-gain": 15024,
  "capital-loss": 0,
  "hours-per-week": 50,
  "native-country": "United-States",
};
const YOUNG = { ...PERSON, age: 19, education: "11th", "education-num": 7, "marital-status": "Never-married",
  occupation: "Other-service", relationship: "Own-child", "capital-gain": 0, "hours-per-week": 15 };

describe("loadModel", () => {
  it("describes the model it read", () => {
    const { payload, modelId } = decodeIlearner(bytes);
    expect(model).toMatchObject({
      modelId,
      algorithm: "TwoClassLogisticRegression",
      createdAt: payload.createdAt,
      featureColumns: FEATURE_COLUMNS,
      labelColumn: "income",
    });
    expect(modelId).toMatch(/^[0-9a-f]{16}$/);
  });

  it("scores rows with a label and the probability of >50K", () => {
    const [rich, young] = model.score([PERSON, YOUNG]);
    expect(rich.label).toBe(">50K");
    expect(rich.probability).toBeGreaterThan(0.9);
    expect(young.label).toBe("<=50K");
    expect(young.probability).toBeLessThan(0.1);
  });

  it("scores records exactly as the parsed CSV rows they come from", () => {
    const csv = generateAdultCsv(50, 3);
    const [header, ...lines] = csv.trim().split("\n");
    const names = header.split(",");
    const records = lines.map((line) => Object.fromEntries(line.split(",").map((value, i) => [names[i], value])));
    const expected = predictRows(decodeIlearner(bytes).payload, parseDatasetCsv(csv).features);
    expect(model.score(records).map((row) => row.probability)).toEqual(Array.from(expected));
  });

  it("matches column names like CSV headers, reads numeric strings and ignores other keys", () => {
    const renamed = Object.fromEntries(Object.entries(PERSON).map(([k, v]) => [k.toUpperCase().replace(/-/g, "_"), String(v)]));
    expect(model.score([{ ...renamed, income: ">50K", id: 7 }])).toEqual(model.score([PERSON]));
  });

  it("treats null, '?' and '' as unknown and unseen categories as neither", () => {
    const unknown = { ...PERSON, age: null, fnlwgt: "?", workclass: "", "native-country": "Atlantis" };
    const [scored] = model.score([unknown]);
    expect(scored.probability).toBeGreaterThan(0);
    expect(scored.probability).toBeLessThan(1);
  });

  it("returns nothing for no rows", () => {
    expect(model.score([])).toEqual([]);
  });

  it.each([
    [
      "a missing feature column",
      [PERSON, Object.fromEntries(Object.entries(PERSON).filter(([k]) => k !== "hours-per-week"))],
      "Row 2: column 'hours-per-week' is missing. Scoring needs every feature column (age, workclass, fnlwgt, education, education-num, marital-status, occupation, relationship, race, sex, capital-gain, capital-loss, hours-per-week, native-country); send null or ? for an unknown value.",
    ],
    [
      "text in a numeric column",
      [{ ...PERSON, "capital-gain": "a lot" }],
      "Row 1, column 'capital-gain': 'a lot' is not a number. The numeric columns (age, fnlwgt, education-num, capital-gain, capital-loss, hours-per-week) take numbers, or null or ? when unknown.",
    ],
    [
      "a non-finite number",
      [{ ...PERSON, age: Number.NaN }],
      "Row 1, column 'age': 'NaN' is not a number. The numeric columns (age, fnlwgt, education-num, capital-gain, capital-loss, hours-per-week) take numbers, or null or ? when unknown.",
    ],
  ])("rejects %s", (_name, rows, message) => {
    expect(() => model.score(rows)).toThrow(new DatasetError(message));
  });
});
