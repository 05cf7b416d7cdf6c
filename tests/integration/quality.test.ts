/**
 * quality.report through the real core on SQLite, over the real vendor files imported the way a
 * user imports them. Expectations are computed independently from the raw files and from what
 * bars.query says is stored, never from the quality module itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MethodInput, MethodOutput } from '../../src/shared/contract';
import { readRealData } from '../support/real-data';
import { createTestCore, type TestCore } from '../support/test-core';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Report = MethodOutput<'quality.report'>;
const isWeekend = (time: number) => [0, 6].includes(new Date(time).getUTCDay());
const isoDay = (time: number) => new Date(time).toISOString().slice(0, 10);

describe('quality.report through the core', () => {
  let test: TestCore;

  const report = (input: MethodInput<'quality.report'>): Promise<Report> => test.call('quality.report', input);

  beforeAll(async () => {
    test = await createTestCore();
    for (const [file, symbol] of [
      ['xauusd-1d-mt4.csv', 'XAUUSD'],
      ['btcusdt-1h.csv', 'BTCUSDT'],
    ] as const) {
      await test.importRealFile(file, symbol);
    }
  }, 120_000);

  afterAll(() => test?.cleanup());

  describe('XAUUSD daily (MetaTrader export)', () => {
    /** Trading days in the file, from its `YYYY.MM.DD HH:MM` column. */
    const fileDays = () =>
      readRealData('xauusd-1d-mt4.csv')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.slice(0, 10).replaceAll('.', '-'));

    /** Good Fridays 2004–2025 from published Easter tables, and CME's other metals closures with their weekend observance. */
    const goodFridays = new Set(
      '2004-04-09 2005-03-25 2006-04-14 2007-04-06 2008-03-21 2009-04-10 2010-04-02 2011-04-22 2012-04-06 2013-03-29 2014-04-18 2015-04-03 2016-03-25 2017-04-14 2018-03-30 2019-04-19 2020-04-10 2021-04-02 2022-04-15 2023-04-07 2024-03-29 2025-04-18'.split(' '),
    );
    /**
     * US holidays on which Globex metals halt early and spot feeds may print nothing, by
     * walking each month's days: MLK (since 1998), Presidents, Memorial, Juneteenth (since
     * 2022, observed), Independence (observed), Labor Day, Thanksgiving.
     */
    const haltedHolidays = (() => {
      const days = new Set<string>();
      const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
      const mondays = (year: number, month: number) => {
        const found: number[] = [];
        for (let d = 1; d <= 31; d++) {
          const t = Date.UTC(year, month, d);
          if (new Date(t).getUTCMonth() === month && new Date(t).getUTCDay() === 1) found.push(t);
        }
        return found;
      };
      const observedDay = (year: number, month: number, day: number) => {
        const t = Date.UTC(year, month, day);
        const weekday = new Date(t).getUTCDay();
        return iso(weekday === 6 ? t - DAY : weekday === 0 ? t + DAY : t);
      };
      for (let year = 2004; year <= 2025; year++) {
        days.add(iso(mondays(year, 0)[2]!));
        days.add(iso(mondays(year, 1)[2]!));
        days.add(iso(mondays(year, 4).at(-1)!));
        days.add(iso(mondays(year, 8)[0]!));
        days.add(observedDay(year, 6, 4));
        if (year >= 2022) days.add(observedDay(year, 5, 19));
        const thursdays = [...Array(30).keys()].map((d) => Date.UTC(year, 10, d + 1)).filter((t) => new Date(t).getUTCDay() === 4);
        days.add(iso(thursdays[3]!));
      }
      return days;
    })();
    const isMetalsClosure = (day: string) => {
      const weekday = new Date(day).getUTCDay();
      const monthDay = day.slice(5);
      return (
        haltedHolidays.has(day) ||
        goodFridays.has(day) ||
        monthDay === '01-01' ||
        monthDay === '12-25' ||
        (monthDay === '12-24' && weekday === 5) ||
        ((monthDay === '12-26' || monthDay === '01-02') && weekday === 1)
      );
    };

    it('uses the metals calendar: weekends, closures and US holidays are never gaps, every other absent weekday is', async () => {
      const reply = await report({ symbol: 'XAUUSD', timeframe: '1d' });
      const days = fileDays();
      const present = new Set(days);
      expect(reply).toMatchObject({ calendar: 'cme-metals-24x5', bars: days.length, invalid: [] });

      const absent: string[] = [];
      for (let t = Date.parse(days[0]!); t <= Date.parse(days.at(-1)!); t += DAY) {
        const day = isoDay(t);
        if (!isWeekend(t) && !present.has(day) && !isMetalsClosure(day)) absent.push(day);
      }
      const reported: string[] = [];
      for (const gap of reply.gaps) {
        expect(isWeekend(gap.from) || isWeekend(gap.to)).toBe(false);
        let counted = 0;
        for (let t = gap.from; t <= gap.to; t += DAY) {
          const day = isoDay(t);
          expect(present.has(day)).toBe(false);
          if (isWeekend(t) || isMetalsClosure(day)) continue;
          reported.push(day);
          counted++;
        }
        expect(counted).toBe(gap.missing);
      }
      expect(reported).toEqual(absent);
      expect(reply.expected).toBe(days.filter((day) => !isMetalsClosure(day)).length + absent.length);
    });

    it('reports the hole from 2025-07-11 to 2025-09-30 as one gap of its trading weekdays', async () => {
      const days = fileDays();
      const before = days.indexOf('2025-07-11');
      expect(days[before + 1]).toBe('2025-09-30');
      let weekdays = 0;
      for (let t = Date.parse('2025-07-12') ; t < Date.parse('2025-09-30'); t += DAY) if (!isWeekend(t)) weekdays++;
      expect(weekdays).toBe(56);
      // Labor Day (2025-09-01) inside it is no missing bar: Globex halted early and spot feeds may skip it.
      weekdays -= 1;

      const reply = await report({ symbol: 'XAUUSD', timeframe: '1d', from: Date.parse('2025-01-01') });
      expect(reply.gaps).toContainEqual({ from: Date.parse('2025-07-14'), to: Date.parse('2025-09-29'), missing: weekdays, rejected: 0 });
      // The first close after the hole jumps 13.5 %: the return spans eleven weeks and is flagged.
      expect(reply.outliers.map((o) => isoDay(o.time))).toContain('2025-09-30');
    });

    it('reports a range that lies inside the hole as one gap, though it holds no bar', async () => {
      const reply = await report({ symbol: 'XAUUSD', timeframe: '1d', from: Date.parse('2025-08-01'), to: Date.parse('2025-08-31T12:00Z') });
      // Friday 1 August and the four full weeks that follow.
      expect(reply).toMatchObject({ bars: 0, expected: 21, gaps: [{ from: Date.parse('2025-08-01'), to: Date.parse('2025-08-29'), missing: 21 }] });
      // Past the last stored bar the data does not reach yet: no gap.
      expect(await report({ symbol: 'XAUUSD', timeframe: '1d', from: Date.parse('2025-09-30T00:00:01Z') })).toMatchObject({ bars: 0, expected: 0, gaps: [] });
    });
  });

  describe('BTCUSDT hourly (Binance)', () => {
    /** Hour buckets of the raw `Open time` column, which drifts from :00 to :05 late in the file. */
    const fileHours = () =>
      readRealData('btcusdt-1h.csv')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => Number(line.split(',')[1]))
        .map((time) => time - (time % HOUR));

    it('reports every hour missing from what is stored, weekends included, as 24/7 crypto', async () => {
      const stored = await test.core.invoke('bars.query', { symbol: 'BTCUSDT', timeframe: '1h' });
      if (!stored.ok) throw new Error(stored.error.message);
      const hours = (stored.value as MethodOutput<'bars.query'>).bars.map((bar) => bar.time - (bar.time % HOUR));

      // Independently: every step of more than an hour between stored bars is one gap; the hours of the file
      // that are not stored are the rows the import rejected.
      const storedHours = new Set(hours);
      const rejectedHours = fileHours().filter((hour) => !storedHours.has(hour));
      const wanted: Report['gaps'] = [];
      for (let i = 1; i < hours.length; i++) {
        const step = hours[i]! - hours[i - 1]!;
        const [from, to] = [hours[i - 1]! + HOUR, hours[i]! - HOUR];
        const rejected = rejectedHours.filter((hour) => hour >= from && hour <= to).length;
        if (step > HOUR) wanted.push({ from, to, missing: step / HOUR - 1, rejected });
      }

      const reply = await report({ symbol: 'BTCUSDT', timeframe: '1h' });
      expect(reply).toMatchObject({ calendar: 'crypto-24x7', bars: hours.length, invalid: [] });
      expect(reply.gaps).toEqual(wanted);
      expect(reply.expected).toBe((hours.at(-1)! - hours[0]!) / HOUR + 1);
      expect(reply.gaps.some((gap) => isWeekend(gap.from))).toBe(true);

      // The 1,972 rows the importer rejects (close outside high–low) are missing hours too.
      const raw = fileHours();
      const missing = reply.gaps.reduce((sum, gap) => sum + gap.missing, 0);
      expect(raw.length - hours.length).toBe(1_972);
      expect(missing).toBe(reply.expected - raw.length + 1_972);
    });

    it('shows every real exchange outage of the raw file inside a reported gap', async () => {
      const raw = fileHours();
      const outages: { from: number; to: number }[] = [];
      for (let i = 1; i < raw.length; i++) if (raw[i]! - raw[i - 1]! > HOUR) outages.push({ from: raw[i - 1]! + HOUR, to: raw[i]! - HOUR });
      // Binance's 8 February 2018 maintenance (33 hours) is among them.
      expect(outages).toContainEqual({ from: Date.parse('2018-02-08T01:00Z'), to: Date.parse('2018-02-09T09:00Z') });
      expect(outages.length).toBeGreaterThan(10);

      const { gaps } = await report({ symbol: 'BTCUSDT', timeframe: '1h' });
      for (const outage of outages) {
        expect(gaps.some((gap) => gap.from <= outage.from && gap.to >= outage.to), new Date(outage.from).toISOString()).toBe(true);
      }
    });

    it('finds no gap in daily bars aggregated from the hours, and flags the 12 March 2020 crash', async () => {
      const reply = await report({ symbol: 'BTCUSDT', timeframe: '1d' });
      expect(reply.gaps).toEqual([]);
      expect(reply.expected).toBe(reply.bars);
      expect(reply.outliers.map((o) => isoDay(o.time))).toEqual(['2020-03-12']);
    });
  });

  it('finds no gaps in the demo series: gold on the metals week, bitcoin around the clock', async () => {
    const loaded = await test.core.invoke('demo.load', {});
    if (!loaded.ok) throw new Error(loaded.error.message);
    const gold = await report({ symbol: 'DEMO.XAUUSD', timeframe: '1h' });
    const bitcoin = await report({ symbol: 'DEMO.BTCUSD', timeframe: '1h' });
    expect(gold).toMatchObject({ calendar: 'cme-metals-24x5', gaps: [], outliers: [], invalid: [] });
    expect(bitcoin).toMatchObject({ calendar: 'crypto-24x7', gaps: [], outliers: [], invalid: [] });
    // The demo's gold closes Friday 22:00 to Sunday 22:00 UTC; weekend hours are neither stored nor expected.
    expect(gold.expected).toBeLessThan(gold.bars);
    expect(gold.bars).toBeLessThan(bitcoin.bars * 0.75);
    expect(bitcoin.expected).toBe(bitcoin.bars);
  });

  it('answers NOT_FOUND for an unknown symbol, VALIDATION for an inverted or too long range', async () => {
    expect(await test.core.invoke('quality.report', { symbol: 'NOPE', timeframe: '1d' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await test.core.invoke('quality.report', { symbol: 'XAUUSD', timeframe: '1d', from: 2, to: 1 })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
    // Two minute bars 200,000 minutes apart: the report would enumerate more buckets than bars.query serves at once.
    await test.core.storage.marketData.upsertBars({
      symbol: 'ETHUSD',
      timeframe: '1m',
      source: 'test',
      bars: [0, 200_000 * 60_000].map((time) => ({ time, open: 1, high: 1, low: 1, close: 1, volume: 0 })),
    });
    expect(await test.core.invoke('quality.report', { symbol: 'ETHUSD', timeframe: '1m' })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    // Within the stored history the end of the range counts: the second minute is missing.
    expect(await report({ symbol: 'ETHUSD', timeframe: '1m', to: 60_000 })).toMatchObject({
      bars: 1,
      expected: 2,
      gaps: [{ from: 60_000, to: 60_000, missing: 1 }],
    });
  });

  it('reports an empty range of a known symbol as empty', async () => {
    expect(await report({ symbol: 'AAPL', timeframe: '1h' })).toEqual({
      symbol: 'AAPL',
      timeframe: '1h',
      calendar: 'nyse-regular',
      bars: 0,
      spans: [],
      expected: 0,
      gaps: [],
      outliers: [],
      invalid: [],
      repaired: [],
      rejectedAtImport: [],
    });
  });
});
