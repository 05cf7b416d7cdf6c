import { describe, expect, it } from 'vitest';
import { fitRidge, ridgePredict } from '../../../src/core/models/pipeline/ridge';

/** Normal equations with an unpenalised intercept column, solved by Gauss–Jordan elimination with partial pivoting. */
function normalEquations(x: number[][], y: number[], lambda: number): number[] {
  const rows = x.map((row) => [1, ...row]);
  const p = rows[0]!.length;
  const a = Array.from({ length: p }, (_, i) =>
    Array.from({ length: p }, (_, j) => rows.reduce((s, r) => s + r[i]! * r[j]!, 0) + (i === j && i > 0 ? lambda : 0)),
  );
  const b = Array.from({ length: p }, (_, i) => rows.reduce((s, r, k) => s + r[i]! * y[k]!, 0));
  for (let col = 0; col < p; col++) {
    const pivot = a.slice(col).reduce((best, row, k) => (Math.abs(row[col]!) > Math.abs(a[best]![col]!) ? col + k : best), col);
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    [b[col], b[pivot]] = [b[pivot]!, b[col]!];
    for (let r = 0; r < p; r++) {
      if (r === col) continue;
      const factor = a[r]![col]! / a[col]![col]!;
      for (let c = col; c < p; c++) a[r]![c]! -= factor * a[col]![c]!;
      b[r]! -= factor * b[col]!;
    }
  }
  return b.map((value, i) => value / a[i]![i]!);
}

describe('ridge', () => {
  const x = [
    [0.3, -1.2, 0.8],
    [1.1, 0.4, -0.5],
    [-0.7, 0.9, 1.3],
    [0.2, -0.3, -1.1],
    [1.5, 1.2, 0.4],
    [-1.3, -0.8, 0.6],
    [0.6, 0.1, -0.9],
    [-0.4, 1.7, 0.2],
  ];
  const y = [0.9, -0.2, 1.4, -1.0, 0.7, 0.3, -0.6, 1.1];

  it('equals a direct solution of the normal equations with an unpenalised intercept', () => {
    for (const lambda of [0.5, 3, 40]) {
      const fitted = fitRidge(Float64Array.from(x.flat()), y, 3, lambda);
      const [intercept, ...coefficients] = normalEquations(x, y, lambda);
      expect(fitted.intercept).toBeCloseTo(intercept!, 12);
      fitted.coefficients.forEach((c, i) => expect(c).toBeCloseTo(coefficients[i]!, 12));
      expect(ridgePredict(fitted, x[2]!)).toBeCloseTo(intercept! + x[2]!.reduce((s, v, i) => s + v * coefficients[i]!, 0), 12);
    }
  });

  it('shrinks towards the mean as the penalty grows', () => {
    const fitted = fitRidge(Float64Array.from(x.flat()), y, 3, 1e9);
    expect(Math.max(...fitted.coefficients.map(Math.abs))).toBeLessThan(1e-8);
    expect(fitted.intercept).toBeCloseTo(y.reduce((s, v) => s + v, 0) / y.length, 6);
  });

  it('refuses singular normal equations without a penalty', () => {
    const duplicated = x.map((row) => [row[0]!, row[0]!]);
    expect(() => fitRidge(Float64Array.from(duplicated.flat()), y, 2, 0)).toThrow(/singular/);
  });
});
