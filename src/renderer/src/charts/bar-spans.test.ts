import { describe, expect, it } from 'vitest';
import type { Bar, BarSpan } from '../../../shared/domain';
import { barTimeframes, sourceLine } from './bar-spans';
import { seamsOf } from './span-seams';

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
      { before: 3 * DAY, after: 4 * DAY, timeframe: '1h' },
      { before: 5 * DAY, after: 6 * DAY, timeframe: '1d' },
    ]);
    expect(seamsOf([span(1, 3, '1d')])).toEqual([]);
  });

  it('names every stored timeframe the header shows, and never only the newest', () => {
    expect(sourceLine(spans, '1d', '1d')).toBe('from 1d and 1h bars');
    expect(sourceLine([span(1, 3, '1M'), span(4, 5, '1d'), span(6, 7, '1w')], '1w', '1M')).toBe('from 1M, 1d and 1w bars');
    expect(sourceLine([span(1, 3, '1h')], '1h', '1d')).toBe('aggregated from 1h');
    expect(sourceLine([span(1, 3, '1d')], '1d', '1d')).toBe('stored as 1d');
    expect(sourceLine([], '1m', '1h')).toBe('aggregated from 1m');
  });
});
