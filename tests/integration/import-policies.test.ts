import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BadOhlcPolicy, Bar } from '../../src/shared/domain';
import { realDataPath } from '../support/real-data';
import { binanceHourlyBars } from '../support/shared-data';
import { createTestCore, invokeFailure as failure, invokeOk as ok, type TestCore } from '../support/test-core';

const DAY = 86_400_000;
const btcusdt = { kind: 'path' as const, path: realDataPath('btcusdt-1h.csv') };
const xauusd = { kind: 'path' as const, path: realDataPath('xauusd-1d-mt4.csv') };
const isBadOhlc = (b: Bar) => b.high < Math.max(b.open, b.close) || b.low > Math.min(b.open, b.close) || b.high < b.low;

/** Daily OHLCV of hourly bars, computed here without the product's aggregation: UTC days, first open, last close. */
function dailyBars(hourly: readonly Bar[]): Bar[] {
  const days = new Map<number, Bar>();
  for (const bar of [...hourly].sort((a, b) => a.time - b.time)) {
    const day = Math.floor(bar.time / DAY) * DAY;
    const seen = days.get(day);
    if (!seen) days.set(day, { ...bar, time: day });
    else days.set(day, { time: day, open: seen.open, high: Math.max(seen.high, bar.high), low: Math.min(seen.low, bar.low), close: bar.close, volume: seen.volume + bar.volume });
  }
  return [...days.values()];
}

function expectSameBars(actual: readonly Bar[], expected: readonly Bar[]): void {
  expect(actual.map((b) => b.time)).toEqual(expected.map((b) => b.time));
  actual.forEach((bar, i) => {
    const want = expected[i]!;
    for (const field of ['open', 'high', 'low', 'close'] as const) expect(bar[field], `${field} of ${new Date(bar.time).toISOString()}`).toBe(want[field]);
    expect(bar.volume).toBeCloseTo(want.volume, 6);
  });
}

async function importBtcusdt(test: TestCore, policy: BadOhlcPolicy) {
  return ok(test.core, 'import.csv', { source: btcusdt, symbol: 'BTCUSDT', badOhlc: policy });
}

const fileBars = binanceHourlyBars();
const firstMonth = { from: Date.UTC(2018, 0, 1), to: Date.UTC(2018, 0, 31, 23) };
/** Bad rows in January 2018 by the hour they belong to: bars drift to :05 late in the month, and 23:05 is the 23:00 bar. */
const hourOf = (time: number) => Math.floor(time / 3_600_000) * 3_600_000;
const badInFirstMonth = fileBars.filter((b) => isBadOhlc(b) && hourOf(b.time) >= firstMonth.from && hourOf(b.time) <= firstMonth.to);

describe('the preview of btcusdt-1h.csv', () => {
  let test: TestCore;
  beforeAll(async () => {
    test = await createTestCore();
  });
  afterAll(() => test.cleanup());

  it('states how many rows have bad OHLC and what each policy would do', async () => {
    const preview = await ok(test.core, 'import.preview', { source: btcusdt, symbol: 'BTCUSDT' });
    expect(preview.badOhlc).toMatchObject({ policy: 'reject', rows: 1_972, message: '1,972 rows (5.3%) have a close outside high–low' });
    expect(preview.badOhlc.share).toBeCloseTo(1_972 / 37_394, 6);
    expect(Object.keys(preview.badOhlc.outcomes)).toEqual(['reject', 'widen', 'keep']);
    expect(preview).toMatchObject({ validRows: 35_422, errorCount: 1_972, repaired: 0, questions: [] });
    expect(preview.mapping).toEqual({ delimiter: ',', hasHeader: true, dateFormat: 'epoch-ms', decimalSeparator: '.', utcOffsetMinutes: 0, time: 1, timeOfDay: null, open: 3, high: 4, low: 5, close: 6, volume: 7 });

    const widened = await ok(test.core, 'import.preview', { source: btcusdt, symbol: 'BTCUSDT', badOhlc: 'widen', mapping: preview.mapping });
    expect(widened).toMatchObject({ validRows: 37_394, errorCount: 0, repaired: 1_972, badOhlc: { policy: 'widen', rows: 1_972 } });
    expect(widened.repairs[0]).toEqual({ line: 9, reason: 'High 12831.31 is below close 12882.17; widened to high 12882.17, low 12493.66' });
    expect(await test.core.storage.marketData.countBars()).toBe(0);
  });
});

describe.each(['widen', 'keep', 'reject'] as const)('importing btcusdt-1h.csv with badOhlc %s', (policy) => {
  let test: TestCore;
  beforeAll(async () => {
    test = await createTestCore();
  });
  afterAll(() => test.cleanup());

  it('stores the bars the policy makes, and their daily candles match a computation from the file', async () => {
    const summary = await importBtcusdt(test, policy);
    const stored = policy === 'reject' ? 35_422 : 37_394;
    expect(summary).toMatchObject({ badOhlc: policy, rowsRead: 37_394, inserted: stored, rejected: 37_394 - stored, repaired: policy === 'reject' ? 0 : 1_972 });

    const expectedHourly = fileBars.flatMap((bar) => {
      if (!isBadOhlc(bar)) return [bar];
      if (policy === 'reject') return [];
      if (policy === 'keep') return [bar];
      return [{ ...bar, high: Math.max(bar.high, bar.open, bar.close), low: Math.min(bar.low, bar.open, bar.close) }];
    });
    const daily = await ok(test.core, 'bars.query', { symbol: 'BTCUSDT', timeframe: '1d' });
    expectSameBars(daily.bars, dailyBars(expectedHourly));
  });

  it('records the widened or kept bars with the run, and quality.report lists them where they are', async () => {
    const report = await ok(test.core, 'quality.report', { symbol: 'BTCUSDT', timeframe: '1h', ...firstMonth });
    if (policy === 'reject') {
      expect(report.repaired).toEqual([]);
      return;
    }
    expect(report.repaired.map((r) => r.time)).toEqual(badInFirstMonth.map((b) => b.time));
    expect(report.repaired[0]).toMatchObject({ time: Date.UTC(2018, 0, 1, 7), timeframe: '1h', policy, runId: expect.any(String) });
    expect(report.repaired[0]!.change).toMatch(policy === 'widen' ? /; widened to high \d/ : /; kept as written$/);
    // Kept bars stay inconsistent, so the report's own check finds them too (at their hour's bucket); widened ones do not.
    const invalidTimes = report.invalid.map((bar) => bar.time);
    expect(invalidTimes).toEqual(policy === 'keep' ? badInFirstMonth.map((b) => hourOf(b.time)) : []);

    const dailyReport = await ok(test.core, 'quality.report', { symbol: 'BTCUSDT', timeframe: '1d', ...firstMonth });
    expect(dailyReport.repaired).toHaveLength(badInFirstMonth.length);
    const run = await test.core.storage.jobRuns.get(report.repaired[0]!.runId);
    expect(run?.details).toMatchObject({ file: 'btcusdt-1h.csv', symbol: 'BTCUSDT', timeframe: '1h', badOhlc: policy, repaired: 1_972 });
  });
});

describe.each(['reject', 'widen'] as const)('the quality report of btcusdt-1h.csv imported with badOhlc %s', (policy) => {
  let test: TestCore;
  beforeAll(async () => {
    test = await createTestCore();
    await importBtcusdt(test, policy);
  });
  afterAll(() => test.cleanup());

  /** Hours the file has no row for at all: the exchange's own outages, computed from the file alone. */
  const fileHours = new Set(fileBars.map((bar) => hourOf(bar.time)));
  const rejectedHours = new Set(fileBars.filter(isBadOhlc).map((bar) => hourOf(bar.time)));
  const sourceOutages: { from: number; to: number }[] = [];
  const hours = [...fileHours].sort((a, b) => a - b);
  for (let i = 1; i < hours.length; i++) if (hours[i]! - hours[i - 1]! > 3_600_000) sourceOutages.push({ from: hours[i - 1]! + 3_600_000, to: hours[i]! - 3_600_000 });

  it('tells the hours the import rejected from the gaps in the source', async () => {
    const report = await ok(test.core, 'quality.report', { symbol: 'BTCUSDT', timeframe: '1h' });
    if (policy === 'widen') {
      expect(report.rejectedAtImport).toEqual([]);
      expect(report.gaps.every((gap) => gap.rejected === 0)).toBe(true);
      expect(report.repaired).toHaveLength(1_972);
      expect(report.gaps.map(({ from, to }) => ({ from, to }))).toEqual(sourceOutages);
      return;
    }
    // Every rejected row has an hour of its own, so each leaves exactly one bucket empty.
    expect(rejectedHours.size).toBe(1_972);
    expect(report.rejectedAtImport).toHaveLength(1_972);
    expect(new Set(report.rejectedAtImport.map((row) => hourOf(row.time)))).toEqual(rejectedHours);
    expect(report.rejectedAtImport[0]).toEqual({
      time: Date.UTC(2017, 11, 31, 7),
      timeframe: '1h',
      line: 9,
      reason: 'High 12831.31 is below close 12882.17',
      badOhlc: true,
      file: 'btcusdt-1h.csv',
      runId: expect.any(String),
    });
    expect(report.gaps.reduce((sum, gap) => sum + gap.rejected, 0)).toBe(1_972);

    // The gaps the source has are those that are not wholly rejected rows, and they hold every outage of the file.
    const sourceGaps = report.gaps.filter((gap) => gap.rejected < gap.missing);
    const importGaps = report.gaps.filter((gap) => gap.rejected === gap.missing);
    // 1,896 gaps in all, of which the file's 28 outages are the source's; the other 1,868 are rejected rows.
    expect(report.gaps).toHaveLength(1_896);
    expect(sourceGaps).toHaveLength(sourceOutages.length);
    for (const outage of sourceOutages) {
      expect(sourceGaps.some((gap) => gap.from <= outage.from && outage.to <= gap.to), new Date(outage.from).toISOString()).toBe(true);
    }
    for (const gap of importGaps) {
      for (let hour = gap.from; hour <= gap.to; hour += 3_600_000) expect(rejectedHours.has(hour)).toBe(true);
    }
    // A rejected row next to an outage widens that gap (two do) but does not make it the import's.
    expect(sourceGaps.filter((gap) => gap.rejected > 0)).toHaveLength(2);
  });
});

describe('what an import refuses until it is decided', () => {
  let test: TestCore;
  beforeAll(async () => {
    test = await createTestCore();
  });
  afterAll(() => test.cleanup());

  it('refuses a timeframe the row spacing contradicts, saying the spacing', async () => {
    const error = await failure(test.core, 'import.csv', { source: xauusd, symbol: 'XAUUSD', timeframe: '1h' });
    expect(error).toMatchObject({
      code: 'VALIDATION',
      message: 'The rows of xauusd-1d-mt4.csv are 1 day apart, so they are not 1h bars; they look like 1d bars. Choose 1d as the timeframe, or leave it out to use the detected one.',
    });
    const preview = await ok(test.core, 'import.preview', { source: xauusd, symbol: 'XAUUSD', timeframe: '1h' });
    expect(preview.questions).toEqual([{ option: 'timeframe', message: error.message, choices: ['1d'] }]);
    expect(await test.core.storage.marketData.countBars()).toBe(0);
  });

  it('asks whether slash dates are day-first or month-first when no row decides, and imports once told', async () => {
    const source = { kind: 'text' as const, fileName: 'ambiguous.csv', text: 'Date,Close\n01/02/2024,1\n02/02/2024,2\n03/02/2024,3\n' };
    const preview = await ok(test.core, 'import.preview', { source, symbol: 'XAGUSD' });
    expect(preview.detection.dateFormatChoices).toEqual(['MM/DD/YYYY', 'DD/MM/YYYY']);
    expect(preview.questions).toEqual([expect.objectContaining({ option: 'dateFormat', choices: ['MM/DD/YYYY', 'DD/MM/YYYY'] })]);
    const error = await failure(test.core, 'import.csv', { source, symbol: 'XAGUSD', timeframe: '1d' });
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toMatch(/could be "MM\/DD\/YYYY" or "DD\/MM\/YYYY".*Set the mapping option dateFormat/);
    const summary = await ok(test.core, 'import.csv', { source, symbol: 'XAGUSD', mapping: { dateFormat: 'DD/MM/YYYY' } });
    expect(summary).toMatchObject({ timeframe: '1d', inserted: 3, first: Date.UTC(2024, 1, 1) });
  });
});
