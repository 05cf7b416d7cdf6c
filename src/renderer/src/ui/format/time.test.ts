import { describe, expect, it } from 'vitest';
import { dateInputToEpoch, formatBarTime, formatDuration, formatUtcDate, fromChartTime, toChartTime } from './time';

describe('toChartTime', () => {
  it('converts milliseconds to whole seconds, including pre-1970 history', () => {
    expect(toChartTime(Date.UTC(2024, 2, 15, 14, 30))).toBe(1_710_513_000);
    const goldIn1900 = Date.UTC(1900, 0, 1);
    expect(toChartTime(goldIn1900)).toBe(-2_208_988_800);
    expect(fromChartTime(toChartTime(goldIn1900))).toBe(goldIn1900);
  });

  it('keeps sub-second times ordered by rounding towards the past', () => {
    expect(toChartTime(-1500)).toBe(-2);
    expect(toChartTime(1500)).toBe(1);
  });
});

describe('formatBarTime', () => {
  const t = Date.UTC(2024, 2, 4, 9, 5);
  it('shows minutes for intraday bars, days for daily and weekly, months for monthly', () => {
    expect(formatBarTime(t, '1m')).toBe('2024-03-04 09:05');
    expect(formatBarTime(t, '4h')).toBe('2024-03-04 09:05');
    expect(formatBarTime(t, '1d')).toBe('2024-03-04');
    expect(formatBarTime(t, '1w')).toBe('2024-03-04');
    expect(formatBarTime(t, '1M')).toBe('2024-03');
  });

  it('formats dates before 1970 in UTC', () => {
    expect(formatUtcDate(Date.UTC(1833, 0, 1))).toBe('1833-01-01');
    expect(formatBarTime(Date.UTC(1968, 11, 1), '1M')).toBe('1968-12');
  });
});

describe('formatDuration', () => {
  it('rounds to seconds, minutes or hours and minutes', () => {
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(-5)).toBe('0 s');
    expect(formatDuration(3 * 60_000 + 20_000)).toBe('3 min');
    expect(formatDuration(2 * 3_600_000)).toBe('2 h');
    expect(formatDuration(65 * 60_000)).toBe('1 h 5 min');
  });
});

describe('dateInputToEpoch', () => {
  it('reads the date input as UTC midnight, and nothing else', () => {
    expect(dateInputToEpoch('2020-01-02')).toBe(Date.UTC(2020, 0, 2));
    expect(dateInputToEpoch('')).toBeUndefined();
    expect(dateInputToEpoch('2020-1-2')).toBeUndefined();
    expect(dateInputToEpoch('2021-02-31')).toBeUndefined();
    expect(dateInputToEpoch('12/31/2020')).toBeUndefined();
  });
});
