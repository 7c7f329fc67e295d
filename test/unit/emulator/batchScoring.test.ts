/** Batch scoring's CSV reading and writing (emulator/batchScoring.ts), without storage. */
import { parseScoringCsv, scoredCsv } from "../../../emulator/batchScoring";
import { DatasetError, TrainedModel } from "../../../emulator/ml";

/** Scores a row by its `p` column, so the writer can be checked cell by cell. */
const fakeModel = { score: (rows: Array<Record<string, unknown>>) => rows.map((r) => ({ label: Number(r.p) >= 0.5 ? ">50K" : "<=50K", probability: Number(r.p) })) } as unknown as TrainedModel;

describe("parseScoringCsv", () => {
  it("reads the header and rows, trimming cells and skipping blank lines and CRs", () => {
    expect(parseScoringCsv("a, b\r\n1, x\r\n\r\n2,y\n")).toEqual({ columns: ["a", "b"], rows: [["1", "x"], ["2", "y"]] });
  });

  it.each([
    ["", "The input dataset is empty. Provide a header row naming the input columns, then one row per record to score."],
    ["a,b\n", "The input dataset has a header but no rows to score."],
    ["a,b\n1,2\n3\n", "Line 3: expected 2 comma-separated values (one per header column) but found 1. Use ? for an unknown value."],
  ])("refuses %j", (text, message) => {
    expect(() => parseScoringCsv(text)).toThrow(new DatasetError(message));
  });
});

describe("scoredCsv", () => {
  it("appends Scored Labels and Scored Probabilities and quotes cells that need it", () => {
    const table = { columns: ["p", "note"], rows: [["0.75", 'say "hi", twice'], ["0.25", "plain"]] };
    expect(scoredCsv(table, fakeModel)).toBe('p,note,Scored Labels,Scored Probabilities\n0.75,"say ""hi"", twice",>50K,0.75\n0.25,plain,<=50K,0.25\n');
  });
});
