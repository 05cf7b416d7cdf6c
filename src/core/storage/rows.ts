/** Row-to-domain mapping shared by both dialects, whose drizzle row types have the same shape. */
import type { Coverage, Instrument, JobRun } from '../../shared/domain';
import { timeframes, type Timeframe } from '../../shared/timeframes';

export const INTERRUPTED_JOB_ERROR = 'The app stopped before this job finished.';

export function toInstrument(row: Instrument): Instrument {
  return {
    symbol: row.symbol,
    name: row.name,
    kind: row.kind,
    unit: row.unit,
    currency: row.currency,
    providerSymbols: row.providerSymbols,
  };
}

export function toJobRun(row: JobRun): JobRun {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    description: row.description,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    rows: row.rows,
    error: row.error,
  };
}

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
