import type { Coverage } from '../../shared/domain';
import { timeframes, type Timeframe } from '../../shared/timeframes';

/**
 * Symbol, then timeframe finest first, then source: the order the Data screen lists them.
 * Numbers are read with Number() since a driver may return a count as a string.
 */
export function sortCoverage(rows: readonly Coverage[]): Coverage[] {
  const rank = (tf: Timeframe) => timeframes.indexOf(tf);
  return rows
    .map((row) => ({
      symbol: row.symbol,
      timeframe: row.timeframe,
      source: row.source,
      first: Number(row.first),
      last: Number(row.last),
      count: Number(row.count),
    }))
    .sort(
      (a, b) =>
        (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0) ||
        rank(a.timeframe) - rank(b.timeframe) ||
        (a.source < b.source ? -1 : a.source > b.source ? 1 : 0),
    );
}
