/**
 * Per-range fingerprints of a bar series, computed in SQL on the cache (SQLite) and the primary
 * (Postgres) with exact integer arithmetic, so equal rows give equal fingerprints on both
 * whatever order the rows are summed in: prices and volume become integers (micro-units,
 * thousandths) from the same IEEE doubles, every term is reduced modulo a prime, and one term
 * weights the close by the bar's time, so bars whose values were swapped still differ.
 */
import type { Timeframe } from '../../shared/timeframes';
import type { SqlExecutor } from '../storage/sql-executor';

const DAY_MS = 86_400_000;
/** 2^31 - 1: a product of two residues fits a 64-bit integer, and sums of 10^5 of them stay far below its limit. */
const PRIME = 2_147_483_647;

/**
 * Width of one compared range by stored timeframe: about a thousand bars or fewer, so a
 * differing range moves little. Fixed widths from the epoch (a UTC day; 30 days; 360 days)
 * rather than calendar months and years, so the bucket is one integer expression on both engines.
 */
export function rangeWidth(timeframe: Timeframe): number {
  if (timeframe === '1m') return DAY_MS;
  if (timeframe === '1h') return 30 * DAY_MS;
  return 360 * DAY_MS;
}

/** `expr` (a non-negative double) as the integer part of itself, identically on both engines (SQLite's CAST truncates; Postgres's rounds). */
const integerOf = (dialect: SqlExecutor['dialect'], expr: string) => (dialect === 'sqlite' ? `CAST(${expr} AS INTEGER)` : `CAST(floor(${expr}) AS bigint)`);

export interface RangeFingerprint {
  /** Open time of the range's first possible bar. */
  lo: number;
  fingerprint: string;
}

/** Every range of the series with bars at or after `from`, fingerprinted, oldest first. */
export async function rangeFingerprints(sql: SqlExecutor, symbol: string, timeframe: Timeframe, from: number): Promise<RangeFingerprint[]> {
  const d = sql.dialect;
  const micro = (column: string) => `(${integerOf(d, `${column} * 1000000 + 0.5`)} % ${PRIME})`;
  const firstChar = d === 'sqlite' ? 'unicode(source)' : 'ascii(source)';
  const rows = await sql.query(
    `SELECT time - time % {width} AS lo, count(*) AS n,
       sum(time % ${PRIME}) AS t,
       sum(${micro('open')}) AS o, sum(${micro('high')}) AS h, sum(${micro('low')}) AS l, sum(${micro('close')}) AS c,
       sum(${integerOf(d, 'volume * 1000 + 0.5')} % ${PRIME}) AS v,
       sum(((time / 1000) % ${PRIME}) * ${micro('close')} % ${PRIME}) AS w,
       sum(length(source) * 256 + ${firstChar}) AS s
     FROM market_data WHERE symbol = {symbol} AND timeframe = {timeframe} AND time >= {from}
     GROUP BY 1 ORDER BY 1`,
    { symbol, timeframe, from, width: rangeWidth(timeframe) },
  );
  return rows.map((row) => ({
    lo: Number(row.lo),
    fingerprint: [row.n, row.t, row.o, row.h, row.l, row.c, row.v, row.w, row.s].map((value) => String(value)).join(':'),
  }));
}
