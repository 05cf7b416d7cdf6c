import { describe, expect, it } from 'vitest';
import type { Coverage } from '../../../shared/domain';
import { HISTORY_PAGE_BARS, MAX_BARS_HELD, coarserTimeframeFor, historyNote, olderPageLimit } from './history-cap';

const DAY = 86_400_000;
const all = ['1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w', '1M'] as const;

describe('olderPageLimit', () => {
  it('fetches whole pages until the cap, then what is left, then nothing', () => {
    expect(olderPageLimit(2_000)).toBe(HISTORY_PAGE_BARS);
    expect(olderPageLimit(MAX_BARS_HELD - 500)).toBe(500);
    expect(olderPageLimit(MAX_BARS_HELD)).toBe(0);
    expect(olderPageLimit(MAX_BARS_HELD + 10)).toBe(0);
  });
});

describe('coarserTimeframeFor', () => {
  it('picks the finest coarser timeframe that shows the held span in one page', () => {
    // 20,000 hourly bars ≈ 833 days: 4h would still need 5,000 bars, daily needs 833.
    expect(coarserTimeframeFor('1h', 833 * DAY, all)).toBe('1d');
    // 20,000 minutes ≈ 14 days: 15m bars cover it in 1,333.
    expect(coarserTimeframeFor('1m', 14 * DAY, all)).toBe('15m');
    // 20,000 days: weekly would need 2,857 bars, monthly 667.
    expect(coarserTimeframeFor('1d', 20_000 * DAY, all)).toBe('1M');
  });

  it('offers only timeframes the stored data can produce, the coarsest when none fits, none past the coarsest', () => {
    expect(coarserTimeframeFor('1h', 833 * DAY, ['1h', '4h'])).toBe('4h');
    expect(coarserTimeframeFor('1h', 833 * DAY, ['1h', '1w'])).toBe('1w');
    expect(coarserTimeframeFor('1M', 100_000 * DAY, all)).toBeNull();
    expect(coarserTimeframeFor('1d', 20_000 * DAY, ['1d'])).toBeNull();
  });
});

describe('historyNote', () => {
  const month = (year: number, m: number) => Date.UTC(year, m - 1, 1);
  const bar = (time: number) => ({ time, open: 1, high: 1, low: 1, close: 1, volume: 0 });
  const stored = (timeframe: Coverage['timeframe'], first: number, symbol = 'XAUUSD'): Coverage => ({ symbol, timeframe, source: 'csv', first, last: month(2026, 6), count: 1 });
  // gold-monthly.csv as XAUUSD 1M (1833–2026) beside daily bars from 2004.
  const coverage = [stored('1M', month(1833, 1)), stored('1d', Date.UTC(2004, 5, 1, 0)), stored('1M', month(1700, 1), 'SILVER')];
  const held = (firstMonth: number, historyComplete: boolean) => ({
    symbol: 'XAUUSD',
    timeframe: '1M' as const,
    bars: [bar(firstMonth), bar(month(2026, 6))],
    historyComplete,
    coverage,
  });

  it('says all stored only when the oldest stored bar of every building timeframe is held', () => {
    expect(historyNote(held(month(1833, 1), true))).toBe(' (all stored)');
    // The first page of 2,000 months, before scrolling back.
    expect(historyNote(held(month(1859, 11), false))).toBe(' (stored from 1833-01)');
    // The server said "nothing older", but the 1M span from 1833 is not on the chart.
    expect(historyNote(held(month(2004, 6), true))).toBe(' (stored from 1833-01)');
  });

  it('reads the stored start in buckets of the chart, and says nothing when unsure', () => {
    // Daily bars from mid-June 2004 build a June 2004 monthly bar.
    expect(historyNote({ ...held(month(2004, 6), true), coverage: [stored('1d', Date.UTC(2004, 5, 14))] })).toBe(' (all stored)');
    // Only 1m can build 1m: the daily history from 2004 does not count for a minute chart.
    const minutes = { ...held(Date.UTC(2026, 0, 1), true), timeframe: '1m' as const, coverage: [stored('1m', Date.UTC(2026, 0, 1)), stored('1d', Date.UTC(2004, 5, 1))] };
    expect(historyNote(minutes)).toBe(' (all stored)');
    expect(historyNote({ ...held(month(1833, 1), false), coverage: [] })).toBe('');
    expect(historyNote({ ...held(month(1833, 1), true), bars: [] })).toBe('');
  });
});
