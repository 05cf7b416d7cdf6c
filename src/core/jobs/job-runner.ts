import { randomUUID } from 'node:crypto';
import { runIds, type JobRun } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import type { EventBus } from '../events';
import type { Logger } from '../ports';
import { ownerIsGone } from './process-owner';
import type { JobRunDetails, JobRunRepository } from '../storage/types';

export interface JobContext {
  readonly runId: string;
  readonly signal: AbortSignal;
  /** Reports progress; throttled so a tight loop cannot flood the event stream. */
  progress(done: number, total: number | null): void;
  /** Throws CANCELLED when the user cancelled the job; call between chunks. */
  throwIfCancelled(): void;
  /**
   * What the run has to say beyond rows and error (a backfill's summary), stored with its
   * ending however it ends; the object may keep changing until then.
   */
  recordDetails(details: JobRunDetails): void;
  /**
   * Adds rows just committed for good (a chunk's transaction), so a run that stops later,
   * failed or cancelled, still records what it wrote rather than 0.
   */
  addCommittedRows(rows: number): void;
}

export interface JobOutcome<T> {
  value: T;
  /** Rows the job wrote, recorded with the run. */
  rows: number;
}

export interface StartedJob<T> {
  runId: string;
  /** Settles when the job ends; rejects with the job's error. */
  finished: Promise<T>;
}

export interface JobRunnerOptions {
  /** This process, as recorded on its runs; see JobRunRepository.failInterrupted. */
  owner: string;
  /** Said after the description of every run started while it gives something (a team desktop working offline). */
  note?: () => string | null;
}

const PROGRESS_INTERVAL_MS = 200;
/** How often a process stamps its running runs as alive and sweeps up runs of processes that stopped. */
export const HEARTBEAT_INTERVAL_MS = 30_000;
/** Four missed heartbeats: a run this quiet belongs to a process that is gone. */
export const STALE_RUN_MS = 4 * HEARTBEAT_INTERVAL_MS;

/**
 * The one way long work runs: it gets an id, a row in `job_runs`, throttled progress
 * events with rate and ETA, cooperative cancellation, and an ending that is always recorded.
 */
export class JobRunner {
  private readonly running = new Map<string, AbortController>();
  /** What each running job is, for callers that allow one of a kind at a time. */
  private readonly kinds = new Map<string, { kind: JobRun['kind']; description: string }>();
  /** The endings of the running jobs, so a closing core can wait for them to be recorded. */
  private readonly endings = new Map<string, Promise<unknown>>();
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  /** Endings not yet recorded because the database was unreachable when the job ended. */
  private readonly pendingEndings = new Map<string, Parameters<JobRunRepository['finish']>[1]>();

  constructor(
    private readonly runs: JobRunRepository,
    private readonly events: EventBus,
    private readonly logger: Logger,
    private readonly now: () => number,
    private readonly options: JobRunnerOptions,
  ) {}

  /** Runs `work` to its end. */
  async run<T>(
    kind: JobRun['kind'],
    description: string,
    unit: string,
    work: (ctx: JobContext) => Promise<JobOutcome<T>>,
    options: { ingestJobId?: string | null } = {},
  ): Promise<{ runId: string; value: T }> {
    const { runId, finished } = await this.start(kind, description, unit, work, options);
    return { runId, value: await finished };
  }

  /** Records the run and starts `work`; answers with the run's id as soon as it is recorded. */
  async start<T>(
    kind: JobRun['kind'],
    description: string,
    unit: string,
    work: (ctx: JobContext) => Promise<JobOutcome<T>>,
    options: { ingestJobId?: string | null } = {},
  ): Promise<StartedJob<T>> {
    const runId = randomUUID();
    const controller = new AbortController();
    const startedAt = this.now();
    const note = this.options.note?.();
    await this.runs.start({ id: runId, kind, description: note ? `${description} (${note})` : description, startedAt, owner: this.options.owner, ingestJobId: options.ingestJobId ?? null });
    this.running.set(runId, controller);
    this.kinds.set(runId, { kind, description });

    let lastEmit = 0;
    let details: JobRunDetails | null = null;
    let committedRows = 0;
    const ctx: JobContext = {
      runId,
      signal: controller.signal,
      progress: (done, total) => {
        const now = this.now();
        const finished = total !== null && done >= total;
        if (!finished && now - lastEmit < PROGRESS_INTERVAL_MS) return;
        lastEmit = now;
        const elapsedS = Math.max((now - startedAt) / 1000, 1e-3);
        const rate = done > 0 ? done / elapsedS : null;
        const etaMs = rate && total !== null ? Math.max(0, ((total - done) / rate) * 1000) : null;
        this.events.emit('job.progress', { ...runIds(runId), kind, done, total, unit, rate, etaMs });
      },
      throwIfCancelled: () => {
        if (controller.signal.aborted) throw new AppError('CANCELLED', `${description} was cancelled`);
      },
      recordDetails: (value) => {
        details = value;
      },
      addCommittedRows: (rows) => {
        committedRows += rows;
      },
    };

    const finished = (async () => {
      try {
        const outcome = await work(ctx);
        await this.end(runId, kind, 'succeeded', outcome.rows, null, details);
        return outcome.value;
      } catch (thrown) {
        // A cancel with a reason (a timeout) ends the run failed with that reason, not as a user's cancel.
        const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
        const error = reason instanceof AppError ? reason : thrown;
        const cancelled = error instanceof AppError && error.code === 'CANCELLED';
        const message = error instanceof Error ? error.message : String(error);
        if (!cancelled) this.logger.warn('job failed', { runId, kind, error: message });
        await this.end(runId, kind, cancelled ? 'cancelled' : 'failed', committedRows, message, details);
        throw error;
      } finally {
        this.running.delete(runId);
        this.kinds.delete(runId);
      }
    })();
    this.endings.set(
      runId,
      finished.catch(() => undefined).finally(() => this.endings.delete(runId)),
    );
    return { runId, finished };
  }

  isRunning(runId: string): boolean {
    return this.running.has(runId);
  }

  /**
   * Aborts a running job. Without `reason` it ends `cancelled`; with one (a timeout) it ends
   * `failed` with the reason's message.
   */
  cancel(runId: string, reason?: AppError): boolean {
    const controller = this.running.get(runId);
    if (!controller) return false;
    controller.abort(reason);
    return true;
  }

  /**
   * Fails runs that processes which stopped left `running`, then keeps this process's runs
   * stamped alive and sweeps again every HEARTBEAT_INTERVAL_MS until `stopHeartbeat`.
   * The timer never keeps the process alive by itself.
   */
  async startHeartbeat(): Promise<void> {
    await this.sweepInterrupted();
    if (this.heartbeatTimer) return;
    this.heartbeatTimer = setInterval(() => void this.beat(), HEARTBEAT_INTERVAL_MS);
    this.heartbeatTimer.unref?.();
  }

  stopHeartbeat(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private async beat(): Promise<void> {
    try {
      if (this.running.size > 0) await this.runs.heartbeat(this.options.owner, this.now());
      await this.sweepInterrupted();
    } catch (error) {
      // A database that is down now may be back at the next beat; the runs stay fresh within STALE_RUN_MS.
      this.logger.warn('could not record the job heartbeat', { error: String(error) });
    }
    try {
      await this.recordPendingEndings();
    } catch (error) {
      // Apart from the heartbeat: a team desktop working offline keeps its runs on the cache alive while
      // the endings of runs it started on the team database wait there for the server.
      this.logger.warn('could not record the ending of a job yet', { error: String(error) });
    }
  }

  private async sweepInterrupted(): Promise<void> {
    const now = this.now();
    const { owner } = this.options;
    const goneOwners = (await this.runs.runningOwners()).filter((other) => other !== owner && ownerIsGone(other));
    const failed = await this.runs.failInterrupted({ now, staleBefore: now - STALE_RUN_MS, exceptOwner: owner, goneOwners });
    if (failed > 0) this.logger.warn('marked jobs of a process that stopped as failed', { count: failed });
  }

  /**
   * Records endings the database missed while it was down. Other processes' sweeps skip runs
   * of a live owner, so without this a run that ended during an outage stayed "running".
   */
  private async recordPendingEndings(): Promise<void> {
    for (const [runId, ending] of this.pendingEndings) {
      await this.runs.finish(runId, ending);
      this.pendingEndings.delete(runId);
      this.logger.info('recorded the ending of a job once the database was back', { runId, status: ending.status });
    }
  }

  /** Aborts every running job but `except` (a restore switching the database under the others), for shutdown. */
  cancelAll(except?: string): void {
    for (const [runId, controller] of this.running) if (runId !== except) controller.abort();
  }

  /** Resolves when every job running now but `except` has ended and its ending is recorded (or queued for the next heartbeat). */
  async settled(except?: string): Promise<void> {
    await Promise.all([...this.endings].filter(([runId]) => runId !== except).map(([, ending]) => ending));
  }

  /** The running jobs of these kinds, oldest first. */
  runningOf(kinds: readonly JobRun['kind'][]): { runId: string; kind: JobRun['kind']; description: string }[] {
    return [...this.kinds].filter(([, job]) => kinds.includes(job.kind)).map(([runId, job]) => ({ runId, ...job }));
  }

  private async end(
    runId: string,
    kind: JobRun['kind'],
    status: Exclude<JobRun['status'], 'running'>,
    rows: number,
    error: string | null,
    details: JobRunDetails | null,
  ): Promise<void> {
    const ending = { status, finishedAt: this.now(), rows, error, details };
    try {
      await this.runs.finish(runId, ending);
    } catch (recordError) {
      // The database may be what failed; the job's ending still reaches the UI, and the next heartbeat records it.
      this.logger.error('could not record job ending; trying again at the next heartbeat', { runId, error: String(recordError) });
      this.pendingEndings.set(runId, ending);
    }
    this.events.emit('job.finished', { ...runIds(runId), kind, status, rows, error });
  }
}
