/**
 * `compare.query` through the real core on SQLite, with gold (MetaTrader export, weekdays)
 * and bitcoin (Yahoo download, every day) imported from the real files, checked against
 * values computed here from the raw CSV rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/core/create-core';
import type { MethodInput, MethodOutput } from '../../src/shared/contract';
import type { ErrorPayload } from '../../src/shared/errors';
import { readRealData, realDataPath } from '../support/real-data';
import { createTestCore, type TestCore } from '../support/test-core';

type CompareInput = MethodInput<'compare.query'>;
type CompareOutput = MethodOutput<'compare.query'>;

/** Daily closes by UTC day, read from the files without the product's importer. */
function goldCloses(): Map<number, number> {
  const rows = readRealData('xauusd-1d-mt4.csv').trim().split(/\r?\n/).slice(1);
  return new Map(
    rows.map((line) => {
      const [stamp, , , , close] = line.split(';');
      const [y, m, d] = stamp!.slice(0, 10).split('.').map(Number);
      return [Date.UTC(y!, m! - 1, d!), Number(close)];
    }),
  );
}

function bitcoinCloses(): Map<number, number> {
  const rows = readRealData('btc-usd-1d-yahoo.csv').trim().split(/\r?\n/).slice(1);
  return new Map(
    rows.map((line) => {
      const [date, , , , close] = line.split(',');
      return [Date.parse(`${date}T00:00:00Z`), Number(close)];
    }),
  );
}

/** Pearson's r of log returns over each window, by the textbook formula. */
function expectedCorrelation(a: number[], b: number[], window: number): (number | null)[] {
  const ra = a.slice(1).map((close, i) => Math.log(close / a[i]!));
  const rb = b.slice(1).map((close, i) => Math.log(close / b[i]!));
  return a.map((_, i) => {
    if (i < window) return null;
    const xs = ra.slice(i - window, i);
    const ys = rb.slice(i - window, i);
    const n = window;
    const sx = xs.reduce((s, x) => s + x, 0);
    const sy = ys.reduce((s, y) => s + y, 0);
    const sxy = xs.reduce((s, x, k) => s + x * ys[k]!, 0);
    const sxx = xs.reduce((s, x) => s + x * x, 0);
    const syy = ys.reduce((s, y) => s + y * y, 0);
    return (n * sxy - sx * sy) / Math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
  });
}

describe('compare.query on imported gold and bitcoin', () => {
  let test: TestCore;
  let core: Core;
  const gold = goldCloses();
  const bitcoin = bitcoinCloses();
  const commonDays = [...gold.keys()].filter((day) => bitcoin.has(day)).sort((x, y) => x - y);

  const compare = async (input: CompareInput): Promise<CompareOutput> => {
    const result = await core.invoke('compare.query', input);
    if (!result.ok) throw new Error(`compare.query failed: ${result.error.code} ${result.error.message}`);
    return result.value as CompareOutput;
  };
  const refused = async (input: unknown): Promise<ErrorPayload> => {
    const result = await core.invoke('compare.query', input);
    if (result.ok) throw new Error('compare.query succeeded but was expected to fail');
    return result.error;
  };

  beforeAll(async () => {
    test = await createTestCore();
    core = test.core;
    for (const [file, symbol] of [
      ['xauusd-1d-mt4.csv', 'XAUUSD'],
      ['btc-usd-1d-yahoo.csv', 'BTCUSD'],
    ] as const) {
      const result = await core.invoke('import.csv', { source: { kind: 'path', path: realDataPath(file) }, symbol });
      if (!result.ok) throw new Error(`import of ${file} failed: ${result.error.message}`);
    }
  });
  afterAll(() => test?.cleanup());

  it('keeps only the days both instruments traded, with each close from its own file', async () => {
    const reply = await compare({ symbols: ['XAUUSD', 'BTCUSD'], timeframe: '1d' });
    // Bitcoin trades at weekends and gold does not; the files overlap from 2014-09-17 to 2022-03-01.
    expect(reply.times).toEqual(commonDays);
    expect(reply.times.length).toBeGreaterThan(1800);
    expect(reply.times.every((time) => gold.has(time) && bitcoin.has(time))).toBe(true);
    expect(reply.series.map((s) => s.symbol)).toEqual(['XAUUSD', 'BTCUSD']);
    expect(reply.series[0]!.close).toEqual(commonDays.map((day) => gold.get(day)));
    expect(reply.series[1]!.close).toEqual(commonDays.map((day) => bitcoin.get(day)));
    expect(reply.series.map((s) => s.bars)).toEqual([gold.size, bitcoin.size]);
    expect(reply.truncated).toBe(false);
    expect(reply.ratio).toBeUndefined();
    expect(reply.correlation).toBeUndefined();
  });

  it('normalises to 100 at the first common day by default, or at the first common day on or after the base time', async () => {
    const first = await compare({ symbols: ['XAUUSD', 'BTCUSD'], timeframe: '1d' });
    expect(first.baseTime).toBe(commonDays[0]);
    commonDays.forEach((day, i) => {
      expect(first.series[0]!.normalised[i]).toBeCloseTo((100 * gold.get(day)!) / gold.get(commonDays[0]!)!, 9);
      expect(first.series[1]!.normalised[i]).toBeCloseTo((100 * bitcoin.get(day)!) / bitcoin.get(commonDays[0]!)!, 9);
    });

    // Saturday 2020-03-14: the base is the Monday after, while the series still start in 2014.
    const monday = Date.UTC(2020, 2, 16);
    const based = await compare({ symbols: ['XAUUSD', 'BTCUSD'], timeframe: '1d', baseTime: Date.UTC(2020, 2, 14) });
    expect(based.baseTime).toBe(monday);
    const baseIndex = based.times.indexOf(monday);
    expect(based.series.map((s) => s.normalised[baseIndex])).toEqual([100, 100]);
    expect(based.series[1]!.normalised[0]).toBeCloseTo((100 * bitcoin.get(commonDays[0]!)!) / bitcoin.get(monday)!, 9);

    const after = await compare({ symbols: ['XAUUSD', 'BTCUSD'], timeframe: '1d', baseTime: Date.UTC(2023, 0, 1) });
    expect(after.baseTime).toBeNull();
    expect(after.series[0]!.normalised.every((v) => v === null)).toBe(true);
  });

  it('gives the gold/bitcoin ratio and the rolling correlation of daily log returns', async () => {
    const reply = await compare({
      symbols: ['BTCUSD', 'xauusd'],
      timeframe: '1d',
      ratio: { numerator: 'XAUUSD', denominator: 'btcusd' },
      correlation: { a: 'XAUUSD', b: 'BTCUSD', window: 30 },
    });
    const goldClose = commonDays.map((day) => gold.get(day)!);
    const bitcoinClose = commonDays.map((day) => bitcoin.get(day)!);
    expect(reply.ratio).toMatchObject({ numerator: 'XAUUSD', denominator: 'BTCUSD' });
    reply.ratio!.values.forEach((value, i) => expect(value).toBeCloseTo(goldClose[i]! / bitcoinClose[i]!, 12));

    expect(reply.correlation).toMatchObject({ a: 'XAUUSD', b: 'BTCUSD', window: 30 });
    const expected = expectedCorrelation(goldClose, bitcoinClose, 30);
    const values = reply.correlation!.values;
    expect(values).toHaveLength(commonDays.length);
    expect(values.slice(0, 30).every((v) => v === null)).toBe(true);
    expected.forEach((value, i) => {
      if (value === null) return;
      expect(values[i], `day ${new Date(commonDays[i]!).toISOString()}`).toBeCloseTo(value, 9);
    });
    // Gold and bitcoin barely move together on most days: the correlation must look like it.
    const numbers = values.filter((v): v is number => v !== null);
    const mean = numbers.reduce((s, v) => s + v, 0) / numbers.length;
    expect(Math.abs(mean)).toBeLessThan(0.3);
    expect(Math.min(...numbers)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...numbers)).toBeLessThanOrEqual(1);
  });

  it('returns the most recent common days within a limit, reading further back than the limit when calendars differ', async () => {
    // Gold's last 100 bars are all in 2025, after bitcoin's file ends: the read has to widen.
    const reply = await compare({ symbols: ['XAUUSD', 'BTCUSD'], timeframe: '1d', limit: 100 });
    expect(reply.times).toEqual(commonDays.slice(-100));
    expect(reply.truncated).toBe(true);
    expect(reply.baseTime).toBe(commonDays.at(-100));
    expect(reply.series[0]!.normalised[0]).toBe(100);
  });

  it('honours from and to', async () => {
    const from = Date.UTC(2021, 0, 1);
    const to = Date.UTC(2021, 11, 31);
    const reply = await compare({ symbols: ['XAUUSD', 'BTCUSD'], timeframe: '1d', from, to });
    expect(reply.times).toEqual(commonDays.filter((day) => day >= from && day <= to));
    expect(reply.truncated).toBe(false);
  });

  it('aggregates like the chart: weekly closes are the bars.query closes on common weeks', async () => {
    const reply = await compare({ symbols: ['XAUUSD', 'BTCUSD'], timeframe: '1w' });
    const chart = async (symbol: string) => {
      const result = await core.invoke('bars.query', { symbol, timeframe: '1w' });
      if (!result.ok) throw new Error(result.error.message);
      const { bars } = result.value as MethodOutput<'bars.query'>;
      return new Map(bars.map((bar) => [bar.time, bar.close]));
    };
    const goldWeeks = await chart('XAUUSD');
    const bitcoinWeeks = await chart('BTCUSD');
    const common = [...goldWeeks.keys()].filter((week) => bitcoinWeeks.has(week));
    expect(reply.times).toEqual(common);
    expect(reply.series[0]!.close).toEqual(common.map((week) => goldWeeks.get(week)));
    expect(reply.series[1]!.close).toEqual(common.map((week) => bitcoinWeeks.get(week)));
  });

  it('answers with no common times when an instrument has no stored bars', async () => {
    const reply = await compare({ symbols: ['XAUUSD', 'XAGUSD'], timeframe: '1d', ratio: { numerator: 'XAUUSD', denominator: 'XAGUSD' } });
    expect(reply.times).toEqual([]);
    expect(reply.baseTime).toBeNull();
    expect(reply.series.map((s) => s.bars)).toEqual([gold.size, 0]);
    expect(reply.ratio!.values).toEqual([]);
  });

  it('refuses unknown instruments as NOT_FOUND and malformed requests as VALIDATION', async () => {
    expect(await refused({ symbols: ['XAUUSD', 'NOPE'], timeframe: '1d' })).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('NOPE') });

    const invalid = [
      { symbols: ['XAUUSD', 'xauusd'], timeframe: '1d' },
      { symbols: ['XAUUSD'], timeframe: '1d' },
      { symbols: ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I'], timeframe: '1d' },
      { symbols: ['XAUUSD', 'BTCUSD'], timeframe: '1d', correlation: { a: 'XAUUSD', b: 'BTCUSD', window: 1 } },
      { symbols: ['XAUUSD', 'BTCUSD'], timeframe: '1d', correlation: { a: 'XAUUSD', b: 'XAUUSD', window: 30 } },
      { symbols: ['XAUUSD', 'BTCUSD'], timeframe: '1d', correlation: { a: 'XAUUSD', b: 'XAGUSD', window: 30 } },
      { symbols: ['XAUUSD', 'BTCUSD'], timeframe: '1d', ratio: { numerator: 'XPTUSD', denominator: 'BTCUSD' } },
      { symbols: ['XAUUSD', 'BTCUSD'], timeframe: '1d', ratio: { numerator: 'BTCUSD', denominator: 'BTCUSD' } },
      { symbols: ['XAUUSD', 'BTCUSD'], timeframe: '1d', from: 2, to: 1 },
      { symbols: ['XAUUSD', 'BTCUSD'], timeframe: '2d' },
    ];
    for (const input of invalid) {
      expect(await refused(input), JSON.stringify(input)).toMatchObject({ code: 'VALIDATION' });
    }
    expect((await refused(invalid[0])).message).toContain('XAUUSD is listed twice');
    expect((await refused(invalid[5])).message).toContain('XAGUSD is not one of the compared symbols');
  });
});
