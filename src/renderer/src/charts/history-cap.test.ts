import { describe, expect, it } from 'vitest';
import { HISTORY_PAGE_BARS, MAX_BARS_HELD, coarserTimeframeFor, olderPageLimit } from './history-cap';

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
