import { SparseMatrix } from "../../../../emulator/ml/features";
import { fitLogisticRegression, predictProbabilities } from "../../../../emulator/ml/logisticRegression";

/** One feature per row (value x), dense. */
const column = (xs: number[]): SparseMatrix => ({
  rowCount: xs.length,
  columnCount: 1,
  rowStart: Int32Array.from({ length: xs.length + 1 }, (_, i) => i),
  index: new Int32Array(xs.length),
  value: Float64Array.from(xs),
});

describe("fitLogisticRegression", () => {
  it("reaches the penalized optimum: zero gradient for intercept and weight", () => {
    const xs = [-2, -1, -0.5, 0, 0.5, 1, 2, 3];
    const ys = Uint8Array.from([0, 0, 1, 0, 1, 0, 1, 1]);
    const l2 = 1;
    const fit = fitLogisticRegression(column(xs), ys, l2);
    const p = predictProbabilities(fit, column(xs));
    const gradientIntercept = xs.reduce((sum, _x, i) => sum + p[i] - ys[i], 0);
    const gradientWeight = xs.reduce((sum, x, i) => sum + (p[i] - ys[i]) * x, 0) + l2 * fit.coefficients[0];
    expect(fit.converged).toBe(true);
    expect(Math.abs(gradientIntercept)).toBeLessThan(1e-9);
    expect(Math.abs(gradientWeight)).toBeLessThan(1e-9);
    expect(fit.coefficients[0]).toBeGreaterThan(0);
  });

  it("stays finite on separable data thanks to the penalty", () => {
    const fit = fitLogisticRegression(column([-3, -2, -1, 1, 2, 3]), Uint8Array.from([0, 0, 0, 1, 1, 1]), 1);
    expect(fit.converged).toBe(true);
    expect(Number.isFinite(fit.coefficients[0])).toBe(true);
    expect(fit.intercept).toBeCloseTo(0, 9);
  });

  it("shrinks weights as l2 grows", () => {
    const xs = [-2, -1, 0, 1, 2, 0.5];
    const ys = Uint8Array.from([0, 0, 1, 1, 1, 0]);
    const weak = fitLogisticRegression(column(xs), ys, 0.1).coefficients[0];
    const strong = fitLogisticRegression(column(xs), ys, 10).coefficients[0];
    expect(Math.abs(strong)).toBeLessThan(Math.abs(weak));
  });
});
