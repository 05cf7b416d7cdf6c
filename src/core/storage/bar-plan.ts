/**
 * Dialect-free planning for market data: which stored level answers a query, which row
 * times a bucket range covers, which rollup buckets an upsert touched. The SQL that
 * carries these plans out lives in bar-sql.ts.
 */
import type { Bar, BarSpan } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import { bucketStart, canAggregate, fixedTimeframeMs, timeframes, type Timeframe } from '../../shared/timeframes';
import type { BarsQuery, BarsQueryResult } from './types';

/** Bounds of JS Date, which every stored time must respect. */
const MIN_TIME = -8_640_000_000_000_000;
const MAX_TIME = 8_640_000_000_000_000;

/** Timeframes pre-aggregated into market_data_rollup for every finer base. */
const ROLLUP_TIMEFRAMES: readonly Timeframe[] = ['1h', '1d'];

/**
 * Where bars are read from: the base bars themselves (`timeframe === base`) or the
 * rollup of that base at `timeframe`.
 */
export interface BarLevel {
  readonly base: Timeframe;
  readonly timeframe: Timeframe;
}

/** Row open times [lo, hi). */
export interface TimeRange {
  readonly lo: number;
  readonly hi: number;
}

/** The rollups kept for a base timeframe, finest first. */
function rollupTimeframes(base: Timeframe): Timeframe[] {
  return ROLLUP_TIMEFRAMES.filter((rollup) => rollup !== base && canAggregate(base, rollup));
}

/** The coarsest level of `base` that `target` can be built from, never `target`'s own rollup when `finerOnly`. */
function coarsestLevel(base: Timeframe, target: Timeframe, finerOnly: boolean): BarLevel {
  const levels = [base, ...rollupTimeframes(base)].filter((level) => !finerOnly || level !== target);
  for (let i = levels.length - 1; i >= 0; i--) {
    const level = levels[i]!;
    if (canAggregate(level, target)) return { base, timeframe: level };
  }
  return { base, timeframe: base };
}

/** The level a query for `target` reads. */
function readLevel(base: Timeframe, target: Timeframe): BarLevel {
  return coarsestLevel(base, target, false);
}

function nextBucketStart(time: number, timeframe: Timeframe): number {
  const start = bucketStart(time, timeframe);
  if (timeframe !== '1M') return start + fixedTimeframeMs[timeframe];
  const next = new Date(start);
  next.setUTCMonth(next.getUTCMonth() + 1);
  const ms = next.getTime();
  // Past the end of the Date range there is no next month; nothing can be stored there.
  return Number.isNaN(ms) ? MAX_TIME + 1 : ms;
}

/**
 * Row times whose buckets open within [from, to]. A bucket that opens before `from` is
 * left out entirely and a bucket that opens at or before `to` is kept whole, so a query
 * never returns a partial bucket whose open or volume would silently be wrong.
 */
function bucketRowRange(timeframe: Timeframe, from?: number, to?: number): TimeRange {
  let lo = MIN_TIME;
  if (from !== undefined && from > MIN_TIME) {
    const start = bucketStart(from, timeframe);
    lo = start === from ? from : nextBucketStart(from, timeframe);
  }
  const hi = to === undefined || to >= MAX_TIME ? MAX_TIME + 1 : nextBucketStart(to, timeframe);
  return { lo, hi };
}

/** Most rows of `level` one bucket of `target` can hold when rows sit on their own grid. */
function rowsPerBucket(level: Timeframe, target: Timeframe): number {
  if (level === '1M') return 1;
  const targetMs = target === '1M' ? 31 * fixedTimeframeMs['1d'] : fixedTimeframeMs[target];
  return Math.max(1, Math.ceil(targetMs / fixedTimeframeMs[level]));
}

/** Where the stored bars of one base timeframe begin and end, over every source. */
export interface BaseExtent {
  readonly timeframe: Timeframe;
  /** Open time of the first and of the last stored bar. */
  readonly first: number;
  readonly last: number;
}

/** The reads a dialect provides; `queryBarsFrom` decides what to read. */
export interface BarReader {
  /** The extents of those of `candidates` that have base bars stored for the symbol. */
  baseExtents(symbol: string, candidates: readonly Timeframe[]): Promise<BaseExtent[]>;
  /** Time of the `n`-th most recent row of the level within the range, if there are that many. */
  nthLatestTime(symbol: string, level: BarLevel, range: TimeRange, n: number): Promise<number | undefined>;
  /** Bars of `target` aggregated from the level's rows in the range, oldest first; the latest `limit` buckets when given. */
  aggregate(symbol: string, level: BarLevel, target: Timeframe, range: TimeRange, limit?: number): Promise<Bar[]>;
}

/** Bars of `target` built from one base alone. */
async function readBase(reader: BarReader, symbol: string, base: Timeframe, target: Timeframe, range: TimeRange, limit?: number): Promise<Bar[]> {
  const level = readLevel(base, target);
  if (limit === undefined) return reader.aggregate(symbol, level, target, range);
  // Only the latest buckets are wanted: start the scan at the bucket holding the row that
  // lies far enough back to cover `limit` full buckets, so the cost follows the limit and
  // not the history. Rows off their own grid (a 1h series that shifted to :05) can crowd a
  // bucket; then the scan widens until it has enough buckets or reaches the range start.
  let rows = limit * rowsPerBucket(level.timeframe, target);
  for (;;) {
    const nth = await reader.nthLatestTime(symbol, level, range, rows);
    const lo = nth === undefined ? range.lo : Math.max(range.lo, bucketStart(nth, target));
    const bars = await reader.aggregate(symbol, level, target, { lo, hi: range.hi }, limit);
    if (bars.length >= limit || lo === range.lo) return bars;
    rows *= 4;
  }
}

/**
 * How a base covers target buckets: from its first bar's open to its last bar's end. The
 * base reaching furthest is open-ended, since its last bucket is the live one and a
 * coarser bar stored earlier is no more complete than it.
 */
interface Cover {
  readonly timeframe: Timeframe;
  readonly from: number;
  readonly to: number;
}

function coversOf(extents: readonly BaseExtent[]): Cover[] {
  const latest = Math.max(...extents.map((extent) => extent.last));
  return extents.map(({ timeframe, first, last }) => ({
    timeframe,
    from: first,
    to: last === latest ? Infinity : nextBucketStart(last, timeframe),
  }));
}

/**
 * Which base builds the bucket opening at `time`, among those with rows in it (`present`,
 * finest first): the finest that covers the bucket whole, else the one covering most of
 * it, the finer on a tie. So an hourly series that starts at 05:00 leaves that day to the
 * stored daily bar, and daily bars before the hourly history fill the days it lacks.
 */
function chooseBase(time: number, target: Timeframe, present: readonly Cover[]): number {
  const end = nextBucketStart(time, target);
  let best = 0;
  let bestCovered = -Infinity;
  for (let i = 0; i < present.length; i++) {
    const cover = present[i]!;
    if (cover.from <= time && cover.to >= end) return i;
    const covered = Math.min(cover.to, end) - Math.max(cover.from, time);
    if (covered > bestCovered) {
      best = i;
      bestCovered = covered;
    }
  }
  return best;
}

/**
 * The bar of the bucket opening at `time` from the bases with rows in it: the one
 * `chooseBase` picks, unless none covers the bucket whole while the bases present cover
 * stretches of it that do not overlap (hourly bars that retention rolled up before its
 * cut-off, the minutes after it). No bar of one then lies in another's stretch, so the
 * bucket is all of their bars together, and no rolled-up week or month loses a part.
 */
function bucketBar(time: number, target: Timeframe, entries: readonly { bar: Bar; base: number }[], covers: readonly Cover[]): { bar: Bar; base: number } {
  const present = entries.map((entry) => covers[entry.base]!);
  const chosen = chooseBase(time, target, present);
  const cover = present[chosen]!;
  if (entries.length === 1 || (cover.from <= time && cover.to >= nextBucketStart(time, target))) return entries[chosen]!;
  const ordered = entries.map((entry, i) => ({ entry, cover: present[i]! })).sort((a, b) => a.cover.from - b.cover.from);
  if (ordered.some((item, i) => i > 0 && ordered[i - 1]!.cover.to > item.cover.from)) return entries[chosen]!;
  const bars = ordered.map((item) => item.entry.bar);
  return {
    base: ordered.at(-1)!.entry.base,
    bar: {
      time,
      open: bars[0]!.open,
      high: Math.max(...bars.map((bar) => bar.high)),
      low: Math.min(...bars.map((bar) => bar.low)),
      close: bars.at(-1)!.close,
      volume: bars.reduce((sum, bar) => sum + bar.volume, 0),
    },
  };
}

/** Contiguous runs of bars from one base. */
function spansOf(bars: readonly Bar[], bases: readonly Timeframe[]): BarSpan[] {
  const spans: BarSpan[] = [];
  for (let i = 0; i < bars.length; i++) {
    const last = spans.at(-1);
    if (last && last.timeframe === bases[i]) last.to = bars[i]!.time;
    else spans.push({ from: bars[i]!.time, to: bars[i]!.time, timeframe: bases[i]! });
  }
  return spans;
}

/**
 * Bars of the query's timeframe from every stored base that can build it, bucket by bucket
 * (see `chooseBase`), so no stored bar that can build the timeframe is hidden by a finer
 * series covering less history. One stored base (the common case) is read directly.
 */
export async function queryBarsFrom(reader: BarReader, query: BarsQuery): Promise<BarsQueryResult> {
  const { symbol, timeframe: target, limit } = query;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw new AppError('VALIDATION', 'The number of bars to show must be a whole number of zero or more.');
  }
  const candidates = timeframes.filter((tf) => canAggregate(tf, target));
  const extents = (await reader.baseExtents(symbol, candidates)).sort(
    (a, b) => candidates.indexOf(a.timeframe) - candidates.indexOf(b.timeframe),
  );
  if (extents.length === 0) return { bars: [], sourceTimeframe: null, spans: [] };

  const range = bucketRowRange(target, query.from, query.to);
  if (range.lo >= range.hi || limit === 0) return { bars: [], sourceTimeframe: extents[0]!.timeframe, spans: [] };
  // Each base is read only over the buckets its own extent touches: every read has two
  // finite bounds, which lets TimescaleDB exclude the chunks outside them when planning.
  const read = (extent: BaseExtent): Promise<Bar[]> => {
    const lo = Math.max(range.lo, bucketStart(extent.first, target));
    const hi = Math.min(range.hi, nextBucketStart(extent.last, target));
    return lo < hi ? readBase(reader, symbol, extent.timeframe, target, { lo, hi }, limit) : Promise.resolve([]);
  };
  if (extents.length === 1) {
    const base = extents[0]!.timeframe;
    const bars = await read(extents[0]!);
    return { bars, sourceTimeframe: base, spans: bars.length === 0 ? [] : [{ from: bars[0]!.time, to: bars.at(-1)!.time, timeframe: base }] };
  }

  // With a limit, the latest `limit` buckets of the union are among the latest `limit` of
  // each base, so every read stays O(limit).
  const covers = coversOf(extents);
  const reads = await Promise.all(extents.map(read));
  const byTime = new Map<number, { bar: Bar; base: number }[]>();
  reads.forEach((bars, base) => {
    for (const bar of bars) {
      const entries = byTime.get(bar.time);
      if (entries) entries.push({ bar, base });
      else byTime.set(bar.time, [{ bar, base }]);
    }
  });
  let times = [...byTime.keys()].sort((a, b) => a - b);
  if (limit !== undefined) times = times.slice(-limit);
  const bars: Bar[] = [];
  const bases: Timeframe[] = [];
  for (const time of times) {
    const chosen = bucketBar(time, target, byTime.get(time)!, covers);
    bars.push(chosen.bar);
    bases.push(extents[chosen.base]!.timeframe);
  }
  return { bars, sourceTimeframe: bases.at(-1) ?? extents[0]!.timeframe, spans: spansOf(bars, bases) };
}

/**
 * The bars to write: validated, in time order, one per open time (the last one given
 * wins, as if the chunk had been written bar by bar).
 */
export function barsToWrite(input: { symbol: string; timeframe: Timeframe; source: string; bars: readonly Bar[] }): Bar[] {
  const { symbol, timeframe, source, bars } = input;
  if (typeof symbol !== 'string' || symbol.length === 0) throw new AppError('VALIDATION', 'Bars must name their symbol.');
  if (!(timeframes as readonly string[]).includes(timeframe)) {
    throw new AppError('VALIDATION', `"${String(timeframe)}" is not a timeframe bars can be stored in.`);
  }
  if (typeof source !== 'string' || source.length === 0) throw new AppError('VALIDATION', 'Bars must name where they came from.');

  let ordered = true;
  for (let i = 0; i < bars.length; i++) {
    const bar = bars[i]!;
    if (!Number.isSafeInteger(bar.time) || bar.time < MIN_TIME || bar.time > MAX_TIME) {
      throw new AppError('VALIDATION', `Bar ${i + 1} of ${symbol} ${timeframe} has no valid time.`, { index: i });
    }
    if (
      !Number.isFinite(bar.open) ||
      !Number.isFinite(bar.high) ||
      !Number.isFinite(bar.low) ||
      !Number.isFinite(bar.close) ||
      !Number.isFinite(bar.volume)
    ) {
      throw new AppError(
        'VALIDATION',
        `Bar ${i + 1} of ${symbol} ${timeframe} (${new Date(bar.time).toISOString()}) has a price or volume that is not a number.`,
        { index: i, time: bar.time },
      );
    }
    if (i > 0 && bar.time <= bars[i - 1]!.time) ordered = false;
  }
  if (ordered) return bars.slice();
  const byTime = new Map<number, Bar>();
  for (const bar of bars) byTime.set(bar.time, bar);
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}

/** One contiguous run of rollup buckets to recompute from `source`. */
export interface RollupRefresh {
  readonly rollup: Timeframe;
  readonly source: BarLevel;
  readonly range: TimeRange;
}

/**
 * The rollup buckets holding `changedTimes` (ascending), merged into contiguous runs,
 * finest rollup first: a 1d rollup of minute bars is built from the 1h rollup refreshed
 * just before it, reading 24 rows per day instead of 1,440.
 */
export function rollupRefreshes(base: Timeframe, changedTimes: readonly number[]): RollupRefresh[] {
  const refreshes: RollupRefresh[] = [];
  if (changedTimes.length === 0) return refreshes;
  for (const rollup of rollupTimeframes(base)) {
    const source = coarsestLevel(base, rollup, true);
    let lo = bucketStart(changedTimes[0]!, rollup);
    let hi = nextBucketStart(lo, rollup);
    for (const time of changedTimes) {
      if (time < hi) continue;
      const start = bucketStart(time, rollup);
      if (start !== hi) {
        refreshes.push({ rollup, source, range: { lo, hi } });
        lo = start;
      }
      hi = nextBucketStart(start, rollup);
    }
    refreshes.push({ rollup, source, range: { lo, hi } });
  }
  return refreshes;
}

/**
 * Every rollup bucket of `base` that [lo, hi) touches, widened to whole buckets, finest
 * rollup first: what to rebuild from the bars that remain once bars in the range are deleted.
 */
export function rollupRebuilds(base: Timeframe, range: TimeRange): RollupRefresh[] {
  return rollupTimeframes(base).map((rollup) => ({
    rollup,
    source: coarsestLevel(base, rollup, true),
    range: { lo: bucketStart(range.lo, rollup), hi: nextBucketStart(range.hi - 1, rollup) },
  }));
}

/**
 * Retention rolls up only hours that lie wholly before its cut-off: minute bars opening
 * before the start of the cut-off's hour. A chunk is at most one UTC day of one symbol
 * (about 1,440 minute bars), small enough that its transaction never holds the event loop
 * for long, starting at the hour of its first minute bar.
 */
export function minuteRollUpChunk(firstMinute: number, before: number): TimeRange {
  return { lo: bucketStart(firstMinute, '1h'), hi: Math.min(nextBucketStart(firstMinute, '1d'), bucketStart(before, '1h')) };
}

/** What one retention chunk stores and deletes. */
export interface MinuteRollUpPlan {
  /** Hourly bars to store, per source of each hour's last minute (which gave its close). */
  readonly writes: ReadonlyMap<string, Bar[]>;
  /** Per source, the ascending open times of the minute bars deleted. */
  readonly removed: ReadonlyMap<string, number[]>;
  readonly minuteBars: number;
  readonly hourBars: number;
}

/** Relative difference of volumes that are the same sum taken in another order (a provider's own, a plain reduce). */
const VOLUME_SUM_TOLERANCE = 1e-9;

function agrees(stored: Bar, rolled: Bar): boolean {
  return (
    stored.open === rolled.open &&
    stored.high === rolled.high &&
    stored.low === rolled.low &&
    stored.close === rolled.close &&
    Math.abs(stored.volume - rolled.volume) <= VOLUME_SUM_TOLERANCE * Math.max(1, Math.abs(rolled.volume))
  );
}

/**
 * `hours` are the chunk's minute bars aggregated into 1h bars (the chart's own SQL), `stored`
 * the 1h bars already there. Every rolled-up hour replaces a stored 1h bar that differs:
 * within a minute series the chart builds hours (and days, weeks, months) from the minutes,
 * so the roll-up keeps every bar the trader saw as it was, and a provider's own hourly bar can
 * be fetched again where old minute bars usually cannot. A stored bar with the same prices
 * and volume (to the last bits of a sum) is left as it is, with its source.
 */
export function planMinuteRollUp(
  minutes: readonly { time: number; source: string }[],
  hours: readonly Bar[],
  stored: readonly Bar[],
): MinuteRollUpPlan {
  const hourSource = new Map<number, string>();
  const removed = new Map<string, number[]>();
  for (const { time, source } of minutes) {
    hourSource.set(bucketStart(time, '1h'), source);
    const times = removed.get(source);
    if (times) times.push(time);
    else removed.set(source, [time]);
  }
  const storedAt = new Map(stored.map((bar) => [bar.time, bar]));
  const writes = new Map<string, Bar[]>();
  for (const hour of hours) {
    const kept = storedAt.get(hour.time);
    if (kept && agrees(kept, hour)) continue;
    const source = hourSource.get(hour.time)!;
    const bars = writes.get(source);
    if (bars) bars.push(hour);
    else writes.set(source, [hour]);
  }
  return { writes, removed, minuteBars: minutes.length, hourBars: hours.length };
}

/** Deleted bars (oldest first; undefined where none was stored) as the rollup and summary upkeep takes them: the range they span and their times by source. */
export function removedBySource(deleted: readonly ({ time: number; source: string } | undefined)[]): {
  count: number;
  range: TimeRange;
  bySource: Map<string, number[]>;
} {
  const bySource = new Map<string, number[]>();
  let count = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const bar of deleted) {
    if (!bar) continue;
    count++;
    lo = Math.min(lo, bar.time);
    hi = Math.max(hi, bar.time + 1);
    const times = bySource.get(bar.source);
    if (times) times.push(bar.time);
    else bySource.set(bar.source, [bar.time]);
  }
  return { count, range: { lo, hi }, bySource };
}
