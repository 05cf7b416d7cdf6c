import { describe, expect, it } from 'vitest';
import { generateHourlyBars } from '../../src/core/demo/synthetic-prices';

const series = { seed: 7, startPrice: 2000, drift: 0.05, volatility: 0.2, baseVolume: 1000, weekdaysOnly: true };
const from = Date.parse('2024-01-01T00:00:00Z');
const to = Date.parse('2024-03-01T00:00:00Z');

describe('generateHourlyBars', () => {
  it('is deterministic and produces consistent OHLC', () => {
    const a = generateHourlyBars(series, from, to);
    expect(generateHourlyBars(series, from, to)).toEqual(a);
    for (const bar of a) {
      expect(bar.high).toBeGreaterThanOrEqual(Math.max(bar.open, bar.close));
      expect(bar.low).toBeLessThanOrEqual(Math.min(bar.open, bar.close));
      expect(bar.low).toBeGreaterThan(0);
    }
  });

  it('skips the metals weekend break but keeps crypto 24/7', () => {
    const metals = generateHourlyBars(series, from, to);
    const saturday = metals.filter((b) => new Date(b.time).getUTCDay() === 6);
    expect(saturday).toHaveLength(0);
    const crypto = generateHourlyBars({ ...series, weekdaysOnly: false }, from, to);
    expect(crypto.length).toBe((to - from) / 3_600_000 + 1);
  });
});
