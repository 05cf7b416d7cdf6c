/**
 * Data retention: minute bars older than `settings.retention.minuteBarsDays` become stored 1h
 * bars and are deleted, one symbol and one UTC day at a time (MarketDataRepository
 * .rollUpMinuteBars), yielding to the event loop between steps so the app stays responsive.
 *
 * TimescaleDB runs the same roll-up. Its own retention (drop_chunks, add_retention_policy)
 * drops whole chunks, and a chunk holds every timeframe of its time range, so it would take
 * the daily and hourly history with the minutes; a continuous aggregate would duplicate the
 * rollups market_data_rollup already keeps in the write's own transaction. What TimescaleDB
 * adds is its compression policy on market_data (src/core/storage/timescale.ts: segments by
 * symbol and timeframe, ordered by time, chunks compressed 30 days after their year ends),
 * whose compressed chunks still take the roll-up's deletes and late upserts from backfills.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { z } from 'zod';
import type { retentionEstimateSchema } from '../../shared/backups';
import { runIds } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import { bucketStart } from '../../shared/timeframes';
import type { CoreContext } from '../context';
import type { JobContext } from '../jobs/job-runner';
import { readSettings } from '../settings/settings-handlers';
import type { MinuteRollUp, Storage } from '../storage/types';

export type RetentionEstimate = z.infer<typeof retentionEstimateSchema>;

const DAY_MS = 86_400_000;
/** The estimate counts a symbol's minute bars this much history at a time (about 43,000 bars), yielding in between. */
const COUNT_WINDOW_MS = 30 * DAY_MS;
/** Before any stored time: where a symbol's roll-up starts. */
const EARLIEST = Number.MIN_SAFE_INTEGER;

/**
 * The cut-off that keeps `days` of minute bars at `now`: the start of that UTC day. Every
 * day is then built wholly from minutes or wholly from rolled-up hours, so no daily (or 4h)
 * bar of the chart mixes the two.
 */
export function retentionCutoff(now: number, days: number): number {
  return bucketStart(now - days * DAY_MS, '1d');
}

/** The setting in force, or null when minute bars are kept forever. */
async function configuredDays(ctx: Pick<CoreContext, 'ports'>): Promise<number | null> {
  return (await readSettings(ctx.ports)).retention.minuteBarsDays;
}

/**
 * Space freed: the minute bars less the hourly bars they become, and the minute series'
 * hourly rollups (its daily rollups give way to the new hourly series' own).
 */
function bytesFreed(rollUp: MinuteRollUp, rowBytes: { bar: number; rollup: number }): number {
  return Math.max(0, Math.round((rollUp.minuteBars - rollUp.hourBars) * rowBytes.bar + rollUp.hourBars * rowBytes.rollup));
}

/** Per symbol holding minute bars in hours wholly before `before`: how many, and the hours they fill. Reads only. */
export async function estimateRetention(storage: Storage, before: number): Promise<RetentionEstimate[]> {
  const hi = bucketStart(before, '1h');
  const rowBytes = await storage.marketData.rowBytes();
  const estimates: RetentionEstimate[] = [];
  for (const { symbol, first } of await storage.marketData.minuteSeries()) {
    const total = { minuteBars: 0, hourBars: 0 };
    // Windows start on an hour, so an hour is counted in one window only.
    for (let lo = bucketStart(first, '1h'); lo < hi; lo += COUNT_WINDOW_MS) {
      const counted = await storage.marketData.countMinuteBars(symbol, { lo, hi: Math.min(lo + COUNT_WINDOW_MS, hi) });
      total.minuteBars += counted.minuteBars;
      total.hourBars += counted.hourBars;
      await nextTurn();
    }
    if (total.minuteBars > 0) estimates.push({ symbol, ...total, before, bytesFreed: bytesFreed(total, rowBytes) });
  }
  return estimates;
}

/**
 * Rolls up and deletes what `estimateRetention` counted, step by step, reporting progress in
 * minute bars. A cancel or a crash stops between steps, each of which committed whole; the
 * next run carries on from what is left.
 */
export async function applyRetention(storage: Storage, before: number, job: JobContext): Promise<RetentionEstimate[]> {
  const estimates = await estimateRetention(storage, before);
  const rowBytes = await storage.marketData.rowBytes();
  const total = estimates.reduce((sum, estimate) => sum + estimate.minuteBars, 0);
  let done = 0;
  job.progress(0, total);
  const applied: RetentionEstimate[] = [];
  for (const { symbol } of estimates) {
    const rolled = { minuteBars: 0, hourBars: 0 };
    let from = EARLIEST;
    for (;;) {
      job.throwIfCancelled();
      const step = await storage.marketData.rollUpMinuteBars(symbol, from, before);
      if (step === null) break;
      rolled.minuteBars += step.minuteBars;
      rolled.hourBars += step.hourBars;
      job.addCommittedRows(step.minuteBars);
      done += step.minuteBars;
      job.progress(done, Math.max(total, done));
      from = step.next;
      await nextTurn();
    }
    applied.push({ symbol, ...rolled, before, bytesFreed: bytesFreed(rolled, rowBytes) });
  }
  return applied;
}

/** The `retention` seam of the scheduler: a scheduled run applies the setting in force. */
export function retentionJobs(ctx: Pick<CoreContext, 'ports' | 'storage' | 'now'>) {
  return {
    async apply(job: JobContext): Promise<number> {
      const days = await configuredDays(ctx);
      if (days === null) return 0;
      const applied = await applyRetention(ctx.storage, retentionCutoff(ctx.now(), days), job);
      return applied.reduce((sum, instrument) => sum + instrument.minuteBars, 0);
    },
  };
}

/** `retention.estimate`: for the setting in force, or for `days` when given (the screen's preview of a new setting). */
export async function estimateFor(
  ctx: Pick<CoreContext, 'ports' | 'storage' | 'now'>,
  days: number | undefined,
): Promise<{ before: number | null; instruments: RetentionEstimate[]; bytesFreed: number }> {
  const keep = days ?? (await configuredDays(ctx));
  if (keep === null) return { before: null, instruments: [], bytesFreed: 0 };
  const before = retentionCutoff(ctx.now(), keep);
  const instruments = await estimateRetention(ctx.storage, before);
  return { before, instruments, bytesFreed: instruments.reduce((sum, instrument) => sum + instrument.bytesFreed, 0) };
}

/**
 * `retention.apply`: a job of kind `retention` for the setting in force. Refused while minute
 * bars are kept forever, and while another retention run (here or in a process sharing the
 * database) is still going.
 */
export async function startRetention(
  ctx: Pick<CoreContext, 'ports' | 'storage' | 'jobs' | 'now'>,
): Promise<{ runId: string; jobId: string; finished: Promise<RetentionEstimate[]> }> {
  const days = await configuredDays(ctx);
  if (days === null) {
    throw new AppError('VALIDATION', 'Data retention is off: choose how many days of minute bars to keep in Settings, then apply it.');
  }
  const [latest] = await ctx.storage.jobRuns.list({ kind: 'retention', limit: 1 });
  if (latest?.status === 'running') throw new AppError('CONFLICT', 'Data retention is already running; wait for it to finish.');
  const before = retentionCutoff(ctx.now(), days);
  const started = await ctx.jobs.start('retention', `Roll up minute bars before ${new Date(before).toISOString().slice(0, 10)} into hourly bars`, 'bars', async (job) => {
    const instruments = await applyRetention(ctx.storage, before, job);
    return { value: instruments, rows: instruments.reduce((sum, instrument) => sum + instrument.minuteBars, 0) };
  });
  return { ...runIds(started.runId), finished: started.finished };
}
