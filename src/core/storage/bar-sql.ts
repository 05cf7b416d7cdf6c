/**
 * The aggregation SQL, written once for both dialects. Statements use `{name}`
 * placeholders that each engine compiles to its own style (`@name` for better-sqlite3,
 * `$n` for pg). The dialects differ only in the calendar-month bucket and in how the
 * first open and last close of a bucket are picked.
 */
import { fixedTimeframeMs, WEEK_ANCHOR_MS, type Timeframe } from '../../shared/timeframes';
import type { BarLevel, TimeRange } from './bar-plan';

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
export function aggregateSql(dialect: BarDialect, level: BarLevel, target: Timeframe, limited: boolean): string {
  const { table, key } = levelSource(level);
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
export function refreshRollupSql(dialect: BarDialect, source: BarLevel, rollup: Timeframe): string {
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

/** One index probe per candidate rather than a DISTINCT over millions of rows. */
export function storedBaseTimeframesSql(candidates: readonly Timeframe[]): string {
  return candidates
    .map(
      (tf) =>
        `SELECT '${tf}' AS timeframe WHERE EXISTS (SELECT 1 FROM market_data WHERE symbol = {symbol} AND timeframe = '${tf}')`,
    )
    .join('\nUNION ALL\n');
}

export function coverageSql(bySymbol: boolean): string {
  return `SELECT symbol, timeframe, source, min(time) AS first, max(time) AS last, count(*) AS count
FROM market_data${bySymbol ? ' WHERE symbol = {symbol}' : ''}
GROUP BY symbol, timeframe, source`;
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
