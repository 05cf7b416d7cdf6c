/** Row-to-domain mapping shared by both dialects, whose drizzle row types have the same shape. */
import { and, eq, inArray, isNull, ne, or, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { Coverage, Instrument, JobRun } from '../../shared/domain';
import { timeframes, type Timeframe } from '../../shared/timeframes';

export const INTERRUPTED_JOB_ERROR = 'Interrupted: the process that ran it stopped before it finished.';

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

export function toJobRun(row: Omit<JobRun, 'ingestJobId'> & { ingestJobId: string | null }): JobRun {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    description: row.description,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    rows: row.rows,
    error: row.error,
    ingestJobId: row.ingestJobId,
  };
}

/** Running job runs of other processes that are known gone or whose last sign of life is older than `staleBefore`. */
export function staleRun(
  runs: { status: AnyColumn; owner: AnyColumn; heartbeatAt: AnyColumn; startedAt: AnyColumn },
  sweep: { staleBefore: number; exceptOwner: string; goneOwners?: readonly string[] },
): SQL | undefined {
  const gone = sweep.goneOwners?.filter((owner) => owner !== sweep.exceptOwner) ?? [];
  return and(
    eq(runs.status, 'running'),
    or(isNull(runs.owner), ne(runs.owner, sweep.exceptOwner)),
    or(sql`coalesce(${runs.heartbeatAt}, ${runs.startedAt}) < ${sweep.staleBefore}`, gone.length > 0 ? inArray(runs.owner, gone) : undefined),
  );
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
