import { describe, expect, it } from 'vitest';
import {
  dayStartOf,
  emptyOverviewItem,
  latestStoredTimeframes,
  overviewItem,
  sparklineTimeframe,
} from '../../../src/core/market/overview-maths';
import type { Bar, Coverage } from '../../../src/shared/domain';

const bar = (time: number, close: number): Bar => ({ time, open: close, high: close, low: close, close, volume: 0 });
const cover = (symbol: string, timeframe: Coverage['timeframe'], source = 'csv', last = 1): Coverage => ({ symbol, timeframe, source, first: 0, last, count: 1 });

describe('latestStoredTimeframes', () => {
  it('keeps the finest base timeframe per symbol when every base reaches as far, whatever the source or order', () => {
    const latest = latestStoredTimeframes([
      cover('XAUUSD', '1d'),
      cover('XAUUSD', '1h', 'polygon'),
      cover('XAUUSD', '1m', 'twelvedata'),
      cover('GC=F', '1M'),
      cover('GC=F', '1w'),
    ]);
    expect(Object.fromEntries(latest)).toEqual({ XAUUSD: '1m', 'GC=F': '1w' });
  });

  it('takes the base whose bars reach furthest, so a finer series that stopped earlier does not hide the last price', () => {
    const latest = latestStoredTimeframes([
      cover('BTCUSD', '1h', 'csv', Date.UTC(2022, 3, 12)),
      cover('BTCUSD', '1d', 'yahoo', Date.UTC(2024, 0, 5)),
      cover('BTCUSD', '1d', 'csv', Date.UTC(2022, 2, 1)),
    ]);
    expect(Object.fromEntries(latest)).toEqual({ BTCUSD: '1d' });
  });
});

describe('sparklineTimeframe', () => {
  it('draws hourly closes from intraday data and the stored timeframe otherwise', () => {
    expect(sparklineTimeframe('1m')).toBe('1h');
    expect(sparklineTimeframe('30m')).toBe('1h');
    expect(sparklineTimeframe('1h')).toBe('1h');
    expect(sparklineTimeframe('4h')).toBe('4h');
    expect(sparklineTimeframe('1d')).toBe('1d');
    expect(sparklineTimeframe('1M')).toBe('1M');
  });
});

describe('dayStartOf', () => {
  it('is 00:00 UTC of the day the bar opens in', () => {
    expect(dayStartOf(Date.UTC(2025, 8, 30, 23, 59))).toBe(Date.UTC(2025, 8, 30));
    expect(dayStartOf(Date.UTC(2025, 8, 30))).toBe(Date.UTC(2025, 8, 30));
    // Pre-1970 history has negative times and still starts its days at midnight.
    expect(dayStartOf(Date.UTC(1968, 2, 15, 10))).toBe(Date.UTC(1968, 2, 15));
  });
});

describe('overviewItem', () => {
  const day = Date.UTC(2025, 8, 30);

  it('gives the change and percentage versus the previous close', () => {
    const item = overviewItem('XAUUSD', bar(day, 3843.8), bar(day - 86_400_000, 3357.59), {
      timeframe: '1d',
      bars: [bar(day - 86_400_000, 3357.59), bar(day, 3843.8)],
    });
    expect(item).toMatchObject({
      symbol: 'XAUUSD',
      last: { time: day, close: 3843.8 },
      previousClose: 3357.59,
      previousTime: day - 86_400_000,
      sparkline: { timeframe: '1d', closes: [3357.59, 3843.8], from: day - 86_400_000, to: day },
    });
    expect(item.change).toBeCloseTo(486.21, 10);
    expect(item.changePercent).toBeCloseTo((486.21 / 3357.59) * 100, 10);
  });

  it('measures a fall from a negative reference against its size', () => {
    const item = overviewItem('SPREAD', bar(day, -3), bar(day - 1, -2), { timeframe: '1d', bars: [] });
    expect(item.change).toBe(-1);
    expect(item.changePercent).toBe(-50);
    expect(item.sparkline).toBeNull();
  });

  it('has no change without a previous bar and no percentage from a zero close', () => {
    const first = overviewItem('NEW', bar(day, 10), undefined, { timeframe: '1h', bars: [bar(day, 10)] });
    expect(first).toMatchObject({ previousClose: null, previousTime: null, change: null, changePercent: null });
    expect(first.sparkline).toEqual({ timeframe: '1h', closes: [10], from: day, to: day });
    const fromZero = overviewItem('ODD', bar(day, 1), bar(day - 1, 0), { timeframe: '1d', bars: [] });
    expect(fromZero).toMatchObject({ change: 1, changePercent: null });
  });
});

describe('emptyOverviewItem', () => {
  it('names the symbol and nothing else', () => {
    expect(emptyOverviewItem('XPTUSD')).toEqual({
      symbol: 'XPTUSD',
      last: null,
      previousClose: null,
      previousTime: null,
      change: null,
      changePercent: null,
      sparkline: null,
    });
  });
});
