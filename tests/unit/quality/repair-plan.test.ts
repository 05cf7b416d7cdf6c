import { describe, expect, it } from 'vitest';
import { cryptoCalendar, metalsCalendar } from '../../../src/core/quality/market-calendar';
import { historyStart, mergeGapWindows, orderRepairProviders, selectRepairTargets } from '../../../src/core/quality/repair-plan';
import type { ProviderCapabilities } from '../../../src/core/providers/types';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('orderRepairProviders', () => {
  it('puts the source that stored most of the series first, then the rest in their usual order', () => {
    expect(
      orderRepairProviders([
        { source: 'polygon', count: 10 },
        { source: 'twelvedata', count: 900 },
        { source: 'csv', count: 5000 },
      ]),
    ).toEqual(['twelvedata', 'polygon', 'yahoo', 'metalsapi']);
  });

  it('adds up a source over several coverage rows and keeps the usual order without any stored bars', () => {
    expect(orderRepairProviders([{ source: 'metalsapi', count: 3 }, { source: 'yahoo', count: 2 }, { source: 'yahoo', count: 2 }])[0]).toBe('yahoo');
    expect(orderRepairProviders([])).toEqual(['yahoo', 'polygon', 'twelvedata', 'metalsapi']);
  });
});

describe('mergeGapWindows', () => {
  const span = (start: number, end: number) => ({ start, end });

  it('merges gaps while one request can carry them, in time order', () => {
    const windows = mergeGapWindows([span(50, 60), span(0, 10), span(20, 30), span(95, 100)], 60);
    expect(windows.map(({ start, end }) => [start, end])).toEqual([
      [0, 60],
      [95, 100],
    ]);
    expect(windows[0]!.spans).toEqual([span(0, 10), span(20, 30), span(50, 60)]);
  });

  it('keeps a gap longer than one request as its own window, for the adapter to page', () => {
    expect(mergeGapWindows([span(0, 500), span(510, 520)], 100).map(({ start, end }) => [start, end])).toEqual([
      [0, 500],
      [510, 520],
    ]);
  });

  it('absorbs a span inside the window so far', () => {
    expect(mergeGapWindows([span(0, 50), span(10, 20)], 60).map(({ start, end }) => [start, end])).toEqual([[0, 50]]);
  });
});

describe('historyStart', () => {
  const capabilities = { historyDepthDays: { '1m': 30, '1d': null } } as unknown as ProviderCapabilities;
  const now = Date.UTC(2025, 1, 20, 12, 0, 30);

  it('counts the depth back from now, on a bar boundary', () => {
    expect(historyStart(capabilities, '1m', now)).toBe(Date.UTC(2025, 0, 21, 12, 1));
  });

  it('has no start for full history or an undocumented depth', () => {
    expect(historyStart(capabilities, '1d', now)).toBe(Number.NEGATIVE_INFINITY);
    expect(historyStart(capabilities, '1h', now)).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe('selectRepairTargets', () => {
  const monday = Date.UTC(2025, 1, 10);
  const found = [
    { from: monday + 10 * HOUR, to: monday + 11 * HOUR, missing: 61 },
    { from: monday + 14 * HOUR, to: monday + 14 * HOUR + 4 * MINUTE, missing: 5 },
  ];

  it('takes every gap found when none is named', () => {
    expect(selectRepairTargets(found, undefined, '1m', metalsCalendar)).toEqual(found);
  });

  it('clips found gaps to the named ones and counts what the calendar expects in the part', () => {
    expect(selectRepairTargets(found, [{ from: monday + 10 * HOUR + 30 * MINUTE, to: monday + 14 * HOUR + 1 * MINUTE + 20_000 }], '1m', metalsCalendar)).toEqual([
      { from: monday + 10 * HOUR + 30 * MINUTE, to: monday + 11 * HOUR, missing: 31 },
      { from: monday + 14 * HOUR, to: monday + 14 * HOUR + 1 * MINUTE, missing: 2 },
    ]);
  });

  it('does not count market closures inside a clipped part', () => {
    // A crypto-calendar gap over a weekend, clipped to Saturday: all of it counts; the metals calendar counts none of it.
    const saturday = Date.UTC(2025, 1, 15);
    const weekend = [{ from: saturday, to: saturday + 2 * DAY - HOUR, missing: 47 }];
    const named = [{ from: saturday, to: saturday + 23 * HOUR }];
    expect(selectRepairTargets(weekend, named, '1h', cryptoCalendar)).toEqual([{ from: saturday, to: saturday + 23 * HOUR, missing: 24 }]);
    expect(selectRepairTargets(weekend, named, '1h', metalsCalendar)).toEqual([{ from: saturday, to: saturday + 23 * HOUR, missing: 0 }]);
  });

  it('answers a named gap that is no longer missing with missing: 0', () => {
    expect(selectRepairTargets(found, [{ from: monday, to: monday + 5 * MINUTE }], '1m', metalsCalendar)).toEqual([
      { from: monday, to: monday + 5 * MINUTE, missing: 0 },
    ]);
  });
});
