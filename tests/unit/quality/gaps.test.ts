import { describe, expect, it } from 'vitest';
import { findGaps, scanWindow } from '../../../src/core/quality/gaps';
import { cryptoCalendar, metalsCalendar, nyseCalendar } from '../../../src/core/quality/market-calendar';
import type { Bar } from '../../../src/shared/domain';
import type { Timeframe } from '../../../src/shared/timeframes';

const HOUR = 3_600_000;
const utc = (iso: string) => Date.parse(`${iso}Z`);
const bar = (time: number): Bar => ({ time, open: 1, high: 1, low: 1, close: 1, volume: 0 });

/** One bar per bucket in [from, to) that the filter keeps. */
function series(from: number, to: number, step: number, keep: (time: number) => boolean = () => true): Bar[] {
  const bars: Bar[] = [];
  for (let t = from; t < to; t += step) if (keep(t)) bars.push(bar(t));
  return bars;
}

/** Hourly bars wherever the calendar trades, as a complete feed would deliver them. */
const tradedHours = (from: string, to: string, calendar = metalsCalendar, timeframe: Timeframe = '1h') =>
  series(utc(from), utc(to), HOUR, (t) => calendar.isTradingBar(t, timeframe));

describe('findGaps', () => {
  it('finds a missing hour in mid-week', () => {
    const hole = utc('2024-07-10T14:00');
    const bars = tradedHours('2024-07-08T00:00', '2024-07-12T00:00').filter((b) => b.time !== hole);
    expect(findGaps(bars, '1h', metalsCalendar).gaps).toEqual([{ from: hole, to: hole, missing: 1 }]);
  });

  it('does not count the weekend or the daily break for metals', () => {
    const bars = tradedHours('2024-07-10T00:00', '2024-07-17T00:00');
    const scan = findGaps(bars, '1h', metalsCalendar);
    expect(scan.gaps).toEqual([]);
    expect(scan.expected).toBe(bars.length);
  });

  it('reports the same weekend as one gap for crypto', () => {
    const bars = tradedHours('2024-07-10T00:00', '2024-07-17T00:00');
    const { gaps } = findGaps(bars, '1h', cryptoCalendar);
    // Friday 21:00 UTC (17:00 New York) to Sunday 21:00 UTC, plus four daily breaks of one hour.
    const weekend = gaps.find((g) => g.missing > 1);
    expect(weekend).toEqual({ from: utc('2024-07-12T21:00'), to: utc('2024-07-14T21:00'), missing: 49 });
    expect(gaps.filter((g) => g.missing === 1)).toHaveLength(4);
  });

  it('keeps a hole across a weekend as one gap of its trading buckets only', () => {
    const bars = series(utc('2024-07-01'), utc('2024-07-31'), 24 * HOUR, (t) => {
      const day = new Date(t).getUTCDay();
      return day !== 0 && day !== 6 && (t < utc('2024-07-11') || t >= utc('2024-07-23'));
    });
    // Thursday 11 to Monday 22 July: 8 weekdays, the weekends in between not counted.
    expect(findGaps(bars, '1d', metalsCalendar).gaps).toEqual([{ from: utc('2024-07-11T00:00'), to: utc('2024-07-22T00:00'), missing: 8 }]);
  });

  it('lets a late bar (:05) cover its hour and does not count the edges of the range', () => {
    const bars = series(utc('2024-07-13T00:05'), utc('2024-07-13T12:00'), HOUR, (t) => t !== utc('2024-07-13T05:05'));
    const scan = findGaps(bars, '1h', cryptoCalendar);
    expect(scan.gaps).toEqual([{ from: utc('2024-07-13T05:00'), to: utc('2024-07-13T05:00'), missing: 1 }]);
    expect(scan.expected).toBe(12);
  });

  it('expects only NYSE session buckets for stocks, and months for 1M', () => {
    const bars = tradedHours('2024-03-25T00:00', '2024-04-02T00:00', nyseCalendar);
    // Good Friday 29 March is a holiday, not a gap.
    expect(bars.some((b) => new Date(b.time).getUTCDate() === 29)).toBe(false);
    expect(findGaps(bars, '1h', nyseCalendar).gaps).toEqual([]);
    const months = [utc('2024-01-01'), utc('2024-02-01'), utc('2024-04-01')].map(bar);
    expect(findGaps(months, '1M', nyseCalendar)).toEqual({ expected: 4, gaps: [{ from: utc('2024-03-01'), to: utc('2024-03-01'), missing: 1 }] });
  });

  it('reports nothing for no bars', () => {
    expect(findGaps([], '1h', cryptoCalendar)).toEqual({ expected: 0, gaps: [] });
  });
});

describe('scanWindow', () => {
  const stored = { first: utc('2024-07-01T00:05'), last: utc('2024-07-31T10:05') };

  it('spans the stored history when no range is asked for, from the buckets holding its first and last bars', () => {
    expect(scanWindow('1h', {}, stored)).toEqual({ first: utc('2024-07-01T00:00'), last: utc('2024-07-31T10:00') });
  });

  it('reads the range as bars.query does: buckets opening within it', () => {
    expect(scanWindow('1h', { from: utc('2024-07-10T03:30'), to: utc('2024-07-10T08:30') }, stored)).toEqual({
      first: utc('2024-07-10T04:00'),
      last: utc('2024-07-10T08:00'),
    });
    expect(scanWindow('1d', { from: utc('2024-07-10T00:00') }, stored)).toEqual({ first: utc('2024-07-10'), last: utc('2024-07-31') });
  });

  it('is undefined when the range misses the stored history', () => {
    expect(scanWindow('1h', { from: utc('2024-08-01T00:00') }, stored)).toBeUndefined();
    expect(scanWindow('1h', { to: utc('2024-06-30T00:00') }, stored)).toBeUndefined();
  });

  it('lets findGaps count a window that holds no bar', () => {
    const window = scanWindow('1h', { from: utc('2024-07-10T00:00'), to: utc('2024-07-10T02:00') }, stored)!;
    expect(findGaps([], '1h', cryptoCalendar, window)).toEqual({ expected: 3, gaps: [{ from: utc('2024-07-10T00:00'), to: utc('2024-07-10T02:00'), missing: 3 }] });
  });
});
