import { describe, expect, it } from 'vitest';
import { computeIndicator, toPriceColumns } from '../../../shared/compute-indicators';
import type { Bar, BarSpan } from '../../../shared/domain';
import type { IndicatorSpec } from '../../../shared/indicators';
import {
  MAX_TAIL_UPDATES,
  firstIndexAtOrAfter,
  joinSpans,
  keepIndicators,
  mergePushedBars,
  mergeTail,
  planChartUpdate,
  prependWindow,
  withIndicators,
  type BarWindow,
} from './bar-window';
import { barTimeframes } from './bar-spans';

const DAY = 86_400_000;
const bar = (day: number, close = 100 + day): Bar => ({ time: day * DAY, open: close, high: close + 1, low: close - 1, close, volume: 1 });
const bars = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => bar(from + i));
const sma = { id: 'sma-2', spec: { kind: 'sma' as const, params: { period: 2 } } };
const rsi = { id: 'rsi-3', spec: { kind: 'rsi' as const, params: { period: 3 } } };
const values = (list: readonly Bar[], offset = 0) => list.map((b) => b.time / DAY + offset);
/** An indicator over the bars as the core computes it, NaN as null. */
const computed = (spec: IndicatorSpec, list: readonly Bar[]): (number | null)[] => {
  const { outputs } = computeIndicator(spec, toPriceColumns(list), { timeframe: '1d', instrumentKind: 'spot', firstShown: 0 }, (v) => v);
  return Array.from((outputs as Record<string, Float64Array>).value!, (v) => (Number.isFinite(v) ? v : null));
};

/** One span over the whole list, as a symbol with one stored timeframe answers. */
const spanOver = (list: readonly Bar[], timeframe: BarSpan['timeframe'] = '1d'): BarSpan[] =>
  list.length === 0 ? [] : [{ from: list[0]!.time, to: list.at(-1)!.time, timeframe }];

function window(list: Bar[], withRsi = false, timeframe: BarSpan['timeframe'] = '1d'): BarWindow {
  return {
    bars: list,
    spans: spanOver(list, timeframe),
    indicators: [
      { ...sma, outputs: { value: values(list) } },
      ...(withRsi ? [{ ...rsi, outputs: { value: values(list, 0.5) } }] : []),
    ],
  };
}

describe('firstIndexAtOrAfter', () => {
  it('finds the insertion point by open time', () => {
    const list = bars(10, 14);
    expect(firstIndexAtOrAfter(list, 12 * DAY)).toBe(2);
    expect(firstIndexAtOrAfter(list, 12 * DAY + 1)).toBe(3);
    expect(firstIndexAtOrAfter(list, 0)).toBe(0);
    expect(firstIndexAtOrAfter(list, 99 * DAY)).toBe(5);
  });
});

describe('prependWindow', () => {
  it('puts older bars and their indicator values in front, keeping the shown bars as they are', () => {
    const current = window(bars(10, 12));
    const merged = prependWindow(current, window(bars(5, 9)));
    expect(merged.bars.map((b) => b.time / DAY)).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    expect(merged.bars[5]).toBe(current.bars[0]);
    expect(merged.indicators[0]?.outputs.value).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('drops overlapping older bars and fills an indicator the older page lacks with nulls', () => {
    const current = window(bars(10, 12), true);
    const merged = prependWindow(current, window(bars(8, 11)));
    expect(merged.bars.map((b) => b.time / DAY)).toEqual([8, 9, 10, 11, 12]);
    expect(merged.indicators.map((s) => s.id)).toEqual(['sma-2', 'rsi-3']);
    expect(merged.indicators[1]?.outputs.value).toEqual([null, null, 10.5, 11.5, 12.5]);
  });

  it('returns the window itself when nothing older came', () => {
    const current = window(bars(10, 12));
    expect(prependWindow(current, window([]))).toBe(current);
  });
});

describe('mergeTail', () => {
  it('updates the last bar, appends new ones and keeps unchanged bars by identity', () => {
    const current = window(bars(10, 12));
    const tail = window([bar(12), bar(13)]);
    const merged = mergeTail(current, tail);
    expect(merged.bars.map((b) => b.time / DAY)).toEqual([10, 11, 12, 13]);
    expect(merged.bars[2]).toBe(current.bars[2]);
    expect(merged.indicators[0]?.outputs.value).toEqual([10, 11, 12, 13]);

    const revised = mergeTail(current, window([bar(12, 200)]));
    expect(revised.bars[2]?.close).toBe(200);
    expect(revised.bars[1]).toBe(current.bars[1]);
  });

  it('leaves the window alone for an empty tail', () => {
    const current = window(bars(10, 12));
    expect(mergeTail(current, window([]))).toBe(current);
  });
});

describe('withIndicators and keepIndicators', () => {
  it('attaches indicators computed over the same bars and refuses misaligned ones', () => {
    const current = window(bars(10, 12));
    const extra: BarWindow = { bars: bars(10, 12), spans: spanOver(bars(10, 12)), indicators: [{ ...rsi, outputs: { value: [1, 2, 3] } }] };
    const merged = withIndicators(current, extra);
    expect(merged?.bars).toBe(current.bars);
    expect(merged?.indicators.map((s) => s.id)).toEqual(['sma-2', 'rsi-3']);
    expect(withIndicators(current, { ...extra, bars: bars(11, 13) })).toBeNull();
    expect(withIndicators(current, { ...extra, bars: bars(10, 13) })).toBeNull();
  });

  it('drops removed indicators and returns the same window when nothing goes', () => {
    const current = window(bars(10, 12), true);
    expect(keepIndicators(current, new Set(['rsi-3'])).indicators.map((s) => s.id)).toEqual(['rsi-3']);
    expect(keepIndicators(current, new Set(['rsi-3', 'sma-2']))).toBe(current);
  });
});

describe('planChartUpdate', () => {
  const shown = bars(10, 20);

  it('does nothing when the bars are the same', () => {
    expect(planChartUpdate(shown, shown)).toEqual({ kind: 'none' });
    expect(planChartUpdate(shown, [...shown])).toEqual({ kind: 'none' });
  });

  it('shifts the view by the number of bars a prepend added', () => {
    expect(planChartUpdate(shown, prependWindow(window(shown), window(bars(0, 9))).bars)).toEqual({ kind: 'prepend', added: 10 });
  });

  it('updates from the last shown bar on for a tail', () => {
    const next = mergeTail(window(shown), window([bar(20, 500), bar(21)])).bars;
    expect(planChartUpdate(shown, next)).toEqual({ kind: 'tail', from: 10 });
    expect(planChartUpdate(shown, mergeTail(window(shown), window([bar(20), bar(21)])).bars)).toEqual({ kind: 'tail', from: 11 });
  });

  it('replaces when older bars changed, bars went missing, the tail is long or the data is another series', () => {
    expect(planChartUpdate(shown, mergeTail(window(shown), window([bar(18, 1), bar(19), bar(20)])).bars)).toEqual({ kind: 'replace' });
    expect(planChartUpdate(shown, shown.slice(0, 5))).toEqual({ kind: 'replace' });
    expect(planChartUpdate(shown, [...shown, ...bars(21, 21 + MAX_TAIL_UPDATES)])).toEqual({ kind: 'replace' });
    expect(planChartUpdate(shown, bars(10, 20))).toEqual({ kind: 'replace' });
    expect(planChartUpdate([], shown)).toEqual({ kind: 'replace' });
  });
});

describe('mergePushedBars', () => {
  const shown = (list: Bar[], over: Partial<{ timeframe: '1d' | '1h'; sourceTimeframe: '1d' | '1h' | '1m' | null }> = {}) => ({
    bars: list,
    spans: spanOver(list),
    indicators: [],
    timeframe: '1d' as const,
    sourceTimeframe: '1d' as const,
    ...over,
  });

  it('appends new bars and replaces the forming last bar, keeping unchanged bars as the same objects', () => {
    const current = shown(bars(10, 12));
    const merged = mergePushedBars(current, { timeframe: '1d', bars: [bar(12, 200), bar(13)] }, 'spot');
    expect(merged?.window.bars.map((b) => [b.time / DAY, b.close])).toEqual([
      [10, 110],
      [11, 111],
      [12, 200],
      [13, 113],
    ]);
    expect(merged?.window.bars[1]).toBe(current.bars[1]);
    expect(merged?.exact).toBe(true);
    expect(planChartUpdate(current.bars, merged!.window.bars)).toEqual({ kind: 'tail', from: 2 });
  });

  it('folds finer bars into the last bar or the next, and says the core is to be asked again', () => {
    const HOUR = 3_600_000;
    const MINUTE = 60_000;
    const hour = (h: number, close: number): Bar => ({ time: h * HOUR, open: close, high: close + 1, low: close - 1, close, volume: 10 });
    const minute = (h: number, m: number, close: number, high = close, low = close): Bar => ({ time: h * HOUR + m * MINUTE, open: close, high, low, close, volume: 2 });
    const current = shown([hour(1, 100), hour(2, 101)], { timeframe: '1h', sourceTimeframe: '1m' });
    const merged = mergePushedBars(current, { timeframe: '1m', bars: [minute(2, 59, 105, 106, 104), minute(3, 0, 107), minute(3, 1, 98)] }, 'spot');
    expect(merged?.exact).toBe(false);
    expect(merged?.window.bars).toEqual([
      hour(1, 100),
      { time: 2 * HOUR, open: 101, high: 106, low: 100, close: 105, volume: 12 },
      { time: 3 * HOUR, open: 107, high: 107, low: 98, close: 98, volume: 4 },
    ]);
    expect(merged?.window.spans.at(-1)).toEqual({ from: 2 * HOUR, to: 3 * HOUR, timeframe: '1m' });
  });

  it('computes the indicators at the changed bars with the core’s maths, exact once their warm-up is in the window', () => {
    const list = bars(1, 80);
    const smaSeries = { ...sma, outputs: { value: computed(sma.spec, list) } };
    const rsiSeries = { ...rsi, outputs: { value: computed(rsi.spec, list) } };
    const pushed = [bar(80, 170), bar(81, 150)];
    const merged = mergePushedBars({ ...shown(list), indicators: [smaSeries, rsiSeries] }, { timeframe: '1d', bars: pushed }, 'spot');
    const all = [...list.slice(0, -1), ...pushed];
    expect(merged?.window.indicators[0]?.outputs.value).toEqual(computed(sma.spec, all));
    expect(merged?.window.indicators[1]?.outputs.value).toEqual(computed(rsi.spec, all));
    expect(merged?.exact).toBe(true);
    const short = mergePushedBars({ ...shown(bars(78, 80)), indicators: [{ ...rsiSeries, outputs: { value: [null, null, null] } }] }, { timeframe: '1d', bars: [bar(81)] }, 'spot');
    expect(short?.exact).toBe(false);
  });

  it('asks for a re-read when only the core can say what the chart would show', () => {
    const pushed = { timeframe: '1d' as const, bars: [bar(13)] };
    expect(mergePushedBars(shown(bars(10, 12), { sourceTimeframe: '1h' }), pushed, 'spot')).toBeNull();
    expect(mergePushedBars(shown(bars(10, 12), { timeframe: '1h', sourceTimeframe: '1d' }), pushed, 'spot')).toBeNull();
    expect(mergePushedBars(shown([]), pushed, 'spot')).toBeNull();
    expect(mergePushedBars(shown(bars(10, 12)), { timeframe: '1d', bars: [bar(9), bar(13)] }, 'spot')).toBeNull();
  });
});

describe('spans of stored timeframes', () => {
  const span = (from: number, to: number, timeframe: BarSpan['timeframe']): BarSpan => ({ from: from * DAY, to: to * DAY, timeframe });

  it('joins older daily bars in front of hourly-built days, cutting what the window replaces', () => {
    const current = window(bars(10, 14), false, '1h');
    const older = window(bars(5, 11), false, '1d');
    const merged = prependWindow(current, { ...older, spans: [span(5, 9, '1d'), span(10, 11, '1h')] });
    expect(merged.spans).toEqual([span(5, 9, '1d'), span(10, 14, '1h')]);
    const storedAs = barTimeframes(merged.bars, merged.spans);
    expect(storedAs[firstIndexAtOrAfter(merged.bars, 7 * DAY)]).toBe('1d');
    expect(storedAs[firstIndexAtOrAfter(merged.bars, 12 * DAY)]).toBe('1h');
  });

  it('takes the tail’s spans from its first bar on, and extends the last span with pushed bars', () => {
    const current = { ...window(bars(10, 14)), spans: [span(10, 11, '1d'), span(12, 14, '1h')] };
    const tail = { ...window(bars(13, 16)), spans: [span(13, 13, '1h'), span(14, 16, '1d')] };
    expect(mergeTail(current, tail).spans).toEqual([span(10, 11, '1d'), span(12, 13, '1h'), span(14, 16, '1d')]);
    const pushed = mergePushedBars({ ...window(bars(10, 12)), indicators: [], timeframe: '1d', sourceTimeframe: '1d' }, { timeframe: '1d', bars: [bar(12, 150), bar(13)] }, 'spot');
    expect(pushed?.window.spans).toEqual([span(10, 13, '1d')]);
  });

  it('merges neighbours of one timeframe and keeps nothing of a page that adds no bar', () => {
    expect(joinSpans([span(1, 3, '1d')], 4 * DAY, 3 * DAY, [span(4, 6, '1d')])).toEqual([span(1, 6, '1d')]);
    expect(joinSpans([span(1, 3, '1d')], 1 * DAY, undefined, [span(1, 6, '1h')])).toEqual([span(1, 6, '1h')]);
  });
});
