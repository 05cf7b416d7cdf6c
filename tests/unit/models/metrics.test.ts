import jStat from 'jstat';
import { describe, expect, it } from 'vitest';
import { conformalQuantile, dieboldMariano, inSampleNaiveMae, priceInterval, scoreForecasts } from '../../../src/core/models/pipeline/metrics';

/**
 * The published example of John Tsang's dm_test (https://github.com/johntwk/Diebold-Mariano-Test,
 * README "Example"): actual, pred1 and pred2 are `random.sample(range(0,100),100)` three times
 * after `random.seed(123)` under Python 2.7, and `dm_test(actual, pred1, pred2, h=1, crit="MSE")`
 * prints DM=1.2112523589452902, p_value=0.22868210381769466 (HLN-corrected, two-sided, t with
 * n − 1 df). The vectors below are those samples, regenerated with Python 2.7's algorithm; the
 * same script's MAD statistic (1.3275742446369585) comes out of them too, which checks them.
 */
const published = {
  actual: [5, 8, 39, 10, 86, 3, 50, 30, 78, 14, 92, 29, 21, 0, 37, 7, 93, 99, 25, 36, 72, 84, 11, 60, 1, 68, 42, 19, 76, 54, 24, 55, 90, 40, 34, 52, 20, 81, 47, 31, 41, 85, 38, 83, 27, 80, 63, 75, 97, 9, 59, 44, 71, 91, 15, 17, 94, 79, 69, 13, 46, 43, 23, 95, 12, 98, 18, 58, 88, 73, 61, 74, 48, 6, 35, 4, 32, 96, 16, 70, 2, 57, 49, 82, 28, 26, 87, 64, 53, 33, 77, 22, 56, 65, 51, 67, 62, 89, 66, 45],
  pred1: [75, 33, 34, 61, 93, 83, 39, 66, 62, 98, 21, 6, 77, 4, 44, 45, 12, 54, 99, 91, 31, 9, 76, 95, 47, 60, 28, 86, 78, 81, 24, 74, 50, 65, 85, 19, 67, 1, 32, 53, 30, 8, 29, 79, 20, 49, 18, 14, 26, 10, 16, 64, 84, 3, 71, 58, 43, 38, 92, 23, 46, 94, 42, 48, 90, 73, 68, 25, 15, 22, 40, 7, 57, 56, 37, 70, 5, 11, 2, 13, 17, 51, 63, 41, 59, 80, 0, 35, 72, 97, 96, 87, 88, 89, 69, 27, 55, 36, 82, 52],
  pred2: [50, 82, 17, 54, 35, 87, 11, 24, 75, 29, 84, 4, 34, 9, 49, 81, 27, 53, 21, 95, 45, 19, 98, 38, 68, 20, 70, 13, 1, 46, 51, 32, 2, 66, 86, 56, 57, 72, 77, 28, 61, 52, 44, 16, 91, 59, 97, 74, 80, 3, 12, 8, 78, 47, 83, 22, 7, 67, 63, 31, 37, 55, 93, 76, 64, 65, 99, 14, 96, 48, 5, 79, 71, 25, 10, 73, 42, 62, 69, 94, 43, 58, 33, 40, 89, 0, 85, 36, 39, 41, 6, 88, 26, 18, 30, 90, 60, 92, 23, 15],
};

const minus = (a: readonly number[], b: readonly number[]) => a.map((value, i) => value - b[i]!);

/** forecast::dm.test(e1, e2, h, power = 2, varestimator = "bartlett") written out independently. */
function referenceDm(e1: number[], e2: number[], h: number) {
  const n = e1.length;
  const d = e1.map((e, i) => e * e - e2[i]! * e2[i]!);
  const mean = d.reduce((s, v) => s + v, 0) / n;
  const gamma = (k: number) => d.slice(k).reduce((s, v, i) => s + (v - mean) * (d[i]! - mean), 0) / n;
  const weights = Array.from({ length: h }, (_, k) => (k === 0 ? 1 : 2 * (1 - k / h)));
  const variance = weights.reduce((s, w, k) => s + w * gamma(k), 0) / n;
  const statistic = (mean / Math.sqrt(variance)) * Math.sqrt((n + 1 - 2 * h + (h * (h - 1)) / n) / n);
  return { statistic, less: jStat.studentt.cdf(statistic, n - 1) };
}

describe('Diebold–Mariano', () => {
  it('reproduces the published dm_test example (HLN, h = 1, squared error)', () => {
    const result = dieboldMariano(minus(published.actual, published.pred1), minus(published.actual, published.pred2), 1)!;
    expect(result.statistic).toBeCloseTo(1.2112523589452902, 12);
    // Ours is the one-sided p-value that the first forecast is better; the example prints the two-sided one.
    expect(2 * Math.min(result.pValue, 1 - result.pValue)).toBeCloseTo(0.22868210381769466, 7);
    // (jstat's t distribution agrees with scipy's to about 1e-8 here.)
    expect(result.pValue).toBeGreaterThan(0.5);
  });

  it('equals an independent computation with Newey–West (Bartlett) lag h − 1 for h > 1', () => {
    const e1 = [0.5, -1.2, 0.3, 2.2, -0.7, 0.1, 1.4, -0.4, 0.9, -1.8, 0.6, 0.2, -0.3, 1.1, -0.9, 0.4, 0.8, -1.5, 0.05, 0.7];
    const e2 = [1.1, -1.6, 0.9, 2.5, -1.4, 0.6, 1.2, -1.3, 1.5, -2.0, 0.2, 0.9, -1.1, 1.7, -1.2, 0.3, 1.6, -1.9, 0.8, 1.0];
    for (const h of [2, 3, 5]) {
      const expected = referenceDm(e1, e2, h);
      const result = dieboldMariano(e1, e2, h)!;
      expect(result.statistic).toBeCloseTo(expected.statistic, 12);
      expect(result.pValue).toBeCloseTo(expected.less, 12);
    }
    expect(dieboldMariano(e1, e2, 1)!.pValue).toBeLessThan(0.05);
  });

  it('is null when the two forecasts lose exactly alike', () => {
    expect(dieboldMariano([1, -2, 3], [-1, 2, -3], 1)).toBeNull();
  });
});

describe('scoreForecasts', () => {
  const actual = [101, 99, 104, 103, 100];
  const origin = [100, 101, 99, 104, 103];
  const predicted = [100.5, 100, 101, 103.5, 102];
  const lower = predicted.map((p) => p - 2);
  const upper = predicted.map((p) => p + 2);

  it('equals the figures worked out by hand', () => {
    const naiveMae = (1 + 2 + 5 + 1 + 3) / 5;
    const metrics = scoreForecasts({ actual, origin, predicted, lower, upper }, { naiveMae, maseScale: 1.5, horizon: 1, isNaive: false });
    const errors = [0.5, -1, 3, -0.5, -2];
    const mae = (0.5 + 1 + 3 + 0.5 + 2) / 5;
    expect(metrics.mae).toBeCloseTo(mae, 12);
    expect(metrics.rmse).toBeCloseTo(Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / 5), 12);
    expect(metrics.mape).toBeCloseTo((100 * errors.reduce((s, e, i) => s + Math.abs(e / actual[i]!), 0)) / 5, 12);
    // Moves from origin: actual +1 −2 +5 −1 −3, predicted +0.5 −1 +2 −0.5 −1: every direction right.
    expect(metrics.directional_accuracy).toBe(1);
    expect(metrics.rel_mae).toBeCloseTo(mae / naiveMae, 12);
    expect(metrics.mase).toBeCloseTo(mae / 1.5, 12);
    // Covered: |error| ≤ 2 for all but the third.
    expect(metrics.interval_coverage).toBeCloseTo(4 / 5, 12);
    expect(metrics.dm_pvalue).toBeCloseTo(dieboldMariano(errors, minus(actual, origin), 1)!.pValue, 12);
  });

  it("gives naive a rel_mae of exactly 1 and no DM p-value", () => {
    const naiveMae = (1 + 2 + 5 + 1 + 3) / 5;
    const metrics = scoreForecasts({ actual, origin, predicted: origin, lower: null, upper: null }, { naiveMae, maseScale: 2, horizon: 1, isNaive: true });
    expect(metrics.rel_mae).toBe(1);
    expect(metrics.mae).toBe(naiveMae);
    expect(metrics.dm_pvalue).toBeNull();
    expect(metrics.directional_accuracy).toBe(0);
    expect(metrics.interval_coverage).toBeNull();
  });

  it('scales MASE by the in-sample one-step naive MAE', () => {
    expect(inSampleNaiveMae([10, 12, 11, 15, 14], 0, 4)).toBe((2 + 1 + 4 + 1) / 4);
    expect(inSampleNaiveMae([10, 12, 11, 15, 14], 1, 3)).toBe((1 + 4) / 2);
  });
});

describe('split-conformal intervals', () => {
  it('takes the ⌈(n + 1)·level⌉-th smallest residual', () => {
    const residuals = [0.5, 0.1, 0.9, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6, 1.0, 0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85];
    // n = 19, level 0.9: rank ⌈20 · 0.9⌉ = 18 of the sorted residuals (…, 0.85, 0.9, 1.0).
    expect(conformalQuantile(residuals, 0.9)).toBe(0.9);
    expect(conformalQuantile(residuals, 0.5)).toBe(0.5);
    expect(() => conformalQuantile([0.1, 0.2, 0.3], 0.9)).toThrow(expect.objectContaining({ code: 'VALIDATION', message: expect.stringMatching(/at least 9 held-out residuals/) }));
    expect(conformalQuantile([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], 0.9)).toBe(0.9);
  });

  it('covers at least the level on exchangeable residuals, counted independently', () => {
    // A fixed, exchangeable-looking sequence: calibrate on the first 200, count on the next 2,000.
    const noise = (i: number) => Math.abs(Math.sin(i * 12.9898) * 43_758.5453) % 1 - 0.5;
    const calibration = Array.from({ length: 200 }, (_, i) => Math.abs(noise(i)));
    const halfWidth = conformalQuantile(calibration, 0.9);
    const fresh = Array.from({ length: 2_000 }, (_, i) => noise(i + 200));
    const covered = fresh.filter((r) => Math.abs(r) <= halfWidth).length / fresh.length;
    expect(covered).toBeGreaterThanOrEqual(0.88);
    expect(covered).toBeLessThan(0.94);
    const origin = 100;
    const forecast = priceInterval(origin, 0.01, halfWidth);
    const metrics = scoreForecasts(
      {
        actual: fresh.map((r) => origin * Math.exp(0.01 + r)),
        origin: fresh.map(() => origin),
        predicted: fresh.map(() => forecast.predicted),
        lower: fresh.map(() => forecast.lower),
        upper: fresh.map(() => forecast.upper),
      },
      { naiveMae: 1, maseScale: 1, horizon: 1, isNaive: false },
    );
    expect(metrics.interval_coverage).toBeCloseTo(covered, 12);
  });
});
