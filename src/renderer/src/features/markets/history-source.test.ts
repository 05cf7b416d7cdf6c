import { describe, expect, it } from 'vitest';
import type { Instrument } from '../../../../shared/domain';
import type { ProviderStatus } from '../../../../shared/providers';
import { historyFetchFor } from './history-source';

const NOW = Date.UTC(2025, 1, 20, 12);
const DAY = 86_400_000;

function status(id: ProviderStatus['id'], overrides: Partial<ProviderStatus> = {}): ProviderStatus {
  return {
    id,
    name: { yahoo: 'Yahoo Finance', polygon: 'Polygon/Massive', twelvedata: 'Twelve Data', metalsapi: 'Metals-API' }[id],
    needsKey: id !== 'yahoo',
    keySource: null,
    last4: null,
    baseUrl: 'https://example.test',
    rateLimitPerMinute: 5,
    dailyCredits: null,
    assetClasses: ['stock'],
    timeframes: ['1m', '5m', '15m', '30m', '1h', '1d'],
    historyDepthDays: { '1m': null, '5m': null, '15m': null, '30m': null, '1h': null, '1d': null },
    supportsLatest: true,
    supportsNews: false,
    configError: null,
    ...overrides,
  };
}

const yahoo = status('yahoo', { historyDepthDays: { '1m': 30, '5m': 60, '15m': 60, '30m': 60, '1h': 730, '1d': null } });
const msft: Instrument = { symbol: 'MSFT', name: 'Microsoft', kind: 'stock', unit: 'USD per share', currency: 'USD', providerSymbols: { polygon: 'MSFT', yahoo: 'MSFT' } };

describe('historyFetchFor', () => {
  it('skips a provider that needs a key it does not have, and takes the next in the mapping', () => {
    const fetch = historyFetchFor(msft, [yahoo, status('polygon')], {}, NOW);
    expect(fetch).toEqual({ provider: 'yahoo', providerName: 'Yahoo Finance', ticker: 'MSFT', timeframe: '1d', from: Date.UTC(1970, 0, 1) });
  });

  it('takes the finest timeframe with the whole history from the start of the plan Settings state', () => {
    const polygon = status('polygon', { keySource: 'secret-store' });
    const fetch = historyFetchFor(msft, [yahoo, polygon], { polygon: { planHistoryStart: '2023-02-21' } }, NOW);
    expect(fetch).toEqual({ provider: 'polygon', providerName: 'Polygon/Massive', ticker: 'MSFT', timeframe: '1m', from: Date.UTC(2023, 1, 21) });
  });

  it('fetches the deepest timeframe as far as it reaches when none has the whole history', () => {
    const limited = status('yahoo', { timeframes: ['1m', '1h'], historyDepthDays: { '1m': 30, '1h': 730 } });
    expect(historyFetchFor(msft, [limited], {}, NOW)).toMatchObject({ timeframe: '1h', from: NOW - 730 * DAY });
  });

  it('offers nothing when no provider that carries the instrument is usable', () => {
    const broken = status('yahoo', { configError: 'METALYTICS_YAHOO_BASE_URL is not a URL.' });
    expect(historyFetchFor(msft, [broken, status('polygon')], {}, NOW)).toBeNull();
    expect(historyFetchFor({ ...msft, providerSymbols: {} }, [yahoo], {}, NOW)).toBeNull();
  });
});
