/**
 * L2-regularized two-class logistic regression with an intercept, fitted by Newton's method (IRLS). With ~110
 * features the Hessian is small enough to build exactly from the sparse rows and factor by Cholesky each step, so
 * the fit converges in a handful of passes over the data. Penalty: l2/2 · ‖coefficients‖², intercept unpenalized
 * (Studio's "L2 regularization weight"; l2 = 1 matches scikit-learn's C = 1).
 */
import { SparseMatrix } from "./features";

export interface LogisticWeights {
  intercept: number;
  coefficients: number[];
}

export interface LogisticFit extends LogisticWeights {
  iterations: number;
  converged: boolean;
}

export const MAX_NEWTON_ITERATIONS = 25;
/** Converged when no weight moves by more than this in a step. */
export const STEP_TOLERANCE = 1e-7;
// Backtracking halves a step that would raise the objective; Newton rarely needs it on this convex problem.
const MAX_STEP_HALVINGS = 30;

/** labels: 1 for the positive class, 0 otherwise. l2 must be > 0: one-hot columns are collinear with the intercept. */
export function fitLogisticRegression(x: SparseMatrix, labels: Uint8Array, l2: number): LogisticFit {
  const size = x.columnCount + 1; // parameter 0 is the intercept, parameter j + 1 feature j
  let beta = new Float64Array(size);
  let margins = computeMargins(x, beta);
  let objective = penalizedLoss(margins, labels, beta, l2);

  for (let iteration = 1; iteration <= MAX_NEWTON_ITERATIONS; iteration++) {
    const { gradient, hessian } = gradientAndHessian(x, labels, margins, beta, l2);
    const step = solveCholesky(hessian, gradient, size);

    let scale = 1;
    let candidate = beta;
    for (let halving = 0; halving <= MAX_STEP_HALVINGS; halving++, scale /= 2) {
      candidate = beta.map((b, j) => b - scale * step[j]);
      margins = computeMargins(x, candidate);
      const candidateObjective = penalizedLoss(margins, labels, candidate, l2);
      if (candidateObjective <= objective) {
        objective = candidateObjective;
        break;
      }
    }
    beta = candidate;
    const largestMove = step.reduce((max, s) => Math.max(max, Math.abs(scale * s)), 0);
    if (largestMove < STEP_TOLERANCE) return toFit(beta, iteration, true);
  }
  return toFit(beta, MAX_NEWTON_ITERATIONS, false);
}

export function predictProbabilities(weights: LogisticWeights, x: SparseMatrix): Float64Array {
  const beta = Float64Array.from([weights.intercept, ...weights.coefficients]);
  return computeMargins(x, beta).map(sigmoid);
}

function toFit(beta: Float64Array, iterations: number, converged: boolean): LogisticFit {
  return { intercept: beta[0], coefficients: Array.from(beta.subarray(1)), iterations, converged };
}

function computeMargins(x: SparseMatrix, beta: Float64Array): Float64Array {
  const margins = new Float64Array(x.rowCount);
  for (let r = 0; r < x.rowCount; r++) {
    let margin = beta[0];
    for (let e = x.rowStart[r]; e < x.rowStart[r + 1]; e++) margin += beta[x.index[e] + 1] * x.value[e];
    margins[r] = margin;
  }
  return margins;
}

function sigmoid(margin: number): number {
  return margin >= 0 ? 1 / (1 + Math.exp(-margin)) : Math.exp(margin) / (1 + Math.exp(margin));
}

/** log(1 + e^m), without overflow for large margins. */
function softplus(margin: number): number {
  return margin > 0 ? margin + Math.log1p(Math.exp(-margin)) : Math.log1p(Math.exp(margin));
}

function penalizedLoss(margins: Float64Array, labels: Uint8Array, beta: Float64Array, l2: number): number {
  let loss = 0;
  for (let r = 0; r < margins.length; r++) loss += softplus(margins[r]) - labels[r] * margins[r];
  let squares = 0;
  for (let j = 1; j < beta.length; j++) squares += beta[j] * beta[j];
  return loss + (l2 / 2) * squares;
}

function gradientAndHessian(
  x: SparseMatrix,
  labels: Uint8Array,
  margins: Float64Array,
  beta: Float64Array,
  l2: number,
): { gradient: Float64Array; hessian: Float64Array } {
  const size = beta.length;
  const gradient = new Float64Array(size);
  const hessian = new Float64Array(size * size);
  const rowIndex: number[] = [];
  const rowValue: number[] = [];
  for (let r = 0; r < x.rowCount; r++) {
    const p = sigmoid(margins[r]);
    const residual = p - labels[r];
    const weight = p * (1 - p);
    rowIndex.length = 0;
    rowValue.length = 0;
    rowIndex.push(0);
    rowValue.push(1);
    for (let e = x.rowStart[r]; e < x.rowStart[r + 1]; e++) {
      rowIndex.push(x.index[e] + 1);
      rowValue.push(x.value[e]);
    }
    for (let a = 0; a < rowIndex.length; a++) {
      const ia = rowIndex[a];
      const va = rowValue[a];
      gradient[ia] += residual * va;
      const base = ia * size;
      const wa = weight * va;
      for (let b = 0; b < rowIndex.length; b++) hessian[base + rowIndex[b]] += wa * rowValue[b];
    }
  }
  for (let j = 1; j < size; j++) {
    gradient[j] += l2 * beta[j];
    hessian[j * size + j] += l2;
  }
  return { gradient, hessian };
}

/** Solves A·x = b for symmetric positive definite A (row-major, size × size) by A = L·Lᵀ. */
function solveCholesky(a: Float64Array, b: Float64Array, size: number): Float64Array {
  const lower = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * size + j];
      for (let k = 0; k < j; k++) sum -= lower[i * size + k] * lower[j * size + k];
      if (i === j) {
        if (!(sum > 0)) throw new Error("Logistic regression Hessian is not positive definite; use an l2 weight > 0.");
        lower[i * size + i] = Math.sqrt(sum);
      } else {
        lower[i * size + j] = sum / lower[j * size + j];
      }
    }
  }
  const y = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= lower[i * size + k] * y[k];
    y[i] = sum / lower[i * size + i];
  }
  const x = new Float64Array(size);
  for (let i = size - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < size; k++) sum -= lower[k * size + i] * x[k];
    x[i] = sum / lower[i * size + i];
  }
  return x;
}
