/**
 * Ridge regression in closed form on scaled features, predicting the log return: the intercept
 * is not penalised (columns and target are centred on the training rows first), then
 * (XᵀX + λI) β = Xᵀy is solved by Cholesky, since the matrix is symmetric positive definite
 * for λ > 0 and a handful of features keeps it tiny.
 */
import { AppError } from '../../../shared/errors';

export interface RidgeParams {
  intercept: number;
  coefficients: number[];
}

/** Solves A x = b for a symmetric positive-definite A (row-major, size × size) by Cholesky. */
export function choleskySolve(a: Float64Array, b: Float64Array): Float64Array {
  const size = b.length;
  const lower = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * size + j]!;
      for (let k = 0; k < j; k++) sum -= lower[i * size + k]! * lower[j * size + k]!;
      if (i === j) {
        if (!(sum > 0)) throw new AppError('VALIDATION', 'Ridge: the normal equations are singular; use a ridge penalty above 0');
        lower[i * size + i] = Math.sqrt(sum);
      } else {
        lower[i * size + j] = sum / lower[j * size + j]!;
      }
    }
  }
  const y = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= lower[i * size + k]! * y[k]!;
    y[i] = sum / lower[i * size + i]!;
  }
  const x = new Float64Array(size);
  for (let i = size - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < size; k++) sum -= lower[k * size + i]! * x[k]!;
    x[i] = sum / lower[i * size + i]!;
  }
  return x;
}

/** Fits on `rows` × `width` row-major `x` against `y` with L2 penalty `lambda`. */
export function fitRidge(x: Float64Array, y: ArrayLike<number>, width: number, lambda: number): RidgeParams {
  const rows = y.length;
  const xMean = new Float64Array(width);
  let yMean = 0;
  for (let r = 0; r < rows; r++) {
    yMean += y[r]!;
    for (let c = 0; c < width; c++) xMean[c]! += x[r * width + c]!;
  }
  yMean /= rows;
  for (let c = 0; c < width; c++) xMean[c] = xMean[c]! / rows;
  const gram = new Float64Array(width * width);
  const moment = new Float64Array(width);
  for (let r = 0; r < rows; r++) {
    const yc = y[r]! - yMean;
    for (let i = 0; i < width; i++) {
      const xi = x[r * width + i]! - xMean[i]!;
      moment[i]! += xi * yc;
      for (let j = 0; j <= i; j++) gram[i * width + j]! += xi * (x[r * width + j]! - xMean[j]!);
    }
  }
  for (let i = 0; i < width; i++) {
    gram[i * width + i]! += lambda;
    for (let j = 0; j < i; j++) gram[j * width + i] = gram[i * width + j]!;
  }
  const beta = choleskySolve(gram, moment);
  let intercept = yMean;
  for (let c = 0; c < width; c++) intercept -= xMean[c]! * beta[c]!;
  return { intercept, coefficients: Array.from(beta) };
}

export function ridgePredict(params: RidgeParams, row: ArrayLike<number>): number {
  let value = params.intercept;
  for (let c = 0; c < params.coefficients.length; c++) value += params.coefficients[c]! * row[c]!;
  return value;
}
