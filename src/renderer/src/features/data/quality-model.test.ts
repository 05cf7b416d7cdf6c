import { describe, expect, it } from 'vitest';
import type { QualityRepairResult, RejectedRow, RepairedBar, ReportedGap } from '../../../../shared/quality';
import {
  completeness,
  describeFilledBy,
  describeRejectedAtImport,
  describeRepair,
  describeRepaired,
  describeSingles,
  gapRows,
  qualitySeries,
  splitGaps,
} from './quality-model';

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

describe('the gaps table', () => {
  const gap = (from: number, missing: number, rejected = 0): ReportedGap => ({ from, to: from + missing - 1, missing, rejected });
  const gaps = [gap(10, 1, 1), gap(20, 3), gap(30, 1), gap(40, 33, 2), gap(80, 1), gap(90, 3, 3)];

  it('tells gaps the import made (every missing bar a rejected row) from the source’s, even where rows were rejected next to an outage', () => {
    const { source, rejected } = splitGaps(gaps);
    expect(source.map((g) => g.from)).toEqual([20, 30, 40, 80]);
    expect(rejected.map((g) => g.from)).toEqual([10, 90]);
  });

  it('folds the single missing bars into one row at the end, whatever the order', () => {
    const { source } = splitGaps(gaps);
    expect(gapRows(source, 'time')).toEqual([
      { kind: 'gap', gap: gap(20, 3) },
      { kind: 'gap', gap: gap(40, 33, 2) },
      { kind: 'singles', gaps: [gap(30, 1), gap(80, 1)] },
    ]);
    expect(gapRows(source.slice(0, 2), 'time')).toEqual([{ kind: 'gap', gap: gap(20, 3) }, { kind: 'singles', gaps: [gap(30, 1)] }]);
    expect(gapRows([], 'length')).toEqual([]);
    expect(describeSingles(1_777)).toBe('1,777 single missing bars');
    expect(describeSingles(1)).toBe('1 single missing bar');
  });

  it('sorts longest first, ties oldest first, without changing the reply', () => {
    const rows = gapRows([gap(5, 2), gap(50, 7), gap(1, 2), gap(9, 1)], 'length');
    expect(rows.map((row) => (row.kind === 'gap' ? row.gap.from : 'singles'))).toEqual([50, 1, 5, 'singles']);
    expect(gapRows([gap(50, 7), gap(5, 2)], 'time').map((row) => (row.kind === 'gap' ? row.gap.from : null))).toEqual([5, 50]);
  });
});

describe('rows rejected and bars repaired at import', () => {
  const row = (time: number, badOhlc: boolean, file = 'btcusdt-1h.csv'): RejectedRow => ({
    time,
    timeframe: '1h',
    line: time + 2,
    reason: badOhlc ? 'High 2 is below close 3' : 'Volume "-5" is negative',
    badOhlc,
    file,
    runId: 'r',
  });

  it('counts the rows, the gaps they leave, and gives the policy that would keep them', () => {
    expect(describeRejectedAtImport([row(1, true), row(2, true)], 1)).toBe(
      '2 rows of btcusdt-1h.csv were rejected at import, leaving 1 gap the source does not have. Their high and low do not enclose open and close: re-import with badOhlc “widen” to store them widened, or “keep” to store them as written.',
    );
    expect(describeRejectedAtImport([row(1, true), row(2, false, 'b.csv')], 0)).toBe(
      '2 rows of btcusdt-1h.csv, b.csv were rejected at import. 1 of them has a high and low that do not enclose open and close: re-import with badOhlc “widen” to store them widened, or “keep” to store them as written.',
    );
    expect(describeRejectedAtImport([row(1, false)], 1)).toBe('1 row of btcusdt-1h.csv was rejected at import, leaving 1 gap the source does not have.');
  });

  it('says how many bars each policy changed', () => {
    const bar = (policy: 'widen' | 'keep'): RepairedBar => ({ time: 0, timeframe: '1h', policy, change: 'x', runId: 'r' });
    expect(describeRepaired([bar('widen'), bar('widen')])).toBe('2 widened');
    expect(describeRepaired([bar('widen'), bar('keep')])).toBe('1 widened, 1 kept as written');
  });
});
