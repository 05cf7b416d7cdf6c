import { describe, expect, it } from 'vitest';
import { instrumentCatalogue } from '../../../src/core/instruments/catalogue';
import { defaultTestInstrument, testProvider, TEST_LIMITS } from '../../../src/core/providers/provider-test';
import type { BarsRequest, ProviderAdapter } from '../../../src/core/providers/types';
import { silentLogger } from '../../support/silent-logger';

const NOW = Date.UTC(2025, 1, 20, 12);
const DAY = 86_400_000;

describe('defaultTestInstrument', () => {
  it('prefers gold spot, then gold futures, then the first instrument the provider carries', () => {
    expect(defaultTestInstrument('polygon', instrumentCatalogue)?.symbol).toBe('XAUUSD');
    expect(defaultTestInstrument('yahoo', instrumentCatalogue)?.symbol).toBe('GC=F');
    const withoutGold = instrumentCatalogue.filter((i) => !['XAUUSD', 'GC=F'].includes(i.symbol));
    expect(defaultTestInstrument('yahoo', withoutGold)?.providerSymbols.yahoo).toBeDefined();
    expect(defaultTestInstrument('metalsapi', instrumentCatalogue.filter((i) => i.kind === 'crypto'))).toBeUndefined();
  });
});

describe('testProvider without a latest-price endpoint', () => {
  it('asks for the first page of a few of the coarsest bars, with one attempt and a short wait, and stops there', async () => {
    const requests: BarsRequest[] = [];
    let pagesServed = 0;
    const adapter: ProviderAdapter = {
      id: 'metalsapi',
      capabilities: { assetClasses: ['spot'], timeframes: ['1h', '1d'], maxBarsPerRequest: 365, historyDepthDays: {}, needsKey: true, defaultRateLimitPerMinute: 60 },
      async *fetchBars(request) {
        requests.push(request);
        for (const time of [NOW - 2 * DAY, NOW - DAY]) {
          pagesServed++;
          yield { bars: [{ time, open: 1, high: 2, low: 1, close: 1.5 + pagesServed, volume: 0 }], source: 'metalsapi' };
        }
      },
    };
    const gold = instrumentCatalogue.find((i) => i.symbol === 'XAUUSD')!;
    const result = await testProvider(adapter, gold, { now: () => NOW, logger: silentLogger() });
    expect(result).toMatchObject({ ok: true, sample: { symbol: 'XAUUSD', price: 2.5, time: NOW - 2 * DAY } });
    expect(requests).toEqual([{ instrument: gold, timeframe: '1d', from: NOW - 7 * DAY, to: NOW, ...TEST_LIMITS }]);
    expect(pagesServed).toBe(1);
  });
});
