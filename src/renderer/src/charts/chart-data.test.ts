import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../shared/domain';
import { chartDataProblem, hasVolume, indexOfBarAt, isCloseOnly, toCandleData, toCloseLineData, toVolumeData } from './chart-data';

const bar = (time: number, open: number, close: number, volume = 10): Bar => ({
  time,
  open,
  high: Math.max(open, close) + 1,
  low: Math.min(open, close) - 1,
  close,
  volume,
});

const monthlyGold = [bar(Date.UTC(1968, 10, 1), 39, 40), bar(Date.UTC(1968, 11, 1), 40, 41), bar(Date.UTC(1969, 0, 1), 41, 42)];

describe('toCandleData and toVolumeData', () => {
  it('converts times to seconds, negative before 1970, and colours volume by candle direction', () => {
    const candles = toCandleData(monthlyGold);
    expect(candles[0]).toEqual({ time: Date.UTC(1968, 10, 1) / 1000, open: 39, high: 41, low: 38, close: 40 });
    expect(candles[0]!.time).toBeLessThan(0);
    const volumes = toVolumeData([bar(0, 1, 2), bar(60_000, 2, 1)], { up: 'green', down: 'red' });
    expect(volumes).toEqual([
      { time: 0, value: 10, color: 'green' },
      { time: 60, value: 10, color: 'red' },
    ]);
  });
});

describe('chartDataProblem', () => {
  it('accepts ascending bars, including pre-1970 ones', () => {
    expect(chartDataProblem(monthlyGold)).toBeNull();
    expect(chartDataProblem([])).toBeNull();
  });

  it('names duplicates, disorder and non-numeric prices', () => {
    expect(chartDataProblem([bar(1000, 1, 2), bar(1000, 1, 2)])).toMatch(/ascending/);
    expect(chartDataProblem([bar(2000, 1, 2), bar(1000, 1, 2)])).toMatch(/ascending/);
    expect(chartDataProblem([bar(0, 1, Number.NaN)])).toMatch(/non-numeric/);
  });
});

describe('indexOfBarAt', () => {
  it('finds bars by open time and reports missing ones', () => {
    expect(indexOfBarAt(monthlyGold, Date.UTC(1968, 11, 1))).toBe(1);
    expect(indexOfBarAt(monthlyGold, Date.UTC(1969, 0, 1))).toBe(2);
    expect(indexOfBarAt(monthlyGold, 0)).toBe(-1);
    expect(indexOfBarAt([], 0)).toBe(-1);
  });
});

describe('close-only and volume-less series', () => {
  const closeOnly = [
    { time: Date.UTC(1950, 0, 1), open: 34.92, high: 34.92, low: 34.92, close: 34.92, volume: 0 },
    { time: Date.UTC(1950, 1, 1), open: 35.13, high: 35.13, low: 35.13, close: 35.13, volume: 0 },
  ];

  it('recognises files that had only a close column and draws them as a line', () => {
    expect(isCloseOnly(closeOnly)).toBe(true);
    expect(isCloseOnly(monthlyGold)).toBe(false);
    expect(isCloseOnly([])).toBe(false);
    expect(toCloseLineData(closeOnly)).toEqual([
      { time: Date.UTC(1950, 0, 1) / 1000, value: 34.92 },
      { time: Date.UTC(1950, 1, 1) / 1000, value: 35.13 },
    ]);
  });

  it('knows when there is no volume at all', () => {
    expect(hasVolume(closeOnly)).toBe(false);
    expect(hasVolume(monthlyGold)).toBe(true);
  });
});
