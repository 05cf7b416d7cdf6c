import { setImmediate as nextTurn } from 'node:timers/promises';
import { backfillRunSummarySchema, type BackfillCheckpoint, type BackfillListStatus, type BackfillRunSummary, type BackfillStatus } from '../../shared/backfill';
import { MAX_APPENDED_BARS } from '../../shared/contract';
import { runIds, type Bar, type Instrument } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import { nominalTimeframeMs, type Timeframe } from '../../shared/timeframes';
import type { EventBus } from '../events';
import { failureReason, providerError, providerNames } from '../providers/provider-errors';
import type { JobContext, JobRunner } from '../jobs/job-runner';
import type { ProviderTurns } from '../jobs/provider-turns';
import type { Logger } from '../ports';
import { timeWindows, utcDate } from '../providers/adapter-support';
import type { ProviderAdapter, ProviderCapabilities } from '../providers/types';
import { INTERRUPTED_JOB_ERROR } from '../storage/job-run-repository';
import type { Storage } from '../storage/types';
import { validateBar } from '../bars/validate-bar';
import { keyFingerprint, PlanDepths, type ProviderPlan } from '../providers/plan-depth';

const DAY_MS = 86_400_000;
/** Rejection reasons kept per run; the count covers all of them. */
const KEPT_REJECTIONS = 10;
/**
 * Bars per write. A page holds up to 50,000 (Polygon), and writing them at once would hold
 * the event loop for over 100 ms (SQLite writes synchronously; Postgres spends long turning
 * the numbers into text), so a page is written in batches with an event-loop turn before
 * each, every batch committed together with a checkpoint just after its last bar.
 */
const WRITE_BATCH_BARS = 5_000;
/**
 * Plan searches per run. The first finds the plan's start; a second is only needed when a
 * plan's window moved on during the run. Past that the refusal is the run's error.
 */
const MAX_PLAN_SEARCHES = 2;

export interface BackfillRequest {
  adapter: ProviderAdapter;
  instrument: Instrument;
  timeframe: Timeframe;
  /** Inclusive, UTC epoch ms. */
  from: number;
  /** Exclusive, UTC epoch ms; absent = now, or the end of an unfinished backfill from `from`. */
  to?: number;
}

/** A backfill inside a job that is already running (a scheduled update), under a checkpoint id of the caller's choosing. */
export interface BackfillWithinRequest extends BackfillRequest {
  to: number;
  checkpointId: string;
}

/** What a job run records about the backfills it ran, by checkpoint id; read back by `lastRun` after a restart. */
export interface BackfillRunDetails extends Record<string, unknown> {
  backfills: Record<string, BackfillRunSummary>;
}

export function newBackfillRunDetails(): BackfillRunDetails {
  return { backfills: {} };
}

export interface StartedBackfill {
  runId: string;
  checkpointId: string;
  /** Settles when the job ends; rejects with the job's error. */
  finished: Promise<BackfillRunSummary>;
}

export interface BackfillDeps {
  storage: Storage;
  jobs: JobRunner;
  events: EventBus;
  logger: Logger;
  now: () => number;
  /** Shared with the scheduler, so manual backfills and scheduled jobs of a provider take turns. */
  turns: ProviderTurns;
  /** The key in use and what Settings say of the provider's plan; without it every key is one account with nothing stated. */
  providerPlan?: (provider: ProviderAdapter['id']) => Promise<ProviderPlan>;
}

/** Same provider, symbol, timeframe and range → same checkpoint, so a re-run resumes it. */
export function backfillCheckpointId(provider: string, symbol: string, timeframe: Timeframe, from: number, to: number): string {
  return `${provider}:${symbol}:${timeframe}:${from}-${to}`;
}

/**
 * Provider-sized windows of [from, to): as many bars as one request returns, starting no
 * earlier than the history depth the provider documents for every plan (Yahoo's 30 days of
 * 1m bars); a plan's own limit is learned from the provider instead (see plan-depth.ts).
 */
export function planBackfillChunks(
  capabilities: ProviderCapabilities,
  timeframe: Timeframe,
  from: number,
  to: number,
  now: number,
): { start: number; end: number }[] {
  const depthDays = capabilities.historyDepthDays[timeframe];
  const step = nominalTimeframeMs(timeframe);
  // On a bar boundary, so the first request starts with a whole bar.
  const earliest = depthDays === undefined || depthDays === null ? from : Math.ceil((now - depthDays * DAY_MS) / step) * step;
  const span = capabilities.maxBarsPerRequest * step;
  return [...timeWindows(Math.max(from, earliest), to, span)];
}

/**
 * Backfills: one job per run, a checkpoint committed with every page of bars, resume
 * from the checkpoint after a crash, cancel through the job. Backfills from one provider
 * take turns with each other and with scheduled jobs (see ProviderTurns); the adapter's own
 * rate limiter paces the requests.
 */
export class Backfills {
  private readonly active = new Set<string>();
  private readonly lastRuns = new Map<string, BackfillRunSummary>();
  private readonly plans: PlanDepths;

  constructor(private readonly deps: BackfillDeps) {
    this.plans = new PlanDepths({
      storage: deps.storage,
      logger: deps.logger,
      now: deps.now,
      plan: deps.providerPlan ?? (async () => ({ keyFingerprint: keyFingerprint(undefined) })),
    });
  }

  /**
   * What the latest run of a checkpoint did: from memory when this process ran it, else from
   * the job run that recorded it.
   */
  async lastRun(checkpoint: BackfillCheckpoint): Promise<BackfillRunSummary | undefined> {
    const remembered = this.lastRuns.get(checkpoint.id);
    if (remembered) return remembered;
    if (checkpoint.jobRunId === null) return undefined;
    const run = await this.deps.storage.jobRuns.get(checkpoint.jobRunId);
    const recorded: Partial<BackfillRunSummary> | undefined = (run?.details as Partial<BackfillRunDetails> | null | undefined)?.backfills?.[checkpoint.id];
    // A run recorded before 0.2 names itself only by `jobId`.
    const parsed = backfillRunSummarySchema.safeParse(recorded && { ...recorded, runId: recorded.runId ?? recorded.jobId });
    return parsed.success ? parsed.data : undefined;
  }

  /**
   * The checkpoint's status as it stands. One still marked `running` whose run is not: the
   * run's ending when it recorded one, `interrupted` when its process stopped first (the
   * job-run sweep says so at start-up for a process of this host, within minutes for others).
   */
  async currentStatus(checkpoint: BackfillCheckpoint): Promise<BackfillListStatus> {
    if (checkpoint.status !== 'running' || this.active.has(checkpoint.id)) return checkpoint.status;
    const run = checkpoint.jobRunId === null ? undefined : await this.deps.storage.jobRuns.get(checkpoint.jobRunId);
    if (run?.status === 'running') return 'running';
    if (run === undefined || run.error === INTERRUPTED_JOB_ERROR) return 'interrupted';
    return run.status === 'cancelled' ? 'cancelled' : 'failed';
  }

  /** Starts the job and answers once it has an id; the bars arrive in the background. */
  async backfillRange(request: BackfillRequest): Promise<StartedBackfill> {
    const { storage, jobs, now } = this.deps;
    const { adapter, instrument, timeframe, from } = request;
    const symbol = instrument.symbol;
    this.checkTimeframe(adapter, timeframe);
    const unfinished = await storage.backfillCheckpoints.findUnfinished({
      provider: adapter.id,
      symbol,
      timeframe,
      rangeFrom: from,
      rangeTo: request.to ?? null,
    });
    const to = request.to ?? unfinished?.rangeTo ?? now();
    if (from >= to) throw new AppError('VALIDATION', '`from` must be before `to`.');
    const checkpointId = backfillCheckpointId(adapter.id, symbol, timeframe, from, to);
    this.checkRunnable(adapter, symbol, timeframe, checkpointId, from, to);

    this.active.add(checkpointId);
    const description = `Backfill ${symbol} ${timeframe} from ${adapter.id}, ${new Date(from).toISOString()} to ${new Date(to).toISOString()}`;
    try {
      const started = await jobs.start('backfill', description, 'bars', (ctx) => {
        const details = newBackfillRunDetails();
        ctx.recordDetails(details);
        return this.run(ctx, request, { checkpointId, to, unfinished, holdsTurn: false }, details);
      });
      const finished = started.finished.finally(() => this.active.delete(checkpointId));
      // Callers that only want the ids may never look at `finished`; its failure is recorded with the job.
      finished.catch(() => undefined);
      return { runId: started.runId, checkpointId, finished };
    } catch (error) {
      this.active.delete(checkpointId);
      throw error;
    }
  }

  /**
   * Backfills [from, to) inside the caller's job (a scheduled update of several symbols is
   * one run), with the same chunking, checkpoints and validation as `backfillRange`. The
   * caller holds the provider's turn. Starts afresh each time: the caller picks `from` from
   * what is stored.
   */
  async backfillWithin(ctx: JobContext, request: BackfillWithinRequest, details: BackfillRunDetails): Promise<BackfillRunSummary> {
    const { adapter, instrument, timeframe, from, to, checkpointId } = request;
    this.checkTimeframe(adapter, timeframe);
    this.checkRunnable(adapter, instrument.symbol, timeframe, checkpointId, from, to);
    this.active.add(checkpointId);
    try {
      return (await this.run(ctx, request, { checkpointId, to, unfinished: undefined, holdsTurn: true }, details)).value;
    } finally {
      this.active.delete(checkpointId);
    }
  }

  private checkTimeframe(adapter: ProviderAdapter, timeframe: Timeframe): void {
    if (!adapter.capabilities.timeframes.includes(timeframe)) {
      throw new AppError('VALIDATION', `${adapter.id} has no ${timeframe} bars; it serves ${adapter.capabilities.timeframes.join(', ')}.`);
    }
  }

  private checkRunnable(adapter: ProviderAdapter, symbol: string, timeframe: Timeframe, checkpointId: string, from: number, to: number): void {
    if (this.active.has(checkpointId)) throw new AppError('CONFLICT', `A backfill of ${symbol} ${timeframe} from ${adapter.id} over this range is already running.`);
    if (planBackfillChunks(adapter.capabilities, timeframe, from, to, this.deps.now()).length === 0) {
      throw new AppError('VALIDATION', `${adapter.id} keeps ${timeframe} bars for ${adapter.capabilities.historyDepthDays[timeframe]} days only; the range ends before that.`);
    }
  }

  private async run(
    ctx: JobContext,
    request: BackfillRequest,
    plan: { checkpointId: string; to: number; unfinished: BackfillCheckpoint | undefined; holdsTurn: boolean },
    details: BackfillRunDetails,
  ): Promise<{ value: BackfillRunSummary; rows: number }> {
    const { storage, events, logger, now } = this.deps;
    const { adapter, instrument, timeframe, from } = request;
    const symbol = instrument.symbol;
    const previous = plan.unfinished?.id === plan.checkpointId ? plan.unfinished : undefined;
    const resumeAt = previous?.resumeFrom ?? from;
    let checkpoint: BackfillCheckpoint = {
      id: plan.checkpointId,
      provider: adapter.id,
      symbol,
      timeframe,
      rangeFrom: from,
      rangeTo: plan.to,
      resumeFrom: resumeAt,
      rowsWritten: previous?.rowsWritten ?? 0,
      status: 'running',
      jobRunId: ctx.runId,
      updatedAt: now(),
    };
    let knownPlan = await this.plans.known(adapter.id, timeframe);
    // A known plan start after the whole range is asked about anyway: the plan may have changed, and a refusal says so.
    const planCutsRange = knownPlan !== undefined && knownPlan.historyStart > from && knownPlan.historyStart < plan.to ? knownPlan : undefined;
    if (planCutsRange && planCutsRange.historyStart > resumeAt) {
      checkpoint = { ...checkpoint, resumeFrom: planCutsRange.historyStart };
      logger.info('backfill starts where the plan history does', { checkpointId: checkpoint.id, requested: resumeAt, planStart: planCutsRange });
    }
    await storage.backfillCheckpoints.save(checkpoint);

    let chunks = planBackfillChunks(adapter.capabilities, timeframe, checkpoint.resumeFrom, plan.to, now());
    let startedFrom = chunks[0]?.start ?? checkpoint.resumeFrom;
    if (startedFrom > checkpoint.resumeFrom) {
      logger.info('backfill starts where the provider history does', { checkpointId: checkpoint.id, requested: resumeAt, startedFrom });
    }
    const summary: BackfillRunSummary = {
      ...runIds(ctx.runId),
      status: 'running',
      startedFrom,
      resumed: previous !== undefined,
      chunks: chunks.length,
      pages: 0,
      received: 0,
      inserted: 0,
      updated: 0,
      unchanged: 0,
      rejected: 0,
      rejections: [],
      error: null,
      errorCode: null,
      plan: planCutsRange ? { historyStart: planCutsRange.historyStart, source: planCutsRange.source === 'settings' ? 'settings' : 'remembered', probes: 0 } : null,
    };
    this.lastRuns.set(checkpoint.id, summary);
    details.backfills[checkpoint.id] = summary;
    // Progress in bars by time covered: providers skip closed hours, so a count would never reach its total.
    const step = nominalTimeframeMs(timeframe);
    let totalBars = Math.max(1, Math.ceil((plan.to - startedFrom) / step));
    // A short range ending now is the live end of the series: charts merge its bars in place.
    const liveTail = plan.to >= now() - step && totalBars <= MAX_APPENDED_BARS;
    const reportProgress = () =>
      ctx.progress(checkpoint.resumeFrom >= plan.to ? totalBars : Math.min(totalBars, Math.floor((checkpoint.resumeFrom - startedFrom) / step)), totalBars);

    const finish = async (status: BackfillStatus, error: unknown) => {
      summary.status = status;
      summary.error = error === null ? null : error instanceof Error ? error.message : String(error);
      summary.errorCode = error === null ? null : error instanceof AppError ? error.code : 'INTERNAL';
      try {
        await storage.backfillCheckpoints.updateStatus(checkpoint.id, status, now());
      } catch (statusError) {
        // The run's own error matters more; an unfinished checkpoint is resumable either way.
        logger.error('could not record the backfill status', { checkpointId: checkpoint.id, status, error: String(statusError) });
      }
    };

    let endTurn: (() => void) | undefined;
    try {
      // A scheduled update already holds the provider's turn for its whole run.
      if (!plan.holdsTurn) endTurn = await this.deps.turns.take(adapter.id, ctx.signal);
      let planSearches = 0;
      chunkLoop: for (let index = 0; index < chunks.length; index++) {
        const chunk = chunks[index]!;
        ctx.throwIfCancelled();
        const chunkFrom = Math.max(chunk.start, checkpoint.resumeFrom);
        let chunkPages = 0;
        try {
          for await (const page of adapter.fetchBars({ instrument, timeframe, from: chunkFrom, to: chunk.end, signal: ctx.signal })) {
            chunkPages++;
            summary.pages++;
            summary.received += page.bars.length;
            const accepted: Bar[] = [];
            let lastAccepted = checkpoint.resumeFrom - 1;
            for (const bar of page.bars) {
              const reason = validateBar(bar, lastAccepted);
              if (reason === null) {
                accepted.push(bar);
                lastAccepted = bar.time;
                continue;
              }
              summary.rejected++;
              if (summary.rejections.length < KEPT_REJECTIONS) summary.rejections.push(`${new Date(bar.time).toISOString()}: ${reason}`);
            }
            const lastTime = page.bars.at(-1)?.time;
            // After the last bar the provider sent, accepted or not: a rejected bar is reported, not fetched again.
            const pageEnd = lastTime === undefined ? checkpoint.resumeFrom : Math.max(checkpoint.resumeFrom, lastTime + 1);
            for (let start = 0; ; start += WRITE_BATCH_BARS) {
              const batch = accepted.slice(start, start + WRITE_BATCH_BARS);
              const more = start + WRITE_BATCH_BARS < accepted.length;
              // A crash between batches resumes just after the last one committed.
              const resumeFrom = more ? batch.at(-1)!.time + 1 : pageEnd;
              checkpoint = { ...checkpoint, resumeFrom, rowsWritten: checkpoint.rowsWritten + batch.length, updatedAt: now() };
              await nextTurn();
              const result = await storage.marketData.upsertBarsWithCheckpoint({ symbol, timeframe, source: page.source, bars: batch }, checkpoint);
              summary.inserted += result.inserted;
              summary.updated += result.updated;
              summary.unchanged += result.unchanged;
              ctx.addCommittedRows(result.inserted + result.updated);
              if (!more) break;
            }
            if (liveTail && accepted.length > 0 && accepted.length <= MAX_APPENDED_BARS) {
              events.emit('bars.appended', { symbol, timeframe, source: page.source, bars: accepted });
            } else if (accepted.length > 0) {
              events.emit('bars.changed', { symbol, timeframe, from: accepted[0]!.time, to: accepted.at(-1)!.time });
            }
            reportProgress();
          }
        } catch (error) {
          // A plan refuses a request by where it starts, so only a chunk's first page can be refused for its age.
          if (chunkPages > 0 || failureReason(error) !== 'plan' || planSearches >= MAX_PLAN_SEARCHES) throw error;
          planSearches++;
          const learned = await this.plans.learn({ adapter, instrument, timeframe, refusedAt: chunkFrom, rangeEnd: plan.to, previous: knownPlan, signal: ctx.signal });
          if (learned === undefined) throw error;
          knownPlan = learned;
          summary.plan = { historyStart: learned.historyStart, source: 'probed', probes: (summary.plan?.source === 'probed' ? summary.plan.probes : 0) + learned.probes };
          if (learned.historyStart >= plan.to) {
            throw providerError(
              adapter.id,
              'plan',
              `Your ${providerNames[adapter.id]} plan starts ${timeframe} history at ${utcDate(learned.historyStart)}; the range asked for ends before that.`,
            );
          }
          checkpoint = { ...checkpoint, resumeFrom: learned.historyStart, updatedAt: now() };
          await storage.backfillCheckpoints.save(checkpoint);
          // The chunks already done stay counted; the rest are planned again from the plan's start.
          chunks = [...chunks.slice(0, index), ...planBackfillChunks(adapter.capabilities, timeframe, learned.historyStart, plan.to, now())];
          summary.chunks = chunks.length;
          if (index === 0) {
            startedFrom = learned.historyStart;
            summary.startedFrom = startedFrom;
            totalBars = Math.max(1, Math.ceil((plan.to - startedFrom) / step));
          }
          index--;
          continue chunkLoop;
        }
        checkpoint = { ...checkpoint, resumeFrom: Math.max(checkpoint.resumeFrom, chunk.end), updatedAt: now() };
        await storage.backfillCheckpoints.save(checkpoint);
        reportProgress();
      }
    } catch (error) {
      if (ctx.signal.aborted) {
        const cancelled = new AppError('CANCELLED', `The backfill of ${symbol} ${timeframe} was cancelled; run it again to resume.`);
        await finish('cancelled', cancelled);
        throw cancelled;
      }
      await finish('failed', error);
      throw error;
    } finally {
      endTurn?.();
      if (summary.rejected > 0) {
        logger.warn('backfill rejected bars', { checkpointId: checkpoint.id, rejected: summary.rejected, first: summary.rejections.slice(0, 3) });
      }
    }
    await finish('done', null);
    return { value: summary, rows: summary.inserted + summary.updated };
  }
}
