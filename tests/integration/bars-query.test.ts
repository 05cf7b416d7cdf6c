import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BARS_PER_QUERY } from '../../src/shared/domain';
import type { MethodInput } from '../../src/shared/contract';
import { createTestCore, type TestCore } from '../support/test-core';

const START = Date.UTC(2024, 0, 1);
const MINUTES = 120_000;

describe('bars.query through the core', () => {
  let test: TestCore;

  beforeAll(async () => {
    test = await createTestCore();
    for (let offset = 0; offset < MINUTES; offset += 10_000) {
      const bars = Array.from({ length: 10_000 }, (_, i) => {
        const price = 2000 + Math.sin((offset + i) / 500);
        return { time: START + (offset + i) * 60_000, open: price, high: price + 1, low: price - 1, close: price, volume: 1 };
      });
      await test.core.storage.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1m', source: 'test', bars });
    }
  });

  afterAll(() => test?.cleanup());

  const barCount = async (input: MethodInput<'bars.query'>): Promise<number> => (await test.call('bars.query', input)).bars.length;

  it('refuses an unlimited query that would return more than the cap, and says how to page', async () => {
    expect(MINUTES).toBeGreaterThan(MAX_BARS_PER_QUERY);
    const result = await test.core.invoke('bars.query', { symbol: 'XAUUSD', timeframe: '1m' });
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    if (!result.ok) expect(result.error.message).toMatch(/at most 100,000 .*"limit"/);
  });

  it('answers the same range with a limit, or at a coarser timeframe, or narrowed', async () => {
    expect(await barCount({ symbol: 'XAUUSD', timeframe: '1m', limit: 2_000 })).toBe(2_000);
    expect(await barCount({ symbol: 'XAUUSD', timeframe: '1h' })).toBe(MINUTES / 60);
    expect(await barCount({ symbol: 'XAUUSD', timeframe: '1m', from: START, to: START + 59 * 60_000 })).toBe(60);
  });

  it('answers NOT_FOUND for an unknown instrument and VALIDATION for an inverted range, changing nothing', async () => {
    const before = await test.core.storage.marketData.countBars();
    expect(await test.core.invoke('bars.query', { symbol: 'NOPE', timeframe: '1h' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await test.core.invoke('bars.query', { symbol: 'XAUUSD', timeframe: '1h', from: 10, to: 5 })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
    expect(await test.core.storage.marketData.countBars()).toBe(before);
  });
});
