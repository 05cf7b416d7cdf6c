import { describe, expect, it } from 'vitest';
import type { Bar, BarSpan } from '../../../shared/domain';
import { barTimeframes, sourceLine } from './bar-spans';
import { holeInWindow, holesOf, seamsOf } from './span-seams';

const DAY = 86_400_000;
const bar = (day: number): Bar => ({ time: day * DAY, open: 1, high: 1, low: 1, close: 1, volume: 0 });
const span = (from: number, to: number, timeframe: BarSpan['timeframe']): BarSpan => ({ from: from * DAY, to: to * DAY, timeframe });

describe('bar spans on the chart', () => {
  const spans = [span(1, 3, '1d'), span(4, 5, '1h'), span(6, 6, '1d')];

  it('gives each bar the stored timeframe of its span', () => {
    expect(barTimeframes([1, 2, 3, 4, 5, 6].map(bar), spans)).toEqual(['1d', '1d', '1d', '1h', '1h', '1d']);
    expect(barTimeframes([bar(0), bar(7)], spans)).toEqual([undefined, undefined]);
  });

  it('puts a seam between the last bar of a span and the first of the next', () => {
    expect(seamsOf(spans)).toEqual([
      { kind: 'seam', before: 3 * DAY, after: 4 * DAY, label: '1h →' },
      { kind: 'seam', before: 5 * DAY, after: 6 * DAY, label: '1d →' },
    ]);
    expect(seamsOf([span(1, 3, '1d')])).toEqual([]);
  });

  it('marks holes longer than a long weekend and three bars, and says which indicator windows reach across them', () => {
    // The gold history: 2025-07-11, then nothing until 2025-09-30; before it a weekend and a long 4 July weekend.
    const days = ['2025-07-03', '2025-07-07', '2025-07-08', '2025-07-11', '2025-09-30', '2025-10-01'].map((day) => ({ time: Date.parse(`${day}T00:00:00Z`) }));
    const holes = holesOf(days, '1d');
    expect(holes).toEqual([{ kind: 'hole', before: days[3]!.time, after: days[4]!.time, label: '81-day gap' }]);
    expect(holesOf(days, '1M')).toEqual([]);
    expect(holeInWindow(days, holes, 5, 3)).toContain('81-day gap');
    expect(holeInWindow(days, holes, 5, 2)).toBeUndefined();
    expect(holeInWindow(days, holes, 3, 4)).toBeUndefined();
  });

  it('names every stored timeframe the header shows, and never only the newest', () => {
    expect(sourceLine(spans, '1d', '1d')).toBe('from 1d and 1h bars');
    expect(sourceLine([span(1, 3, '1M'), span(4, 5, '1d'), span(6, 7, '1w')], '1w', '1M')).toBe('from 1M, 1d and 1w bars');
    expect(sourceLine([span(1, 3, '1h')], '1h', '1d')).toBe('aggregated from 1h');
    expect(sourceLine([span(1, 3, '1d')], '1d', '1d')).toBe('stored as 1d');
    expect(sourceLine([], '1m', '1h')).toBe('aggregated from 1m');
  });
});
