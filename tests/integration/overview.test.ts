/**
 * The watchlist overview through the real core on SQLite: a real MetaTrader export, the
 * hourly demo series and a hand-built minute series, checked against values read
 * independently of the overview code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/core/create-core';
import type { Bar } from '../../src/shared/domain';
import { readRealData, realDataPath } from '../support/real-data';
import { createTestCore, invokeFailure as failure, invokeOk as ok, type TestCore } from '../support/test-core';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Date and close of every row of the MetaTrader file, parsed here without the importer. */
function xauRows(): { time: number; close: number }[] {
  return readRealData('xauusd-1d-mt4.csv')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => {
      const [stamp, , , , close] = line.split(';');
      const [y, m, d] = stamp!.slice(0, 10).split('.').map(Number);
      return { time: Date.UTC(y!, m! - 1, d!), close: Number(close) };
    });
}

/** A fixed Wednesday afternoon, so the demo's last bar and its day are the same on every run. */
const NOW = Date.UTC(2025, 9, 15, 13, 30);

describe('market.overview on a real core', () => {
  let test: TestCore;
  let core: Core;

  beforeAll(async () => {
    test = await createTestCore({ now: () => NOW });
    core = test.core;
    await ok(core, 'import.csv', { source: { kind: 'path', path: realDataPath('xauusd-1d-mt4.csv') }, symbol: 'XAUUSD' });
    await ok(core, 'demo.load', {});
  }, 120_000);
  afterAll(() => test.cleanup());

  it('gives the last close and the change against the previous daily row of imported history', async () => {
    const rows = xauRows();
    const last = rows.at(-1)!;
    const previous = rows.at(-2)!;
    const { items } = await ok(core, 'market.overview', { symbols: ['XAUUSD'] });
    expect(items).toHaveLength(1);
    const item = items[0]!;
    expect(item.symbol).toBe('XAUUSD');
    expect(item.last).toEqual({ time: last.time, close: last.close });
    expect(item.previousClose).toBe(previous.close);
    expect(item.previousTime).toBe(previous.time);
    expect(item.change).toBeCloseTo(last.close - previous.close, 9);
    expect(item.changePercent).toBeCloseTo(((last.close - previous.close) / previous.close) * 100, 9);
    // Daily-only data: the sparkline is the last 60 daily closes of the file.
    expect(item.sparkline).toEqual({
      timeframe: '1d',
      closes: rows.slice(-60).map((row) => row.close),
      from: rows.at(-60)!.time,
      to: last.time,
    });
  });

  it('draws hourly sparklines from the demo data and compares with the close before the day began', async () => {
    const { items } = await ok(core, 'market.overview', { symbols: ['DEMO.BTCUSD', 'DEMO.XAUUSD'] });
    for (const item of items) {
      const { bars } = await ok(core, 'bars.query', { symbol: item.symbol, timeframe: '1h', from: NOW - 10 * DAY });
      const last = bars.at(-1)!;
      const dayStart = Math.floor(last.time / DAY) * DAY;
      const previous = bars.filter((bar) => bar.time < dayStart).at(-1)!;
      expect(item.last).toEqual({ time: last.time, close: last.close });
      expect(item.previousClose).toBe(previous.close);
      expect(item.change).toBeCloseTo(last.close - previous.close, 9);
      expect(item.sparkline?.timeframe).toBe('1h');
      expect(item.sparkline?.closes).toEqual(bars.slice(-60).map((bar) => bar.close));
      expect(item.sparkline?.to).toBe(last.time);
    }
    // The demo runs up to "now", a weekday: both series end today and the day began at midnight.
    expect(items.map((item) => Math.floor(item.last!.time / DAY) * DAY)).toEqual([Date.UTC(2025, 9, 15), Date.UTC(2025, 9, 15)]);
  });

  it('uses the finest stored series: minute bars beat daily ones, and the sparkline is hourly', async () => {
    const day = Date.UTC(2025, 9, 14);
    const daily: Bar[] = Array.from({ length: 5 }, (_, i) => {
      const close = 2000 + i;
      return { time: day - (4 - i) * DAY, open: close, high: close, low: close, close, volume: 1 };
    });
    // Minute bars from 22:00 the evening before to 02:59 on the day: the day's change is
    // measured from the 23:59 bar, whatever the daily series says.
    const minutes: Bar[] = Array.from({ length: 300 }, (_, i) => {
      const close = 2500 + i / 10;
      return { time: day - 2 * HOUR + i * 60_000, open: close, high: close, low: close, close, volume: 1 };
    });
    await core.storage.marketData.upsertBars({ symbol: 'ETHUSD', timeframe: '1d', source: 'test', bars: daily });
    await core.storage.marketData.upsertBars({ symbol: 'ETHUSD', timeframe: '1m', source: 'test', bars: minutes });

    const [item] = (await ok(core, 'market.overview', { symbols: ['ethusd'] })).items;
    const beforeMidnight = minutes.filter((bar) => bar.time < day).at(-1)!;
    expect(item).toMatchObject({
      symbol: 'ETHUSD',
      last: { time: minutes.at(-1)!.time, close: minutes.at(-1)!.close },
      previousClose: beforeMidnight.close,
      previousTime: day - 60_000,
    });
    // One close per hour: the last minute of each of the five hours.
    expect(item?.sparkline).toEqual({
      timeframe: '1h',
      closes: [0, 1, 2, 3, 4].map((h) => minutes[h * 60 + 59]!.close),
      from: day - 2 * HOUR,
      to: day + 2 * HOUR,
    });
  });

  it('answers in the order asked, with nulls for instruments that have no data', async () => {
    const { items } = await ok(core, 'market.overview', { symbols: ['XPTUSD', 'XAUUSD', 'XPTUSD'] });
    expect(items.map((item) => item.symbol)).toEqual(['XPTUSD', 'XAUUSD', 'XPTUSD']);
    expect(items[0]).toEqual({
      symbol: 'XPTUSD',
      last: null,
      previousClose: null,
      previousTime: null,
      change: null,
      changePercent: null,
      sparkline: null,
    });
    expect(items[1]?.last).not.toBeNull();
  });

  it('refuses symbols that are not instruments, naming every one', async () => {
    const error = await failure(core, 'market.overview', { symbols: ['XAUUSD', 'NOPE', 'ALSO.NOPE', 'NOPE'] });
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toBe('Unknown instruments: NOPE, ALSO.NOPE.');
    expect(error.details).toEqual({ symbols: ['NOPE', 'ALSO.NOPE'] });
  });

  it('refuses an empty or oversized request', async () => {
    expect((await failure(core, 'market.overview', { symbols: [] })).code).toBe('VALIDATION');
    expect((await failure(core, 'market.overview', { symbols: Array.from({ length: 201 }, () => 'XAUUSD') })).code).toBe('VALIDATION');
  });
});
