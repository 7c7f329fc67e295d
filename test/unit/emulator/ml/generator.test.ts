import { parseDatasetCsv } from "../../../../emulator/ml/csv";
import { generateAdultCsv } from "../../../../emulator/ml/generator";
import { ADULT_COLUMNS } from "../../../../emulator/ml/schema";

describe("generateAdultCsv", () => {
  it("gives byte-identical text for the same rows, seed and options", () => {
    expect(generateAdultCsv(500, 42, { drift: 0.3 })).toBe(generateAdultCsv(500, 42, { drift: 0.3 }));
  });

  it.each([
    ["another seed", generateAdultCsv(500, 43)],
    ["drift", generateAdultCsv(500, 42, { drift: 0.5 })],
  ])("gives other rows for %s", (_name, text) => {
    expect(text).not.toBe(generateAdultCsv(500, 42));
  });

  it("starts with the Adult header and separates values by ',' by default", () => {
    const lines = generateAdultCsv(3, 1).split("\n");
    expect(lines[0]).toBe(ADULT_COLUMNS.join(","));
    expect(lines).toHaveLength(5); // header, 3 rows, "" after the final newline
    expect(lines[1].split(",")).toHaveLength(15);
  });

  it("writes the UCI adult.data layout without a header: the same rows, ', '-separated", () => {
    const uci = generateAdultCsv(200, 9, { header: false });
    expect(uci.split("\n")[0].split(", ")).toHaveLength(15);
    expect(parseDatasetCsv(uci)).toEqual(parseDatasetCsv(generateAdultCsv(200, 9)));
  });

  it("writes only the header for zero rows", () => {
    expect(generateAdultCsv(0, 1)).toBe(`${ADULT_COLUMNS.join(",")}\n`);
    expect(generateAdultCsv(0, 1, { header: false })).toBe("");
  });

  describe("statistics close to adult.data", () => {
    const { features, labels } = parseDatasetCsv(generateAdultCsv(20_000, 2024));
    const share = (test: (row: (string | number | null)[]) => boolean) =>
      features.filter(test).length / features.length;
    const column = (name: string) => ADULT_COLUMNS.indexOf(name as (typeof ADULT_COLUMNS)[number]);

    it.each([
      [">50K", () => labels.reduce((sum, label) => sum + label, 0) / labels.length, 0.21, 0.27],
      ["married (civilian spouse)", () => share((row) => row[column("marital-status")] === "Married-civ-spouse"), 0.42, 0.5],
      ["male", () => share((row) => row[column("sex")] === "Male"), 0.63, 0.71],
      ["HS-grad", () => share((row) => row[column("education")] === "HS-grad"), 0.28, 0.36],
      ["occupation unknown", () => share((row) => row[column("occupation")] === "?"), 0.03, 0.09],
      ["capital gain", () => share((row) => row[column("capital-gain")] !== 0), 0.06, 0.11],
    ])("share of %s", (_name, measure, low, high) => {
      expect(measure()).toBeGreaterThanOrEqual(low);
      expect(measure()).toBeLessThanOrEqual(high);
    });

    it("keeps education-num the code of education", () => {
      const pairs = new Set(features.map((row) => `${row[column("education")]}=${row[column("education-num")]}`));
      expect(pairs.size).toBe(16);
    });

    it("makes wives female and husbands male", () => {
      expect(share((row) => row[column("relationship")] === "Husband" && row[column("sex")] !== "Male")).toBe(0);
      expect(share((row) => row[column("relationship")] === "Wife" && row[column("sex")] !== "Female")).toBe(0);
    });
  });

  it.each([
    [-1, {}, "rows must be a non-negative integer, got -1."],
    [1.5, {}, "rows must be a non-negative integer, got 1.5."],
    [10, { drift: 1.5 }, "drift must be between 0 and 1, got 1.5."],
    [10, { drift: Number.NaN }, "drift must be between 0 and 1, got NaN."],
  ])("rejects rows %p with options %j", (rows, options, message) => {
    expect(() => generateAdultCsv(rows, 1, options)).toThrow(new RangeError(message));
  });
});
