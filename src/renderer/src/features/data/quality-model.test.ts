import { describe, expect, it } from 'vitest';
import type { QualityRepairResult } from '../../../../shared/quality';
import { completeness, describeFilledBy, describeRepair, qualitySeries } from './quality-model';

describe('qualitySeries', () => {
  it('merges sources and orders timeframes finest first', () => {
    const row = (symbol: string, timeframe: '1h' | '1d' | '1m', source: string) => ({ symbol, timeframe, source, first: 0, last: 1, count: 2 });
    expect(qualitySeries([row('XAUUSD', '1d', 'csv'), row('BTCUSD', '1h', 'polygon'), row('XAUUSD', '1m', 'polygon'), row('XAUUSD', '1d', 'polygon')])).toEqual([
      { symbol: 'BTCUSD', timeframes: ['1h'] },
      { symbol: 'XAUUSD', timeframes: ['1m', '1d'] },
    ]);
  });
});

describe('completeness', () => {
  it('rounds down so an incomplete series never shows 100%', () => {
    expect(completeness(9_999, 10_000)).toBe('99.9%');
    expect(completeness(10, 10)).toBe('100.0%');
    expect(completeness(0, 0)).toBeNull();
  });
});

describe('repair text', () => {
  const result: QualityRepairResult = {
    runId: 'j', jobId: 'j',
    symbol: 'BTCUSD',
    timeframe: '1h',
    storedTimeframe: '1h',
    filled: 12,
    rejected: 0,
    remaining: 1,
    gaps: [
      { from: 0, to: 1, missing: 12, filled: 12, filledBy: [{ provider: 'polygon', bars: 10 }, { provider: 'twelvedata', bars: 2 }], notes: [] },
      { from: 2, to: 3, missing: 3, filled: 0, filledBy: [], notes: ['yahoo: no data in the window'] },
    ],
  };

  it('names who filled each gap', () => {
    const names: Record<string, string> = { polygon: 'Polygon', twelvedata: 'Twelve Data' };
    expect(describeFilledBy(result.gaps[0]!, (id) => names[id] ?? id)).toBe('Polygon 10, Twelve Data 2');
    expect(describeFilledBy(result.gaps[1]!, (id) => id)).toBe('');
  });

  it('sums the repair up', () => {
    expect(describeRepair(result)).toBe('Filled 12 bars in 2 gaps; 1 stays open.');
    expect(describeRepair({ ...result, filled: 1, remaining: 0, rejected: 3 })).toBe(
      'Filled 1 bar in 2 gaps; all are closed. 3 bars from providers failed validation and were not stored.',
    );
    expect(describeRepair({ ...result, gaps: result.gaps.slice(1), filled: 0, remaining: 1 })).toBe('Filled 0 bars in 1 gap; it stays open.');
  });
});
