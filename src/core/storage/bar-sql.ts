/**
 * Market-data SQL, written once for both dialects: aggregation, rollup upkeep and the
 * per-source summary. Statements use `{name}` placeholders that each engine compiles to
 * its own style (`@name` for better-sqlite3, `$n` for pg). The dialects differ only in
 * the calendar-month bucket and in how the first open and last close of a bucket are picked.
 */
import { fixedTimeframeMs, WEEK_ANCHOR_MS, type Timeframe } from '../../shared/timeframes';
import { rollupRebuilds, rollupRefreshes, type BarLevel, type TimeRange } from './bar-plan';

export type BarDialect = 'sqlite' | 'postgres';

/** Named parameters the statements below refer to. */
export interface BarParams {
  symbol: string;
  base: Timeframe;
  level?: Timeframe;
  rollup?: Timeframe;
  lo?: number;
  hi?: number;
  limit?: number;
  offset?: number;
  source?: string;
  count?: number;
  first?: number;
  last?: number;
}

/** Parameters locating a level's rows in a time range. */
export function barParams(symbol: string, level: BarLevel, range: TimeRange, extra: Partial<BarParams> = {}): BarParams {
  return { symbol, base: level.base, level: level.timeframe, lo: range.lo, hi: range.hi, ...extra };
}

/**
 * Open time of the `timeframe` bucket holding the epoch-ms column `time`. Both engines'
 * `%` truncates toward zero, so the floor-modulo is spelled out for pre-1970 bars.
 */
function bucketSql(dialect: BarDialect, timeframe: Timeframe, time: string): string {
  if (timeframe === '1M') {
    return dialect === 'sqlite'
      ? // whole seconds by floor division, so 23:59:59.5 on the last day stays in its month
        `(unixepoch((${time} - (((${time} % 1000) + 1000) % 1000)) / 1000, 'unixepoch', 'start of month') * 1000)`
      : `(extract(epoch from date_trunc('month', to_timestamp(${time}::float8 / 1000) at time zone 'UTC')) * 1000)::bigint`;
  }
  const width = fixedTimeframeMs[timeframe];
  const anchor = timeframe === '1w' ? WEEK_ANCHOR_MS : 0;
  const shifted = anchor === 0 ? time : `(${time} - ${anchor})`;
  return `(${time} - (((${shifted} % ${width}) + ${width}) % ${width}))`;
}

/** Table and key condition of a level, for a table alias (or none). */
function levelSource(level: BarLevel, alias?: string): { table: string; key: string } {
  const col = (name: string) => (alias ? `${alias}.${name}` : name);
  return level.timeframe === level.base
    ? { table: 'market_data', key: `${col('symbol')} = {symbol} AND ${col('timeframe')} = {base}` }
    : {
        table: 'market_data_rollup',
        key: `${col('symbol')} = {symbol} AND ${col('base_timeframe')} = {base} AND ${col('timeframe')} = {level}`,
      };
}

/**
 * Bars of `target` from the level's rows with open time in [{lo}, {hi}): open of the
 * first row, close of the last, highest high, lowest low, summed volume. With `limited`,
 * the latest {limit} buckets, over a grouped subquery `g` keyed by `bucket`.
 */
function aggregateSql(dialect: BarDialect, level: BarLevel, target: Timeframe, limited: boolean): string {
  const { table, key } = levelSource(level);
  if (level.timeframe !== level.base && level.timeframe === target) {
    // A rollup holds one row per bucket of its own timeframe, on the grid: read it as it is
    // rather than group it again (about a seventh of the time for 2,000 hourly or daily bars).
    // Base rows may sit off their grid (a feed drifting to :05) and are always grouped.
    return `SELECT g.bucket AS time, g.open, g.high, g.low, g.close, g.volume
FROM (
  SELECT time AS bucket, open, high, low, close, volume FROM ${table}
  WHERE ${key} AND time >= {lo} AND time < {hi}${limited ? '\n  ORDER BY time DESC LIMIT {limit}' : ''}
) g`;
  }
  const bucket = bucketSql(dialect, target, 'time');
  const rows = `FROM ${table}
  WHERE ${key} AND time >= {lo} AND time < {hi}
  GROUP BY 1${limited ? '\n  ORDER BY 1 DESC LIMIT {limit}' : ''}`;
  if (dialect === 'postgres') {
    // One pass: arrays compare element by element, so the smallest [time, open] holds the
    // first open and the largest [time, close] the last close (epoch ms are exact in float8).
    return `SELECT g.bucket AS time, g.first_bar[2] AS open, g.high, g.low, g.last_bar[2] AS close, g.volume
FROM (
  SELECT ${bucket} AS bucket, min(ARRAY[time::float8, open]) AS first_bar, max(ARRAY[time::float8, close]) AS last_bar,
    max(high) AS high, min(low) AS low, sum(volume) AS volume
  ${rows}
) g`;
  }
  // SQLite has no arrays: find the first and last time per bucket, then read their open
  // and close through the primary key. Scalar subqueries rather than joins, because with
  // joins SQLite may loop over the table and scan the grouped buckets inside it.
  const probe = (column: 'open' | 'close', time: string) =>
    `(SELECT p.${column} FROM ${table} p WHERE ${levelSource(level, 'p').key} AND p.time = g.${time})`;
  return `SELECT g.bucket AS time, ${probe('open', 'first_time')} AS open, g.high, g.low, ${probe('close', 'last_time')} AS close, g.volume
FROM (
  SELECT ${bucket} AS bucket, min(time) AS first_time, max(time) AS last_time,
    max(high) AS high, min(low) AS low, sum(volume) AS volume
  ${rows}
) g`;
}

export function selectBarsSql(dialect: BarDialect, level: BarLevel, target: Timeframe, limited: boolean): string {
  return `${aggregateSql(dialect, level, target, limited)}\nORDER BY g.bucket`;
}

/** Recomputes the {rollup} buckets of a range from a finer level and stores them. */
function refreshRollupSql(dialect: BarDialect, source: BarLevel, rollup: Timeframe): string {
  // `WHERE true` keeps SQLite from reading ON CONFLICT as a join constraint.
  return `INSERT INTO market_data_rollup (symbol, base_timeframe, timeframe, time, open, high, low, close, volume)
SELECT {symbol}, {base}, {rollup}, a.time, a.open, a.high, a.low, a.close, a.volume
FROM (${aggregateSql(dialect, source, rollup, false)}) a
WHERE true
ON CONFLICT (symbol, base_timeframe, timeframe, time) DO UPDATE SET
  open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close, volume = excluded.volume`;
}

export function nthLatestTimeSql(level: BarLevel): string {
  const { table, key } = levelSource(level);
  return `SELECT time FROM ${table} WHERE ${key} AND time >= {lo} AND time < {hi} ORDER BY time DESC LIMIT 1 OFFSET {offset}`;
}

/**
 * Extent of each candidate base from the per-source series summary: a few rows per symbol,
 * kept in the same transaction as every write, so the plan costs no scan of the bars.
 */
export function baseExtentsSql(candidates: readonly Timeframe[]): string {
  return `SELECT timeframe, min(first_time) AS first, max(last_time) AS last FROM market_data_series
WHERE symbol = {symbol} AND timeframe IN (${candidates.map((tf) => `'${tf}'`).join(', ')})
GROUP BY timeframe`;
}

export function coverageSql(bySymbol: boolean): string {
  return `SELECT symbol, timeframe, source, first_time AS first, last_time AS last, bar_count AS count
FROM market_data_series${bySymbol ? ' WHERE symbol = {symbol}' : ''}`;
}

/**
 * Postgres only: writers of one series take turns until commit. Two overlapping chunks
 * written at once would each recompute a rollup bucket without the other's uncommitted
 * bars; the turn also makes an empty range stay empty until a plain INSERT lands, and
 * keeps a writer from adding bars to a series while its instrument is being deleted.
 */
export const LOCK_SERIES_SQL = `SELECT pg_advisory_xact_lock(hashtextextended('market_data/' || {symbol} || '/' || {base}, 0))`;

export const COUNT_BARS_SQL = 'SELECT coalesce(sum(bar_count), 0) AS n FROM market_data_series';

/** Bars a chunk gave `source`, the whole chunk lying within [{first}, {last}]. */
const ADD_TO_SERIES = `INSERT INTO market_data_series (symbol, timeframe, source, first_time, last_time, bar_count)
VALUES ({symbol}, {base}, {source}, {first}, {last}, {count})
ON CONFLICT (symbol, timeframe, source) DO UPDATE SET
  first_time = CASE WHEN excluded.first_time < market_data_series.first_time THEN excluded.first_time ELSE market_data_series.first_time END,
  last_time = CASE WHEN excluded.last_time > market_data_series.last_time THEN excluded.last_time ELSE market_data_series.last_time END,
  bar_count = market_data_series.bar_count + excluded.bar_count`;

/**
 * {count} bars between {first} and {last} now belong to another source. When they
 * included this source's first or last bar, the next one is found by walking the
 * series in time order from there: a rare case (a repair from another provider).
 */
const TAKE_FROM_SERIES = `UPDATE market_data_series SET
  bar_count = bar_count - {count},
  first_time = CASE WHEN first_time = {first} THEN coalesce((SELECT m.time FROM market_data m
    WHERE m.symbol = {symbol} AND m.timeframe = {base} AND m.time > {first} AND m.source = {source} ORDER BY m.time LIMIT 1), first_time)
    ELSE first_time END,
  last_time = CASE WHEN last_time = {last} THEN coalesce((SELECT m.time FROM market_data m
    WHERE m.symbol = {symbol} AND m.timeframe = {base} AND m.time < {last} AND m.source = {source} ORDER BY m.time DESC LIMIT 1), last_time)
    ELSE last_time END
WHERE symbol = {symbol} AND timeframe = {base} AND source = {source}`;

const DROP_EMPTY_SERIES = `DELETE FROM market_data_series
WHERE symbol = {symbol} AND timeframe = {base} AND source = {source} AND bar_count <= 0`;

type Statement = { text: string; params: Partial<BarParams> };

/** What writing one chunk changed, as the engine observed it. */
export interface ChunkChange {
  /** Open times of inserted or updated bars, ascending. */
  changedTimes: readonly number[];
  /** Bars that did not carry the chunk's source before: inserted, or taken from another source. */
  added: number;
  /** Per previous source, the ascending times of its bars the chunk took over. */
  taken: ReadonlyMap<string, readonly number[]>;
}

/**
 * The statements that follow a chunk's write in its transaction: the touched rollup
 * buckets, then the per-source summary. `first`/`last` span the whole chunk.
 */
export function afterWriteStatements(
  dialect: BarDialect,
  chunk: { symbol: string; timeframe: Timeframe; source: string; first: number; last: number },
  change: ChunkChange,
): Statement[] {
  const { symbol, timeframe: base, source } = chunk;
  const statements: Statement[] = rollupRefreshes(base, change.changedTimes).map(({ rollup, source: level, range }) => ({
    text: refreshRollupSql(dialect, level, rollup),
    params: barParams(symbol, level, range, { rollup }),
  }));
  if (change.added > 0) {
    statements.push({ text: ADD_TO_SERIES, params: { symbol, base, source, first: chunk.first, last: chunk.last, count: change.added } });
  }
  statements.push(...seriesRemovalStatements(symbol, base, change.taken));
  return statements;
}

/** The per-source summary after each source's bars at `removed` (ascending times) left it. */
function seriesRemovalStatements(symbol: string, base: Timeframe, removed: ReadonlyMap<string, readonly number[]>): Statement[] {
  const statements: Statement[] = [];
  for (const [source, times] of removed) {
    const params = { symbol, base, source, count: times.length, first: times[0]!, last: times[times.length - 1]! };
    statements.push({ text: TAKE_FROM_SERIES, params }, { text: DROP_EMPTY_SERIES, params });
  }
  return statements;
}

/**
 * Minute bars of one symbol in [{lo}, {hi}), with their source, oldest first: what a
 * retention chunk rolls up and deletes. A day of them is about 1,440 rows.
 */
export const MINUTE_BARS_SQL = `SELECT time, source FROM market_data
WHERE symbol = {symbol} AND timeframe = '1m' AND time >= {lo} AND time < {hi} ORDER BY time`;

/** Open time of the symbol's first minute bar in [{lo}, {hi}), if any. */
export const FIRST_MINUTE_SQL = `SELECT time FROM market_data
WHERE symbol = {symbol} AND timeframe = '1m' AND time >= {lo} AND time < {hi} ORDER BY time LIMIT 1`;

/** The stored 1h bars in [{lo}, {hi}), whichever source wrote them. */
export const STORED_HOURS_SQL = `SELECT time, open, high, low, close, volume FROM market_data
WHERE symbol = {symbol} AND timeframe = '1h' AND time >= {lo} AND time < {hi}`;

/** One stored bar deleted, saying what it was for the summaries. */
export const DELETE_BAR_SQL = 'DELETE FROM market_data WHERE symbol = {symbol} AND timeframe = {timeframe} AND time = {time} RETURNING time, source';

export const DELETE_MINUTES_SQL = `DELETE FROM market_data WHERE symbol = {symbol} AND timeframe = '1m' AND time >= {lo} AND time < {hi}`;

/** Symbols holding minute bars, with the open time of their first one, from the per-source summary. */
export const MINUTE_SERIES_SQL = `SELECT symbol, min(first_time) AS first FROM market_data_series
WHERE timeframe = '1m' GROUP BY symbol ORDER BY symbol`;

/** Minute bars in [{lo}, {hi}) and the distinct UTC hours (the chart's own 1h buckets) they fall in. */
export function countMinutesSql(dialect: BarDialect): string {
  return `SELECT count(*) AS minutes, count(DISTINCT ${bucketSql(dialect, '1h', 'time')}) AS hours FROM market_data
WHERE symbol = {symbol} AND timeframe = '1m' AND time >= {lo} AND time < {hi}`;
}

/**
 * What follows the deletion of `base` bars in `range` in its transaction: the rollups of
 * every bucket the range touches, rebuilt from the bars left (a bucket with none left
 * goes), then the per-source summary.
 */
export function afterDeleteStatements(
  dialect: BarDialect,
  symbol: string,
  base: Timeframe,
  range: TimeRange,
  removed: ReadonlyMap<string, readonly number[]>,
): Statement[] {
  const statements: Statement[] = [];
  for (const { rollup, source, range: buckets } of rollupRebuilds(base, range)) {
    const params = barParams(symbol, source, buckets, { rollup });
    statements.push(
      {
        text: 'DELETE FROM market_data_rollup WHERE symbol = {symbol} AND base_timeframe = {base} AND timeframe = {rollup} AND time >= {lo} AND time < {hi}',
        params,
      },
      { text: refreshRollupSql(dialect, source, rollup), params },
    );
  }
  statements.push(...seriesRemovalStatements(symbol, base, removed));
  return statements;
}

/** `{name}` → `@name` for better-sqlite3's named parameters. */
export function toSqliteSql(text: string): string {
  return text.replace(/\{(\w+)\}/g, '@$1');
}

/** `{name}` → `$n`, with the parameter names in `$n` order. */
export function toPgSql(text: string): { text: string; names: (keyof BarParams)[] } {
  const names: (keyof BarParams)[] = [];
  const compiled = text.replace(/\{(\w+)\}/g, (_, name: keyof BarParams) => {
    let index = names.indexOf(name);
    if (index < 0) index = names.push(name) - 1;
    return `$${index + 1}`;
  });
  return { text: compiled, names };
}
