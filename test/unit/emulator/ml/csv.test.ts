import { parseDatasetCsv } from "../../../../emulator/ml/csv";
import { DatasetError } from "../../../../emulator/ml/errors";

const HEADER =
  "age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex," +
  "capital-gain,capital-loss,hours-per-week,native-country,income";
const RICH = "50,Self-emp-inc,83311,Bachelors,13,Married-civ-spouse,Exec-managerial,Husband,White,Male,15024,0,60,United-States,>50K";
const POOR = "38,Private,215646,HS-grad,9,Divorced,Handlers-cleaners,Not-in-family,White,Male,0,0,40,United-States,<=50K";
const UCI_RICH = RICH.split(",").join(", ");
const UCI_POOR = POOR.split(",").join(", ");

const RICH_FEATURES = [50, "Self-emp-inc", 83311, "Bachelors", 13, "Married-civ-spouse", "Exec-managerial", "Husband", "White", "Male", 15024, 0, 60, "United-States"];
const POOR_FEATURES = [38, "Private", 215646, "HS-grad", 9, "Divorced", "Handlers-cleaners", "Not-in-family", "White", "Male", 0, 0, 40, "United-States"];

describe("parseDatasetCsv accepts", () => {
  it.each([
    ["a header row", `${HEADER}\n${RICH}\n${POOR}\n`],
    ["CRLF line endings", `${HEADER}\r\n${RICH}\r\n${POOR}\r\n`],
    ["header names in other case and with _", `${HEADER.toUpperCase().replace(/-/g, "_")}\n${RICH}\n${POOR}`],
    ["the headerless UCI adult.data format with its trailing empty line", `${UCI_RICH}\n${UCI_POOR}\n\n`],
    [
      "the adult.test quirks: comment first line and labels ending in '.'",
      `|1x3 Cross validator\n${UCI_RICH}.\n${UCI_POOR}.\n\n`,
    ],
  ])("%s", (_name, text) => {
    expect(parseDatasetCsv(text)).toEqual({ features: [RICH_FEATURES, POOR_FEATURES], labels: Uint8Array.from([1, 0]) });
  });

  it("header columns in any order", () => {
    const columns = HEADER.split(",");
    const order = columns.map((_, i) => columns.length - 1 - i);
    const reorder = (line: string) => order.map((i) => line.split(",")[i]).join(",");
    expect(parseDatasetCsv([HEADER, RICH, POOR].map(reorder).join("\n")).features).toEqual([RICH_FEATURES, POOR_FEATURES]);
  });

  it("a renamed label column when told its name", () => {
    const text = `${HEADER.replace("income", "Label")}\n${RICH}\n${POOR}`;
    expect(parseDatasetCsv(text, "label").labels).toEqual(Uint8Array.from([1, 0]));
  });

  it("'?' and empty cells as unknown: null in numeric columns, '?' in categorical ones", () => {
    const row = "?,?,77516,Bachelors,,Never-married,,Not-in-family,White,Male,0,0,40,?,<=50K";
    expect(parseDatasetCsv(`${HEADER}\n${row}\n${RICH}`).features[0]).toEqual([
      null, "?", 77516, "Bachelors", null, "Never-married", "?", "Not-in-family", "White", "Male", 0, 0, 40, "?",
    ]);
  });
});

describe("parseDatasetCsv rejects", () => {
  const NUMERIC_HINT =
    "The numeric columns (age, fnlwgt, education-num, capital-gain, capital-loss, hours-per-week) take numbers, or ? when unknown.";
  it.each([
    [
      "an empty file",
      "",
      "The dataset is empty. Provide CSV rows with the 14 Adult feature columns and the income label, with a header row or in the headerless UCI adult.data format.",
    ],
    [
      "a file of blank and comment lines",
      "|1x3 Cross validator\n\n",
      "The dataset is empty. Provide CSV rows with the 14 Adult feature columns and the income label, with a header row or in the headerless UCI adult.data format.",
    ],
    ["a header without rows", `${HEADER}\n`, "The dataset has a header but no data rows. Add rows labelled '>50K' and '<=50K'."],
    [
      "a row with too few values",
      `${HEADER}\n${RICH}\n${POOR.replace("0,0,40", "0,40")}\n`,
      "Line 3: expected 15 comma-separated values but found 14. Give every row one value per column, with ? for an unknown value.",
    ],
    [
      "a headerless row with too many values",
      `${UCI_RICH}\n${UCI_POOR}, extra\n`,
      "Line 2: expected 15 comma-separated values but found 16. Give every row one value per column, with ? for an unknown value.",
    ],
    [
      "text in a numeric column",
      `${HEADER}\n${RICH}\n${POOR.replace("215646", "lots")}`,
      `Line 3, column 'fnlwgt': 'lots' is not a number. ${NUMERIC_HINT}`,
    ],
    [
      "text in a numeric column of adult.test, counting its comment line",
      `|1x3 Cross validator\n${UCI_RICH}.\n${UCI_POOR.replace(", 40,", ", forty,")}.\n`,
      `Line 3, column 'hours-per-week': 'forty' is not a number. ${NUMERIC_HINT}`,
    ],
    [
      "an unknown label",
      `${HEADER}\n${RICH}\n${POOR.replace("<=50K", "50K")}`,
      "Line 3, column 'income': label '50K' is neither '>50K' nor '<=50K'. Use one of those two (a trailing '.' as in adult.test is accepted).",
    ],
    [
      "a missing label",
      `${HEADER}\n${RICH}\n${POOR.replace("<=50K", "?")}`,
      "Line 3, column 'income': the label is missing. Every training row needs '>50K' or '<=50K'.",
    ],
    [
      "rows of one class only",
      `${HEADER}\n${POOR}\n${POOR}`,
      "Column 'income' holds only '<=50K' labels. Two-class logistic regression needs rows of both '>50K' and '<=50K'; add rows labelled '>50K'.",
    ],
    [
      "positive rows only",
      `${UCI_RICH}\n`,
      "Column 'income' holds only '>50K' labels. Two-class logistic regression needs rows of both '>50K' and '<=50K'; add rows labelled '<=50K'.",
    ],
    [
      "a header lacking columns",
      `${HEADER.replace(",fnlwgt", "").replace(",income", "")}\n`,
      "Line 1: the header lacks column(s) 'fnlwgt', 'income'. Name every Adult column (case and _ for - do not matter), or drop the header to use the UCI column order.",
    ],
    [
      "a header with unknown columns",
      `id,${HEADER}\n`,
      "Line 1: the header has unknown column(s) 'id'. Expected only age, workclass, fnlwgt, education, education-num, marital-status, occupation, relationship, race, sex, capital-gain, capital-loss, hours-per-week, native-country and the label income; remove or rename the others.",
    ],
    [
      "a header naming a column twice",
      `${HEADER},Age\n`,
      "Line 1: the header names column 'age' more than once. Keep one column of that name.",
    ],
  ])("%s", (_name, text, message) => {
    expect(() => parseDatasetCsv(text)).toThrow(new DatasetError(message));
  });

  it("throws DatasetError instances", () => {
    expect(() => parseDatasetCsv("")).toThrow(DatasetError);
  });
});
