import { computeIndicator, toPriceColumns, warmUpBars } from '../../../shared/compute-indicators';
import type { Bar, BarSpan, Instrument } from '../../../shared/domain';
import type { IndicatorSpec } from '../../../shared/indicators';
import { bucketStart, canAggregate, type Timeframe } from '../../../shared/timeframes';

/** One value per bar of the window, null during warm-up. */
export type IndicatorValues = readonly (number | null)[];

export interface IndicatorSeriesData {
  /** Identity on the chart (see indicatorId). */
  id: string;
  spec: IndicatorSpec;
  /** Output name → values aligned with the window's bars. */
  outputs: Readonly<Record<string, IndicatorValues>>;
}

/** The contiguous run of bars a chart holds, with every indicator aligned to it. */
export interface BarWindow {
  bars: readonly Bar[];
  indicators: readonly IndicatorSeriesData[];
  /** Which stored timeframe built which bars, oldest first, as the core answered. */
  spans: readonly BarSpan[];
}

/**
 * The spans of `before` that end before `time`, cut there, followed by `after`; neighbours
 * from the same stored timeframe become one span.
 */
export function joinSpans(before: readonly BarSpan[], time: number, lastBefore: number | undefined, after: readonly BarSpan[]): BarSpan[] {
  const joined: BarSpan[] = [];
  const push = (span: BarSpan) => {
    const last = joined.at(-1);
    if (last && last.timeframe === span.timeframe) joined[joined.length - 1] = { ...last, to: span.to };
    else joined.push(span);
  };
  for (const span of before) {
    if (span.from >= time || lastBefore === undefined) break;
    push(span.to < time ? span : { ...span, to: lastBefore });
  }
  for (const span of after) push(span);
  return joined;
}

/** Exactly `length` values of `values` from `start`, padded with nulls where the source is short. */
function alignedValues(values: IndicatorValues | undefined, start: number, length: number): (number | null)[] {
  return Array.from({ length }, (_, i) => values?.[start + i] ?? null);
}

function mapOutputs(
  series: IndicatorSeriesData,
  build: (name: string, values: IndicatorValues) => IndicatorValues,
): IndicatorSeriesData {
  const outputs: Record<string, IndicatorValues> = {};
  for (const [name, values] of Object.entries(series.outputs)) outputs[name] = build(name, values);
  return { ...series, outputs };
}

function sameBar(a: Bar, b: Bar): boolean {
  return a.time === b.time && a.open === b.open && a.high === b.high && a.low === b.low && a.close === b.close && a.volume === b.volume;
}

/**
 * A chart's bars (open times, oldest first) with the nominal length of one bar, for times past
 * either end; what chart sync and drawings place times on the bar axis with.
 */
export interface BarTimeline {
  bars: readonly { time: number }[];
  barMs: number;
}

/** Index of the last bar opening at or before `time`, or -1 when the first opens later. */
export function lastIndexAtOrBefore(bars: readonly { time: number }[], time: number): number {
  let low = 0;
  let high = bars.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (bars[middle]!.time <= time) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}

/** Index of the first bar opening at or after `time` (bars.length when none does). */
export function firstIndexAtOrAfter(bars: readonly Bar[], time: number): number {
  let low = 0;
  let high = bars.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (bars[middle]!.time < time) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Older history in front of the window. Bars of `older` that overlap the window are dropped
 * (the window's own are newer information); indicators keep the window's set, taking their
 * older values from `older` by id — an indicator `older` lacks gets nulls rather than values
 * computed over another span.
 */
export function prependWindow(current: BarWindow, older: BarWindow): BarWindow {
  const first = current.bars[0];
  const kept = first === undefined ? older.bars.length : firstIndexAtOrAfter(older.bars, first.time);
  if (kept === 0) return current;
  const firstShown = current.bars[0]?.time ?? Infinity;
  return {
    bars: [...older.bars.slice(0, kept), ...current.bars],
    spans: joinSpans(older.spans, firstShown, older.bars[kept - 1]?.time, current.spans),
    indicators: current.indicators.map((series) => {
      const match = older.indicators.find((o) => o.id === series.id);
      return mapOutputs(series, (name, values) => [...alignedValues(match?.outputs[name], 0, kept), ...values]);
    }),
  };
}

/**
 * Newer bars over the end of the window (a re-query from the last shown bar on, or bars pushed
 * by the core). Bars from the tail's first time on are taken from `tail`; those that did not
 * change keep their object, so the chart can tell exactly which bars to update.
 */
export function mergeTail(current: BarWindow, tail: BarWindow): BarWindow {
  const start = tail.bars[0];
  if (start === undefined) return current;
  const cut = firstIndexAtOrAfter(current.bars, start.time);
  const bars = current.bars.slice(0, cut);
  tail.bars.forEach((bar, i) => {
    const previous = current.bars[cut + i];
    bars.push(previous !== undefined && sameBar(previous, bar) ? previous : bar);
  });
  return {
    bars,
    spans: joinSpans(current.spans, start.time, current.bars[cut - 1]?.time, tail.spans),
    indicators: current.indicators.map((series) => {
      const match = tail.indicators.find((t) => t.id === series.id);
      return mapOutputs(series, (name, values) => [...values.slice(0, cut), ...alignedValues(match?.outputs[name], 0, tail.bars.length)]);
    }),
  };
}

/** A pushed bar of a finer timeframe folded into the chart's bar that holds it. */
function widenBar(bar: Bar, finer: Bar): Bar {
  return { time: bar.time, open: bar.open, high: Math.max(bar.high, finer.high), low: Math.min(bar.low, finer.low), close: finer.close, volume: bar.volume + finer.volume };
}

export interface PushedMerge {
  window: BarWindow;
  /**
   * Whether the window is what a query would answer. Bars folded into a coarser timeframe are
   * not (a pushed bar that revises one already counted would count its volume twice), nor are
   * indicator values with less history before them than the core warms them up with: the
   * caller reads the tail again soon after, and the chart shows the bar meanwhile.
   */
  exact: boolean;
}

/**
 * Bars the core pushed (`bars.appended`) merged into the window with no round trip, when the
 * window's newest bars are built from the pushed timeframe: the same timeframe replaces the
 * forming bar or adds the next; a finer one (1m bars on an hourly chart) widens the last bar or
 * opens the next. Indicator values at the changed bars are computed here with the core's own
 * maths over the window's bars. Returns null when the caller must read the tail again: a
 * pushed bar older than the window's last, or a window built from another timeframe.
 */
export function mergePushedBars(
  current: BarWindow & { timeframe: Timeframe; sourceTimeframe: Timeframe | null },
  pushed: { timeframe: Timeframe; bars: readonly Bar[] },
  instrumentKind: Instrument['kind'],
): PushedMerge | null {
  const { timeframe } = current;
  const start = pushed.bars[0];
  if (current.bars.length === 0 || start === undefined || current.sourceTimeframe !== pushed.timeframe) return null;
  const folded = timeframe !== pushed.timeframe;
  if (folded && !canAggregate(pushed.timeframe, timeframe)) return null;
  const bars = [...current.bars];
  let from = bars.length;
  for (const bar of pushed.bars) {
    const time = folded ? bucketStart(bar.time, timeframe) : bar.time;
    const last = bars.at(-1)!;
    if (time < last.time) return null;
    if (time === last.time) bars[bars.length - 1] = folded ? widenBar(last, bar) : bar;
    else bars.push(folded ? { ...bar, time } : bar);
    from = Math.min(from, bars.length - 1);
  }
  const tailBars = bars.slice(from);
  let indicators: IndicatorSeriesData[] = [];
  if (current.indicators.length > 0) {
    const columns = toPriceColumns(bars);
    const context = { timeframe, instrumentKind, firstShown: 0 };
    const tailValues = (values: Float64Array) => Array.from(values.subarray(from), (value) => (Number.isFinite(value) ? value : null));
    indicators = current.indicators.map((series) => ({
      ...series,
      outputs: computeIndicator(series.spec, columns, context, tailValues).outputs as Readonly<Record<string, IndicatorValues>>,
    }));
  }
  const window = mergeTail(current, {
    bars: tailBars,
    indicators,
    spans: [{ from: tailBars[0]!.time, to: tailBars.at(-1)!.time, timeframe: pushed.timeframe }],
  });
  return { window, exact: !folded && current.indicators.every((series) => from >= warmUpBars(series.spec, timeframe)) };
}

/**
 * Adds indicators computed over the same span as the window. Returns null when `extra`'s bars
 * are not the window's (the data changed meanwhile), because values of another span would be
 * misaligned; the caller then reloads the whole window.
 */
export function withIndicators(current: BarWindow, extra: BarWindow): BarWindow | null {
  if (extra.bars.length !== current.bars.length) return null;
  if (extra.bars.some((bar, i) => bar.time !== current.bars[i]!.time)) return null;
  const added = new Set(extra.indicators.map((series) => series.id));
  return { bars: current.bars, spans: current.spans, indicators: [...current.indicators.filter((series) => !added.has(series.id)), ...extra.indicators] };
}

export function keepIndicators(current: BarWindow, ids: ReadonlySet<string>): BarWindow {
  const indicators = current.indicators.filter((series) => ids.has(series.id));
  return indicators.length === current.indicators.length ? current : { ...current, indicators };
}

/** What a chart must do to go from the bars it shows to the next ones. */
export type ChartUpdate =
  | { kind: 'none' }
  /** setData from scratch. */
  | { kind: 'replace' }
  /** setData, then shift the view right by `added` bars so the same bars stay in view. */
  | { kind: 'prepend'; added: number }
  /** series.update() for every bar from index `from` on. */
  | { kind: 'tail'; from: number };

/** Beyond this many changed bars one setData is cheaper than as many update() calls. */
export const MAX_TAIL_UPDATES = 500;

/**
 * Compares by object identity, which prependWindow and mergeTail preserve for unchanged bars.
 * A tail may only start at the last shown bar or after it: lightweight-charts' update() cannot
 * rewrite older bars (or only slowly), so anything earlier is a replace.
 */
export function planChartUpdate(shown: readonly Bar[], next: readonly Bar[]): ChartUpdate {
  if (shown === next) return { kind: 'none' };
  if (shown.length === 0 || next.length === 0) return { kind: 'replace' };
  if (next[0] === shown[0]) {
    if (next.length < shown.length) return { kind: 'replace' };
    let from = 0;
    while (from < shown.length && next[from] === shown[from]) from++;
    if (from === next.length) return { kind: 'none' };
    if (from < shown.length - 1 || next.length - from > MAX_TAIL_UPDATES) return { kind: 'replace' };
    return { kind: 'tail', from };
  }
  // Older bars in front; newer ones may have arrived in the same render, which setData covers.
  const added = firstIndexAtOrAfter(next, shown[0]!.time);
  return added > 0 && next[added] === shown[0] && next.length >= added + shown.length ? { kind: 'prepend', added } : { kind: 'replace' };
}
