import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../shared/domain';
import { heikinAshi } from './heikin-ashi';

const bar = (time: number, open: number, high: number, low: number, close: number): Bar => ({ time, open, high, low, close, volume: 0 });

describe('heikinAshi', () => {
  it('averages each bar and opens at the midpoint of the candle before', () => {
    const candles = heikinAshi([bar(0, 10, 14, 9, 12), bar(60_000, 12, 13, 8, 9), bar(120_000, 9, 15, 9, 15)]);
    // First: close (10+14+9+12)/4 = 11.25, open (10+12)/2 = 11.
    expect(candles[0]).toEqual({ time: 0, open: 11, high: 14, low: 9, close: 11.25 });
    // Second: open (11+11.25)/2 = 11.125, close (12+13+8+9)/4 = 10.5.
    expect(candles[1]).toEqual({ time: 60_000, open: 11.125, high: 13, low: 8, close: 10.5 });
    // Third: open (11.125+10.5)/2 = 10.8125 sits above the bar's low of 9, close 12.
    expect(candles[2]).toEqual({ time: 120_000, open: 10.8125, high: 15, low: 9, close: 12 });
  });

  it('widens high and low to take in an open outside the bar', () => {
    // After a gap down the averaged open, 101, is far above this bar's high of 91.
    const [, gapped] = heikinAshi([bar(0, 100, 103, 99, 102), bar(60_000, 90, 91, 88, 89)]);
    expect(gapped!.open).toBe(101);
    expect(gapped!.high).toBe(101);
    expect(gapped!.low).toBe(88);
  });

  it('gives nothing for no bars', () => {
    expect(heikinAshi([])).toEqual([]);
  });

  it('continues from the candle before: a tail computed alone equals the same candles of the whole series', () => {
    const price = fc.double({ min: 1, max: 1e6, noNaN: true });
    const bars = fc.array(fc.tuple(price, price, price, price), { minLength: 2, maxLength: 60 }).map((rows) =>
      rows.map(([a, b, c, d], i) => bar(i * 60_000, a, Math.max(a, b, c, d), Math.min(a, b, c, d), d)),
    );
    fc.assert(
      fc.property(bars, fc.nat(), (series, at) => {
        const cut = 1 + (at % (series.length - 1));
        const whole = heikinAshi(series);
        expect(heikinAshi(series.slice(cut), whole[cut - 1])).toEqual(whole.slice(cut));
        for (const [i, candle] of whole.entries()) {
          expect(candle.high).toBeGreaterThanOrEqual(Math.max(series[i]!.high, candle.open, candle.close));
          expect(candle.low).toBeLessThanOrEqual(Math.min(series[i]!.low, candle.open, candle.close));
        }
      }),
    );
  });
});
