import { describe, expect, it } from 'vitest';
import {
  alignOnCommonTimes,
  baseIndexAtOrAfter,
  normalise,
  priceRatio,
  rollingCorrelation,
} from '../../../src/core/compare/compare-series';
import { seededRandom } from '../../../src/core/demo/synthetic-prices';

const DAY = 86_400_000;

/** Two correlated random-walk price paths built from returns with the given volatility per step. */
function correlatedPrices(n: number, seed: number, volatility: (i: number) => number, rho = 0.6): [number[], number[]] {
  const next = seededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const a = [1800];
  const b = [25];
  for (let i = 1; i < n; i++) {
    const z1 = gaussian();
    const z2 = rho * z1 + Math.sqrt(1 - rho * rho) * gaussian();
    a.push(a[i - 1]! * Math.exp(volatility(i) * z1));
    b.push(b[i - 1]! * Math.exp(volatility(i) * 1.4 * z2));
  }
  return [a, b];
}

/** Pearson's r by the textbook formula over one window, written independently of the product. */
function pearson(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let num = 0;
  let dx2 = 0;
  let dy2 = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    dx2 += (xs[i]! - mx) ** 2;
    dy2 += (ys[i]! - my) ** 2;
  }
  return num / Math.sqrt(dx2 * dy2);
}

/** The expected rolling correlation: each window recomputed from scratch. */
function naiveRollingCorrelation(a: number[], b: number[], window: number): (number | null)[] {
  const ra = a.slice(1).map((close, i) => Math.log(close / a[i]!));
  const rb = b.slice(1).map((close, i) => Math.log(close / b[i]!));
  return a.map((_, i) => (i < window ? null : pearson(ra.slice(i - window, i), rb.slice(i - window, i))));
}

function expectClose(actual: (number | null)[], expected: (number | null)[], tolerance: number) {
  expect(actual).toHaveLength(expected.length);
  let worst = 0;
  expected.forEach((value, i) => {
    if (value === null) expect(actual[i], `index ${i}`).toBeNull();
    else worst = Math.max(worst, Math.abs(actual[i]! - value));
  });
  expect(worst).toBeLessThan(tolerance);
}

describe('alignOnCommonTimes', () => {
  it('keeps only the times every series has, with each close from its own series', () => {
    const bars = (days: number[], price: number) => days.map((d) => ({ time: d * DAY, close: price + d }));
    // Gold skips the weekend (days 5, 6), bitcoin has a gap on day 2, silver starts late and stops early.
    const gold = bars([0, 1, 2, 3, 4, 7, 8, 9], 1000);
    const bitcoin = bars([0, 1, 3, 4, 5, 6, 7, 8, 9, 10], 20_000);
    const silver = bars([1, 2, 3, 4, 7, 8], 20);
    const aligned = alignOnCommonTimes([gold, bitcoin, silver]);

    const everywhere = [gold, bitcoin, silver]
      .map((series) => new Set(series.map((bar) => bar.time)))
      .reduce((common, times) => new Set([...common].filter((t) => times.has(t))));
    expect(aligned.times).toEqual([...everywhere].sort((x, y) => x - y));
    expect(aligned.times).toEqual([1, 3, 4, 7, 8].map((d) => d * DAY));
    expect(aligned.closes).toEqual([
      [1001, 1003, 1004, 1007, 1008],
      [20_001, 20_003, 20_004, 20_007, 20_008],
      [21, 23, 24, 27, 28],
    ]);
  });

  it('gives nothing when a series is empty or the ranges do not overlap', () => {
    expect(alignOnCommonTimes([[{ time: 1, close: 1 }], []])).toEqual({ times: [], closes: [[], []] });
    expect(alignOnCommonTimes([[{ time: 1, close: 1 }], [{ time: 2, close: 2 }]]).times).toEqual([]);
    expect(alignOnCommonTimes([])).toEqual({ times: [], closes: [] });
  });

  it('matches a set intersection on long random calendars', () => {
    const next = seededRandom(7);
    const calendar = (keep: number) =>
      Array.from({ length: 5000 }, (_, d) => d).filter(() => next() < keep).map((d) => ({ time: d * DAY - 30 * 365 * DAY, close: d + 1 }));
    const series = [calendar(0.9), calendar(0.7), calendar(0.95)];
    const sets = series.map((s) => new Set(s.map((bar) => bar.time)));
    const expected = [...sets[0]!].filter((t) => sets[1]!.has(t) && sets[2]!.has(t));
    const aligned = alignOnCommonTimes(series);
    expect(aligned.times).toEqual(expected);
    expect(aligned.closes[1]).toEqual(expected.map((t) => t / DAY + 30 * 365 + 1));
  });
});

describe('baseIndexAtOrAfter', () => {
  const times = [10, 20, 30];
  it('finds the first time at or after the base, the first time by default, or none', () => {
    expect(baseIndexAtOrAfter(times)).toBe(0);
    expect(baseIndexAtOrAfter(times, 5)).toBe(0);
    expect(baseIndexAtOrAfter(times, 20)).toBe(1);
    expect(baseIndexAtOrAfter(times, 21)).toBe(2);
    expect(baseIndexAtOrAfter(times, 31)).toBe(-1);
    expect(baseIndexAtOrAfter([])).toBe(-1);
  });
});

describe('normalise', () => {
  it('sets the base close to 100 and scales the rest, before and after the base', () => {
    expect(normalise([50, 80, 100, 150], 1)).toEqual([62.5, 100, 125, 187.5]);
    expect(normalise([1932.5, 3865], 0)).toEqual([100, 200]);
  });

  it('is all null without a base', () => {
    expect(normalise([1, 2], -1)).toEqual([null, null]);
  });
});

describe('priceRatio', () => {
  it('divides the numerator by the denominator at each time', () => {
    expect(priceRatio([2000, 2400], [25, 30])).toEqual([80, 80]);
    expect(priceRatio([1], [0])).toEqual([null]);
  });
});

describe('rollingCorrelation', () => {
  it('is null for the first `window` values and then equals Pearson of the last `window` log returns', () => {
    const [a, b] = correlatedPrices(200, 1, () => 0.01);
    const values = rollingCorrelation(a, b, 30);
    expect(values.slice(0, 30).every((v) => v === null)).toBe(true);
    expect(values[30]).not.toBeNull();
    expectClose(values, naiveRollingCorrelation(a, b, 30), 1e-12);
  });

  it('is exactly ±1 for instruments whose returns are proportional', () => {
    const [a] = correlatedPrices(100, 2, () => 0.02);
    const squared = a.map((p) => p * p); // log returns doubled
    const inverse = a.map((p) => 1 / p); // log returns negated
    for (const value of rollingCorrelation(a, squared, 10).slice(10)) expect(value).toBeCloseTo(1, 12);
    for (const value of rollingCorrelation(a, inverse, 10).slice(10)) expect(value).toBeCloseTo(-1, 12);
  });

  it('stays accurate over 20,000 points for short and long windows', () => {
    const [a, b] = correlatedPrices(20_000, 3, () => 0.01);
    for (const window of [2, 3, 30, 250, 7_000]) {
      expectClose(rollingCorrelation(a, b, window), naiveRollingCorrelation(a, b, window), 1e-9);
    }
  });

  it('does not carry rounding from a volatile stretch into a calm one', () => {
    // Returns of ±50% followed by returns of a millionth: sliding sums without care lose the calm part.
    const [a, b] = correlatedPrices(4_000, 4, (i) => (i < 2_000 ? 0.5 : 1e-6));
    expectClose(rollingCorrelation(a, b, 100), naiveRollingCorrelation(a, b, 100), 1e-9);
  });

  it('is null while a price is frozen for a whole window and recovers after', () => {
    const [a, b] = correlatedPrices(120, 5, () => 0.01);
    const frozen = a.map((price, i) => (i >= 40 && i <= 80 ? a[40]! : price));
    const values = rollingCorrelation(frozen, b, 20);
    // Returns 41..80 are zero: windows ending at 60..80 see nothing but zeros.
    for (let i = 60; i <= 80; i++) expect(values[i], `index ${i}`).toBeNull();
    expect(values[59]).not.toBeNull();
    expectClose(values.slice(81), naiveRollingCorrelation(frozen, b, 20).slice(81), 1e-12);
  });

  it('gives only nulls when there are no more closes than the window', () => {
    expect(rollingCorrelation([1, 2, 3], [3, 2, 1], 3)).toEqual([null, null, null]);
    expect(rollingCorrelation([], [], 2)).toEqual([]);
  });
});
