import { DatasetError } from "../../../../emulator/ml/errors";
import {
  EvaluationMetrics,
  areaUnderRoc,
  evaluate,
  parseEvaluationCsv,
  renderEvaluationCsv,
} from "../../../../emulator/ml/evaluate";

const scores = (values: number[]) => Float64Array.from(values);
const labels = (values: number[]) => Uint8Array.from(values);

describe("areaUnderRoc", () => {
  it.each([
    ["perfect ranking", [0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9], 1],
    ["reversed ranking", [1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9], 0],
    ["all scores tied", [1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5], 0.5],
    // Positives 0.9, 0.5, 0.3 against negatives 0.5, 0.2, 0.7: 3 + (1 + ½) + 1 wins of 9 pairs.
    ["a tie across classes", [1, 1, 0, 0, 1, 0], [0.9, 0.5, 0.5, 0.2, 0.3, 0.7], 5.5 / 9],
    // 0.4 beats both negatives; each 0.2 beats 0.1 and ties the other 0.2: 2 + 1.5 + 1.5 of 6.
    ["tied positives and negatives", [1, 1, 1, 0, 0], [0.4, 0.2, 0.2, 0.2, 0.1], 5 / 6],
  ])("%s", (_name, y, p, auc) => {
    expect(areaUnderRoc(labels(y), scores(p))).toBeCloseTo(auc, 12);
  });

  it("is undefined (NaN) with one class only", () => {
    expect(areaUnderRoc(labels([1, 1]), scores([0.3, 0.6]))).toBeNaN();
  });
});

describe("evaluate", () => {
  it("counts the confusion matrix at threshold 0.5 (0.5 itself is positive) and derives the ratios", () => {
    const y = [1, 1, 0, 0, 1, 0];
    const p = [0.9, 0.5, 0.5, 0.2, 0.3, 0.7];
    const logLoss = -(Math.log(0.9) + Math.log(0.5) + Math.log(0.3) + Math.log(0.5) + Math.log(0.8) + Math.log(0.3)) / 6;
    const metrics = evaluate(labels(y), scores(p));
    expect(metrics).toEqual({
      truePositives: 2,
      falseNegatives: 1,
      falsePositives: 2,
      trueNegatives: 1,
      positiveLabel: ">50K",
      negativeLabel: "<=50K",
      accuracy: 0.5,
      precision: 0.5,
      recall: 2 / 3,
      f1: expect.closeTo(4 / 7, 12),
      auc: expect.closeTo(5.5 / 9, 12),
      averageLogLoss: expect.closeTo(logLoss, 12),
      rows: 6,
    });
  });

  it("reports 0, not NaN, for precision, recall and F1 when nothing is predicted positive", () => {
    const metrics = evaluate(labels([1, 0]), scores([0.2, 0.1]));
    expect([metrics.precision, metrics.recall, metrics.f1]).toEqual([0, 0, 0]);
  });

  it("keeps log loss finite for a certain wrong answer", () => {
    expect(evaluate(labels([1, 0]), scores([0, 0])).averageLogLoss).toBeCloseTo(-Math.log(1e-15) / 2, 6);
  });
});

const METRICS: EvaluationMetrics = {
  truePositives: 1151,
  falseNegatives: 809,
  falsePositives: 425,
  trueNegatives: 5755,
  positiveLabel: ">50K",
  negativeLabel: "<=50K",
  accuracy: 0.8484029484029484,
  precision: 0.7303299492385786,
  recall: 0.5872448979591837,
  f1: 0.6510180995475113,
  auc: 0.908589013275213,
  averageLogLoss: 0.31574383035304665,
  rows: 8140,
};
const CSV =
  "True Positive,False Negative,False Positive,True Negative,Positive Label,Negative Label,Accuracy,Precision,Recall,F-Score,AUC,Average Log Loss,Rows\n" +
  "1151,809,425,5755,>50K,<=50K,0.8484029484029484,0.7303299492385786,0.5872448979591837,0.6510180995475113,0.908589013275213,0.31574383035304665,8140\n";

describe("evaluation CSV", () => {
  it("renders the Evaluate Model header and one data line", () => {
    expect(renderEvaluationCsv(METRICS)).toBe(CSV);
  });

  it.each([
    ["as rendered", CSV],
    ["with CRLF and no final newline", CSV.trimEnd().replace("\n", "\r\n")],
    ["with lower-case headers and spaces", CSV.toLowerCase().replace(/,/g, ", ").replace(">50k", ">50K").replace("<=50k", "<=50K")],
    [
      "with columns in another order",
      "Rows,AUC,True Positive,False Negative,False Positive,True Negative,Positive Label,Negative Label,Accuracy,Precision,Recall,F-Score,Average Log Loss\n" +
        "8140,0.908589013275213,1151,809,425,5755,>50K,<=50K,0.8484029484029484,0.7303299492385786,0.5872448979591837,0.6510180995475113,0.31574383035304665\n",
    ],
  ])("parses back %s", (_name, text) => {
    expect(parseEvaluationCsv(text)).toEqual(METRICS);
  });

  it.each([
    ["an empty file", "", "The evaluation CSV must have a header line and one data line, but it has 0 non-empty line(s). Use the evaluation output of a training run."],
    [
      "a header only",
      CSV.split("\n")[0],
      "The evaluation CSV must have a header line and one data line, but it has 1 non-empty line(s). Use the evaluation output of a training run.",
    ],
    ["a short data line", CSV.replace(",8140", ""), "The evaluation CSV header has 13 columns but its data line has 12 values."],
    [
      "a missing column",
      CSV.replace("AUC,", "Area,"),
      "The evaluation CSV lacks column 'AUC'. Expected the columns True Positive,False Negative,False Positive,True Negative,Positive Label,Negative Label,Accuracy,Precision,Recall,F-Score,AUC,Average Log Loss,Rows.",
    ],
    ["a non-numeric metric", CSV.replace("0.908589013275213", "high"), "The evaluation CSV column 'AUC' holds 'high', which is not a number."],
    ["an empty metric", CSV.replace(",8140", ","), "The evaluation CSV column 'Rows' holds '', which is not a number."],
  ])("rejects %s", (_name, text, message) => {
    expect(() => parseEvaluationCsv(text)).toThrow(new DatasetError(message));
  });
});
