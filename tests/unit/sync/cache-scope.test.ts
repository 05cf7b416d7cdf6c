import { describe, expect, it } from 'vitest';
import { resolveCacheScope } from '../../../src/core/sync/cache-scope';
import { settingsSchema } from '../../../src/shared/domain';

describe('resolveCacheScope', () => {
  it('keeps the watchlist with the default timeframes and a year of history by default', () => {
    const settings = settingsSchema.parse({ watchlist: ['XAUUSD', 'btcusd'] });
    expect(resolveCacheScope(settings)).toEqual([
      { symbol: 'XAUUSD', timeframes: ['1d', '1h'], days: 365 },
      { symbol: 'BTCUSD', timeframes: ['1d', '1h'], days: 365 },
    ]);
  });

  it('lets an instrument override a watchlist symbol, add one, or leave one out with no timeframes', () => {
    const settings = settingsSchema.parse({
      watchlist: ['XAUUSD', 'XAGUSD', 'AAPL'],
      cache: {
        scope: {
          defaultTimeframes: ['1d'],
          defaultDays: null,
          instruments: {
            xagusd: { timeframes: ['1m', '1h', '1m'], days: 30 },
            AAPL: { timeframes: [], days: null },
            'GC=F': { timeframes: ['1h'], days: 90 },
          },
        },
      },
    });
    expect(resolveCacheScope(settings)).toEqual([
      { symbol: 'XAUUSD', timeframes: ['1d'], days: null },
      { symbol: 'XAGUSD', timeframes: ['1m', '1h'], days: 30 },
      { symbol: 'GC=F', timeframes: ['1h'], days: 90 },
    ]);
  });

  it('leaves the watchlist out when the scope says so', () => {
    const settings = settingsSchema.parse({ watchlist: ['XAUUSD'], cache: { scope: { watchlist: false, instruments: { BTCUSD: { timeframes: ['1d'], days: 7 } } } } });
    expect(resolveCacheScope(settings)).toEqual([{ symbol: 'BTCUSD', timeframes: ['1d'], days: 7 }]);
  });

  it('refuses a depth that is not a whole number of days', () => {
    expect(settingsSchema.safeParse({ cache: { scope: { defaultDays: 0 } } }).success).toBe(false);
    expect(settingsSchema.safeParse({ cache: { scope: { defaultDays: 1.5 } } }).success).toBe(false);
  });
});
