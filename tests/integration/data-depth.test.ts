/**
 * Issue reproductions for stored history at any depth, through the real core, importer and
 * SQLite: a daily file and an hourly file of one symbol, and a monthly file beside a daily
 * one. Every stored bar that can build the asked timeframe is shown, by every method that
 * reads bars.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/core/create-core';
import { realDataPath, type RealDataFile } from '../support/real-data';
import { monthlyGoldBars, yahooDailyBars } from '../support/shared-data';
import { createTestCore, invokeOk as ok, type TestCore } from '../support/test-core';

const DAY = 86_400_000;
const HOURLY_START = Date.UTC(2017, 11, 31);

describe('no stored bar hidden', () => {
  let test: TestCore;
  let core: Core;
  const fromFile = (file: RealDataFile) => ({ kind: 'path' as const, path: realDataPath(file) });

  beforeAll(async () => {
    test = await createTestCore();
    core = test.core;
    await ok(core, 'import.csv', { source: fromFile('btc-usd-1d-yahoo.csv'), symbol: 'BTCUSD', timeframe: '1d' });
    await ok(core, 'import.csv', { source: fromFile('btcusdt-1h.csv'), symbol: 'BTCUSD', timeframe: '1h' });
    await ok(core, 'import.csv', { source: fromFile('xauusd-1d-mt4.csv'), symbol: 'XAUUSD', timeframe: '1d' });
    await ok(core, 'import.csv', { source: fromFile('gold-monthly.csv'), symbol: 'XAUUSD', timeframe: '1M' });
  }, 120_000);
  afterAll(() => test?.cleanup());

  it('answers a daily query with the 1,201 daily bars before the hourly file began, then the hourly days', async () => {
    const daily = yahooDailyBars();
    const { bars, spans, sourceTimeframe } = await ok(core, 'bars.query', { symbol: 'BTCUSD', timeframe: '1d', limit: 100_000 });
    expect(bars[0]!.time).toBe(Date.UTC(2014, 8, 17));
    expect(bars.filter((bar) => bar.time < HOURLY_START)).toEqual(daily.filter((bar) => bar.time < HOURLY_START));
    expect(bars.filter((bar) => bar.time < HOURLY_START)).toHaveLength(1201);
    expect(spans[0]).toEqual({ from: Date.UTC(2014, 8, 17), to: HOURLY_START - DAY, timeframe: '1d' });
    expect(spans.at(-1)).toMatchObject({ to: Date.UTC(2022, 3, 12), timeframe: '1h' });
    expect(sourceTimeframe).toBe('1h');
    // Weekly and monthly charts reach back as far.
    expect((await ok(core, 'bars.query', { symbol: 'BTCUSD', timeframe: '1w', limit: 100_000 })).bars[0]!.time).toBe(Date.UTC(2014, 8, 15));
    expect((await ok(core, 'bars.query', { symbol: 'BTCUSD', timeframe: '1M', limit: 100_000 })).bars[0]!.time).toBe(Date.UTC(2014, 8, 1));
  });

  it('gives indicators, the quality report and compare the same bars and spans', async () => {
    const query = { symbol: 'BTCUSD', timeframe: '1d' as const, limit: 100_000 };
    const plain = await ok(core, 'bars.query', query);
    const withSma = await ok(core, 'indicators.query', { ...query, indicators: [{ kind: 'sma', params: { period: 20 } }] });
    expect(withSma.bars).toEqual(plain.bars);
    expect(withSma.spans).toEqual(plain.spans);
    // The SMA is warmed up across the seam: from the 20th bar on, and continuous through it.
    const sma = withSma.indicators[0]!;
    if (sma.kind !== 'sma') throw new Error('expected the SMA');
    expect(sma.outputs.value.slice(19).every((value) => value !== null)).toBe(true);

    const report = await ok(core, 'quality.report', { symbol: 'BTCUSD', timeframe: '1d' });
    expect(report.bars).toBe(plain.bars.length);
    expect(report.spans).toEqual(plain.spans);

    // Compare reads the daily bars of 2015, which only the daily file holds, and meets gold on common days.
    const compared = await ok(core, 'compare.query', { symbols: ['BTCUSD', 'XAUUSD'], timeframe: '1d', from: Date.UTC(2015, 0, 1), to: Date.UTC(2015, 11, 31) });
    expect(compared.series.find((series) => series.symbol === 'BTCUSD')!.bars).toBe(365);
    expect(compared.times.length).toBeGreaterThan(250);
  });

  it('shows the last price from whichever stored series reaches furthest in the watchlist', async () => {
    const { items } = await ok(core, 'market.overview', { symbols: ['BTCUSD', 'XAUUSD'] });
    const btc = items[0]!;
    expect(btc.last?.time).toBe((await ok(core, 'bars.query', { symbol: 'BTCUSD', timeframe: '1h', limit: 1 })).bars[0]!.time);
    // Monthly gold runs to 2026-06, past the daily file's end in 2025-09.
    const xau = items[1]!;
    expect(xau.last).toEqual({ time: Date.UTC(2026, 5, 1), close: monthlyGoldBars().at(-1)!.close });
  });

  it('shows 193 years of monthly gold on the 1M chart beside the daily file', async () => {
    const monthly = monthlyGoldBars();
    const { bars, spans } = await ok(core, 'bars.query', { symbol: 'XAUUSD', timeframe: '1M', limit: 100_000 });
    expect(bars).toHaveLength(monthly.length);
    expect(bars[0]!.time).toBe(Date.UTC(1833, 0, 1));
    expect(spans.map((span) => span.timeframe)).toEqual(['1M', '1d', '1M', '1d', '1M']);
  });
});
