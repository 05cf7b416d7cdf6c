import type { Coverage } from '../../shared/domain';
import { timeframes, type Timeframe } from '../../shared/timeframes';

/** Symbol, then timeframe finest first, then source: the order the Data screen lists them. */
export function sortCoverage(
  rows: readonly { symbol: string; timeframe: Timeframe; source: string; first: number; last: number; count: number }[],
): Coverage[] {
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
