import { describe, expect, it } from 'vitest';
import { findInvalidBars, findOutliers } from '../../../src/core/quality/outliers';
import type { Bar } from '../../../src/shared/domain';

const HOUR = 3_600_000;

/** A seeded random walk with about 1 % hourly volatility and fat-ish tails, so tests are repeatable. */
function randomWalk(count: number, seed = 7): Bar[] {
  let state = seed;
  const uniform = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return (state + 0.5) / 2 ** 31;
  };
  const bars: Bar[] = [];
  let close = 100;
  for (let i = 0; i < count; i++) {
    // Box–Muller normal, occasionally tripled to mimic volatility bursts.
    const normal = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    const open = close;
    close = open * Math.exp(0.01 * normal * (uniform() < 0.02 ? 3 : 1));
    bars.push({ time: i * HOUR, open, high: Math.max(open, close) * 1.001, low: Math.min(open, close) * 0.999, close, volume: 1 });
  }
  return bars;
}

describe('findOutliers', () => {
  it('flags nothing in normal volatility', () => {
    expect(findOutliers(randomWalk(5000))).toEqual([]);
  });

  it('flags an injected spike and the return back from it', () => {
    const bars = randomWalk(2000);
    const spike = bars[1000]!;
    bars[1000] = { ...spike, close: spike.close * 1.5, high: spike.close * 1.5 };
    const outliers = findOutliers(bars);
    expect(outliers.map((o) => o.time)).toEqual([1000 * HOUR, 1001 * HOUR]);
    expect(outliers[0]!.logReturn).toBeGreaterThan(Math.log(1.4));
    expect(outliers[0]!.zScore).toBeGreaterThan(30);
    expect(outliers[1]!.zScore).toBeLessThan(-30);
  });

  it('scores against the median absolute deviation scaled by 1.4826', () => {
    // Returns alternate ±1 % around a +15 % spike and its −15 % return: median 0, MAD 1 %, so the
    // spike scores 0.15 / (1.4826 · 0.01) ≈ 10.1, flagged at the default 8 but not at 11.
    const returns: number[] = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? 0.01 : -0.01));
    returns.splice(50, 0, 0.15, -0.15);
    const closes = returns.reduce((acc, r) => [...acc, acc.at(-1)! * Math.exp(r)], [100]);
    const bars = closes.map((close, time) => ({ time, open: close, high: close, low: close, close, volume: 0 }));
    const outliers = findOutliers(bars);
    expect(outliers.map((o) => o.time)).toEqual([51, 52]);
    expect(outliers[0]!.zScore).toBeCloseTo(0.15 / (1.4826 * 0.01), 6);
    expect(outliers[1]!.zScore).toBeCloseTo(-0.15 / (1.4826 * 0.01), 6);
    expect(findOutliers(bars, 11)).toEqual([]);
  });

  it('flags nothing when most returns are zero (no scale)', () => {
    const bars = [1, 1, 1, 1, 2, 1, 1].map((close, time) => ({ time, open: close, high: close, low: close, close, volume: 0 }));
    expect(findOutliers(bars)).toEqual([]);
  });

  it('leaves bars without a usable close to findInvalidBars', () => {
    const bars = randomWalk(500);
    bars[200] = { ...bars[200]!, close: Number.POSITIVE_INFINITY };
    bars[300] = { ...bars[300]!, close: 0 };
    expect(findOutliers(bars)).toEqual([]);
    expect(findInvalidBars(bars).map((b) => b.time)).toEqual([200 * HOUR, 300 * HOUR]);
  });
});

describe('findInvalidBars', () => {
  it('names each broken OHLC rule', () => {
    const ok: Bar = { time: 1, open: 10, high: 12, low: 9, close: 11, volume: 5 };
    const invalid = findInvalidBars([
      ok,
      { ...ok, time: 2, high: 10.5 },
      { ...ok, time: 3, low: 10.5 },
      { ...ok, time: 4, open: -1, low: -1 },
      { ...ok, time: 4 },
    ]);
    expect(invalid).toEqual([
      { time: 2, reason: 'high is below max(open, close)' },
      { time: 3, reason: 'low is above min(open, close)' },
      { time: 4, reason: 'a price is not positive' },
      { time: 4, reason: 'time does not increase' },
    ]);
    expect(findInvalidBars([ok])).toEqual([]);
  });
});
