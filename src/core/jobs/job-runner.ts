import { randomUUID } from 'node:crypto';
import type { JobRun } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import type { EventBus } from '../events';
import type { HandlerMap } from '../handlers';
import type { Logger } from '../ports';
import type { JobRunRepository } from '../storage/types';

export interface JobContext {
  readonly jobId: string;
  readonly signal: AbortSignal;
  /** Reports progress; throttled so a tight loop cannot flood the event stream. */
  progress(done: number, total: number | null): void;
  /** Throws CANCELLED when the user cancelled the job; call between chunks. */
  throwIfCancelled(): void;
}

export interface JobOutcome<T> {
  value: T;
  /** Rows the job wrote, recorded with the run. */
  rows: number;
}

const PROGRESS_INTERVAL_MS = 200;

/**
 * The one way long work runs: it gets an id, a row in `job_runs`, throttled progress
 * events with rate and ETA, cooperative cancellation, and an ending that is always recorded.
 */
export class JobRunner {
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly runs: JobRunRepository,
    private readonly events: EventBus,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  async run<T>(
    kind: JobRun['kind'],
    description: string,
    unit: string,
    work: (ctx: JobContext) => Promise<JobOutcome<T>>,
  ): Promise<{ jobId: string; value: T }> {
    const jobId = randomUUID();
    const controller = new AbortController();
    const startedAt = this.now();
    await this.runs.start({ id: jobId, kind, description, startedAt });
    this.running.set(jobId, controller);

    let lastEmit = 0;
    const ctx: JobContext = {
      jobId,
      signal: controller.signal,
      progress: (done, total) => {
        const now = this.now();
        const finished = total !== null && done >= total;
        if (!finished && now - lastEmit < PROGRESS_INTERVAL_MS) return;
        lastEmit = now;
        const elapsedS = Math.max((now - startedAt) / 1000, 1e-3);
        const rate = done > 0 ? done / elapsedS : null;
        const etaMs = rate && total !== null ? Math.max(0, ((total - done) / rate) * 1000) : null;
        this.events.emit('job.progress', { jobId, kind, done, total, unit, rate, etaMs });
      },
      throwIfCancelled: () => {
        if (controller.signal.aborted) throw new AppError('CANCELLED', `${description} was cancelled`);
      },
    };

    try {
      const outcome = await work(ctx);
      await this.end(jobId, kind, 'succeeded', outcome.rows, null);
      return { jobId, value: outcome.value };
    } catch (error) {
      const cancelled = error instanceof AppError && error.code === 'CANCELLED';
      const message = error instanceof Error ? error.message : String(error);
      if (!cancelled) this.logger.warn('job failed', { jobId, kind, error: message });
      await this.end(jobId, kind, cancelled ? 'cancelled' : 'failed', 0, message);
      throw error;
    } finally {
      this.running.delete(jobId);
    }
  }

  cancel(jobId: string): boolean {
    const controller = this.running.get(jobId);
    if (!controller) return false;
    controller.abort();
    return true;
  }

  /** Aborts every running job, for shutdown. */
  cancelAll(): void {
    for (const controller of this.running.values()) controller.abort();
  }

  handlers(): HandlerMap {
    return {
      'jobs.runs': async ({ kind, limit }) => ({ runs: await this.runs.list({ kind, limit }) }),
      'jobs.cancel': ({ jobId }) => ({ jobId, cancelled: this.cancel(jobId) }),
    };
  }

  private async end(
    jobId: string,
    kind: JobRun['kind'],
    status: Exclude<JobRun['status'], 'running'>,
    rows: number,
    error: string | null,
  ): Promise<void> {
    try {
      await this.runs.finish(jobId, { status, finishedAt: this.now(), rows, error });
    } catch (recordError) {
      // The database may be what failed; the job's ending still reaches the UI.
      this.logger.error('could not record job ending', { jobId, error: String(recordError) });
    }
    this.events.emit('job.finished', { jobId, kind, status, rows, error });
  }
}
