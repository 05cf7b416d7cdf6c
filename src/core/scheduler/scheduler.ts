import { randomUUID } from 'node:crypto';
import { AppError } from '../../shared/errors';
import type { EventMessage } from '../../shared/contract';
import { isWorkspaceJob, needsProvider, type IngestJob, type SchedulerState } from '../../shared/scheduler';
import type { EventBus } from '../events';
import { formatWait } from '../providers/provider-errors';
import type { JobContext, JobOutcome, JobRunner } from '../jobs/job-runner';
import type { ProviderTurns } from '../jobs/provider-turns';
import type { StoredIngestJob } from '../storage/types';
import { raiseAlertUnlessOpen } from '../alerts/alerts';
import { CronSchedule } from './cron';
import { checkDependencies } from './dependencies';
import { executors as defaultExecutors, progressUnits, type Executor, type ExecutorDeps, type ExecutorResult } from './executors';
import { retryDelayMs, shouldRetry } from './retry';
import { checkJobDefinition, type JobDefinition } from './validate-job';

/** Time and randomness, injected so tests step through schedules, retries and timeouts without sleeping. */
export interface SchedulerClock {
  now(): number;
  /** Calls `callback` once after `delayMs`; the returned function cancels it. */
  setTimer(callback: () => void, delayMs: number): () => void;
  /** Uniform in [0, 1), for retry jitter. */
  random(): number;
}

/** How often a running scheduler takes in jobs other processes sharing the database changed. */
const SYNC_INTERVAL_MS = 60_000;

/** setTimeout's longest delay; a schedule further away is waited for in several steps. */
const MAX_TIMER_DELAY_MS = 2_147_483_647;

/** A job's fields in a fixed order, so a job read back from the database compares equal to the one held. */
function canonicalJob(job: StoredIngestJob): string {
  return JSON.stringify(Object.entries(job).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Real timers that never keep a process alive by themselves: the host (server, app) does. */
export function systemClock(now: () => number): SchedulerClock {
  return {
    now,
    setTimer: (callback, delayMs) => {
      const timer = setTimeout(callback, Math.max(0, delayMs));
      timer.unref();
      return () => clearTimeout(timer);
    },
    random: Math.random,
  };
}

export interface SchedulerDeps extends ExecutorDeps {
  jobs: JobRunner;
  events: EventBus;
  turns: ProviderTurns;
  clock: SchedulerClock;
  /** Replaced in unit tests, which exercise the scheduling rather than the providers. */
  executors?: Readonly<Record<StoredIngestJob['kind'], Executor>>;
  /**
   * The storage is a team desktop's cache, standing in for the team database it cannot reach:
   * jobs about the whole workspace (backups, drills, retention) concern that database and wait for it.
   */
  offline?: boolean;
}

interface JobState {
  job: StoredIngestJob;
  schedule: CronSchedule | null;
  nextRunAt: number | null;
  cancelTimer: (() => void) | undefined;
  /** `running` covers waiting for the provider's turn; `retrying` is the wait between attempts. */
  phase: 'idle' | 'running' | 'retrying';
  runningRunId: string | null;
  cancelRetry: (() => void) | undefined;
  /** Bars of a `predict` job's series landed while it was busy: it runs again when it ends. */
  barsPending: boolean;
}

type Firing = { cause: 'schedule'; scheduledAt: number } | { cause: 'dependency' } | { cause: 'bars' } | { cause: 'drift' };

export type JobPatch = Partial<JobDefinition>;

/**
 * Runs ingest jobs declared as data: on their cron schedule (read in the job's time zone),
 * after the jobs they depend on, or on demand. Every attempt is a JobRunner job with its own
 * job_runs row linked to the ingest job; jobs of one provider take turns with each other and
 * with manual backfills; transient failures are retried with backoff, and a run that still
 * fails raises an alert. Schedules fire only between `start` and `stop` (long-running hosts);
 * everything else works in every host.
 */
export class Scheduler {
  private readonly states = new Map<string, JobState>();
  private readonly executors: Readonly<Record<StoredIngestJob['kind'], Executor>>;
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private cancelSync: (() => void) | undefined;
  private unsubscribeBars: (() => void) | undefined;
  /** Edits apply one at a time, so two edits never validate against the same stale set of jobs. */
  private edits: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: SchedulerDeps) {
    this.executors = deps.executors ?? defaultExecutors;
  }

  /** Reads the jobs from the database; call once before anything else. */
  async load(): Promise<void> {
    for (const job of await this.deps.storage.ingestJobs.list()) this.states.set(job.id, this.newState(job));
  }

  /**
   * Takes in what other processes sharing the database changed: jobs they created, edited,
   * paused or deleted. Each firing is claimed in the database, so two processes knowing a job
   * still run each scheduled time once.
   */
  sync(): Promise<void> {
    return this.edit(async () => {
      const stored = new Map((await this.deps.storage.ingestJobs.list()).map((job) => [job.id, job]));
      for (const [id, state] of this.states) {
        if (stored.has(id)) continue;
        this.states.delete(id);
        this.disarm(state);
        state.cancelRetry?.();
        if (state.runningRunId) this.deps.jobs.cancel(state.runningRunId);
      }
      for (const job of stored.values()) {
        const state = this.states.get(job.id);
        if (!state) {
          const added = this.newState(job);
          this.states.set(job.id, added);
          this.arm(added);
        } else if (canonicalJob(state.job) !== canonicalJob(job)) {
          this.replace(state, job);
        }
      }
    });
  }

  /** Starts firing schedules; jobs whose schedule came and went while stopped wait for the next time. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const state of this.states.values()) this.arm(state);
    this.armSync();
    this.unsubscribeBars = this.deps.events.subscribe((message) => this.barsLanded(message));
    this.deps.logger.info('scheduler started', { jobs: this.states.size });
  }

  private armSync(): void {
    this.cancelSync = this.deps.clock.setTimer(() => {
      this.track(
        this.sync().catch((error: unknown) => this.deps.logger.warn('could not read the scheduled jobs', { error: String(error) })),
      );
      if (this.running) this.armSync();
    }, SYNC_INTERVAL_MS);
  }

  /** Stops firing schedules and drops pending retries; runs in progress go on (the core cancels them on close). */
  stop(): void {
    this.running = false;
    this.cancelSync?.();
    this.cancelSync = undefined;
    this.unsubscribeBars?.();
    this.unsubscribeBars = undefined;
    for (const state of this.states.values()) {
      this.disarm(state);
      if (state.phase === 'retrying') {
        state.cancelRetry?.();
        state.cancelRetry = undefined;
        state.phase = 'idle';
      }
    }
  }

  /** Settles once every run this scheduler started has ended and been recorded. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  state(): SchedulerState {
    return { state: this.running ? 'running' : 'stopped', queued: this.deps.turns.queued };
  }

  /** In the storage's order (oldest first, then by id), so the list reads the same before and after a restart. */
  async list(): Promise<IngestJob[]> {
    await this.sync();
    const states = [...this.states.values()].sort((a, b) => a.job.createdAt - b.job.createdAt || (a.job.id < b.job.id ? -1 : a.job.id > b.job.id ? 1 : 0));
    return Promise.all(states.map((state) => this.describe(state)));
  }

  async get(id: string): Promise<IngestJob> {
    return this.describe(this.stateOf(id));
  }

  create(definition: JobDefinition): Promise<IngestJob> {
    return this.edit(async () => {
      const now = this.deps.clock.now();
      const job = withoutUnusedProvider({ ...definition, id: randomUUID(), enabled: true, createdAt: now, updatedAt: now });
      await this.check(job);
      await this.deps.storage.ingestJobs.create(job);
      const state = this.newState(job);
      this.states.set(job.id, state);
      this.arm(state);
      await this.audit('jobs.create', job);
      return this.describe(state);
    });
  }

  update(id: string, patch: JobPatch): Promise<IngestJob> {
    return this.edit(async () => {
      const state = this.stateOf(id);
      const changed = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as JobPatch;
      const job = withoutUnusedProvider({ ...state.job, ...changed, id, updatedAt: this.deps.clock.now() });
      await this.check(job);
      await this.deps.storage.ingestJobs.update(job);
      this.replace(state, job);
      await this.audit('jobs.update', job, { changed: Object.keys(changed) });
      return this.describe(state);
    });
  }

  /** Pause keeps the schedule but stops it firing; run-now still works. */
  setEnabled(id: string, enabled: boolean): Promise<IngestJob> {
    return this.edit(async () => {
      const state = this.stateOf(id);
      if (state.job.enabled !== enabled) {
        const job = { ...state.job, enabled, updatedAt: this.deps.clock.now() };
        await this.deps.storage.ingestJobs.update(job);
        this.replace(state, job);
        await this.audit(enabled ? 'jobs.resume' : 'jobs.pause', job);
      }
      return this.describe(state);
    });
  }

  /** Deletes the job and cancels its run or pending retry; refused while other jobs depend on it. */
  delete(id: string): Promise<boolean> {
    return this.edit(async () => {
      const state = this.states.get(id);
      if (!state) return false;
      const dependents = [...this.states.values()].filter((other) => other.job.dependsOn.includes(id));
      if (dependents.length > 0) {
        throw new AppError(
          'CONFLICT',
          `"${state.job.name}" cannot be deleted while ${dependents.map((d) => `"${d.job.name}"`).join(', ')} ${dependents.length === 1 ? 'depends' : 'depend'} on it.`,
        );
      }
      this.states.delete(id);
      this.disarm(state);
      state.cancelRetry?.();
      if (state.runningRunId) this.deps.jobs.cancel(state.runningRunId);
      const deleted = await this.deps.storage.ingestJobs.delete(id);
      await this.audit('jobs.delete', state.job);
      return deleted;
    });
  }

  /** Starts a run now, whatever the schedule, pause or dependencies say; answers with the job run's id. */
  async runNow(id: string): Promise<string> {
    const state = this.stateOf(id);
    if (this.waitsForTeamDatabase(state.job)) {
      throw new AppError('UNAVAILABLE', `"${state.job.name}" works on the team database, which cannot be reached now; run it once it is back.`);
    }
    if (state.phase === 'running') throw new AppError('CONFLICT', `"${state.job.name}" is already running; wait for it to finish or cancel it.`);
    if (state.phase === 'retrying') throw new AppError('CONFLICT', `"${state.job.name}" is waiting to retry a failed run; cancel that first by pausing the job.`);
    const [latest] = await this.deps.storage.jobRuns.list({ ingestJobId: id, limit: 1 });
    if (latest?.status === 'running') throw new AppError('CONFLICT', `"${state.job.name}" is running in another Metalytics process.`);
    return this.startAttempt(state, 1);
  }

  /**
   * Runs the enabled train jobs that retrain `modelName` on `symbol`, as drift asks; false when
   * there is none, and the caller retrains by itself.
   */
  async retrain(modelName: string, symbol: string): Promise<boolean> {
    const matching = [...this.states.values()].filter(
      (state) => state.job.kind === 'train' && state.job.enabled && state.job.modelName === modelName && state.job.symbols.includes(symbol),
    );
    await Promise.all(matching.map((state) => this.trigger(state, { cause: 'drift' })));
    return matching.length > 0;
  }

  /** New bars of a series start the `predict` jobs of that series, once each however many pages arrive together. */
  private barsLanded(message: EventMessage): void {
    if (message.name !== 'bars.appended' && message.name !== 'bars.changed') return;
    const { symbol, timeframe } = message.payload;
    for (const state of this.states.values()) {
      const { job } = state;
      if (job.kind !== 'predict' || !job.enabled || job.timeframe !== timeframe || !job.symbols.includes(symbol)) continue;
      if (state.phase !== 'idle') {
        state.barsPending = true;
        continue;
      }
      this.track(this.trigger(state, { cause: 'bars' }));
    }
  }

  private newState(job: StoredIngestJob): JobState {
    return {
      job,
      schedule: this.scheduleOf(job),
      nextRunAt: null,
      cancelTimer: undefined,
      phase: 'idle',
      runningRunId: null,
      cancelRetry: undefined,
      barsPending: false,
    };
  }

  private replace(state: JobState, job: StoredIngestJob): void {
    state.job = job;
    state.schedule = this.scheduleOf(job);
    if (!job.enabled && state.phase === 'retrying') {
      state.cancelRetry?.();
      state.cancelRetry = undefined;
      state.phase = 'idle';
    }
    this.arm(state);
  }

  /**
   * The job's parsed schedule. One stored by an older version that this one cannot read (a
   * time zone gone from the runtime) does not fire, rather than keep the app from starting.
   */
  private scheduleOf(job: StoredIngestJob): CronSchedule | null {
    if (job.schedule === null) return null;
    try {
      return new CronSchedule(job.schedule, job.timezone);
    } catch (error) {
      this.deps.logger.warn('a scheduled job has a schedule that cannot be read; it runs on demand only until edited', {
        job: job.id,
        error: error instanceof Error ? error.message : String(error),
      });
      return null;
    }
  }

  private stateOf(id: string): JobState {
    const state = this.states.get(id);
    if (!state) throw new AppError('NOT_FOUND', `There is no scheduled job ${id}.`);
    return state;
  }

  private edit<T>(work: () => Promise<T>): Promise<T> {
    const result = this.edits.then(work);
    this.edits = result.catch(() => undefined);
    return result;
  }

  private async check(job: StoredIngestJob): Promise<void> {
    const adapter = job.provider === null ? null : await this.deps.providers.adapter(job.provider);
    const instruments = new Map((await this.deps.storage.instruments.list()).map((instrument) => [instrument.symbol, instrument]));
    checkJobDefinition(job, adapter, instruments);
    const others = [...this.states.values()].map((state) => state.job).filter((other) => other.id !== job.id);
    // The edited job first, so a cycle is told starting from it.
    checkDependencies([job, ...others]);
  }

  private async audit(action: string, job: StoredIngestJob, extra: Record<string, unknown> = {}): Promise<void> {
    await this.deps.storage.auditLog.record({
      at: this.deps.clock.now(),
      actor: 'user',
      action,
      details: { id: job.id, name: job.name, kind: job.kind, provider: job.provider, schedule: job.schedule, enabled: job.enabled, ...extra },
    });
  }

  private async describe(state: JobState): Promise<IngestJob> {
    const [lastRun] = await this.deps.storage.jobRuns.list({ ingestJobId: state.job.id, limit: 1 });
    const { job } = state;
    return {
      ...job,
      nextRunAt: state.nextRunAt,
      lastRun: lastRun ?? null,
      runningRunId: state.runningRunId,
      runningJobId: state.runningRunId,
    };
  }

  private disarm(state: JobState): void {
    state.cancelTimer?.();
    state.cancelTimer = undefined;
    state.nextRunAt = null;
  }

  /** Sets the timer for the schedule's next time, when the scheduler runs and the job is enabled. */
  private arm(state: JobState): void {
    this.disarm(state);
    if (!this.running || !state.job.enabled || !state.schedule) return;
    const { clock } = this.deps;
    const next = state.schedule.nextAfter(clock.now());
    if (next === null) return;
    state.nextRunAt = next;
    const wait = () => {
      const remaining = next - clock.now();
      if (remaining > 0) {
        state.cancelTimer = clock.setTimer(wait, Math.min(remaining, MAX_TIMER_DELAY_MS));
        return;
      }
      this.arm(state);
      this.track(this.trigger(state, { cause: 'schedule', scheduledAt: next }));
    };
    wait();
  }

  /**
   * A run the schedule or a dependency asks for: skipped while the job is busy or a dependency
   * has not succeeded, and a schedule time another process sharing the database fired already.
   */
  private async trigger(state: JobState, firing: Firing): Promise<void> {
    const { logger } = this.deps;
    const { cause } = firing;
    if (this.waitsForTeamDatabase(state.job)) {
      logger.info('scheduled run skipped: it works on the team database, which cannot be reached', { job: state.job.id, cause });
      return;
    }
    if (state.phase !== 'idle') {
      logger.info('scheduled run skipped: the previous one is still busy', { job: state.job.id, cause });
      return;
    }
    const blocker = await this.blocker(state.job);
    if (blocker !== null) {
      logger.info('scheduled run skipped', { job: state.job.id, cause, reason: blocker });
      return;
    }
    // Checked again: an edit, run-now or another firing may have come in while the database answered.
    if (this.states.get(state.job.id) !== state || this.busyFor(state, firing)) return;
    if (firing.cause === 'schedule' && !(await this.deps.storage.ingestJobs.claimFiring(state.job.id, firing.scheduledAt))) {
      logger.info('scheduled run left to the process that claimed it first', { job: state.job.id, scheduledAt: firing.scheduledAt });
      return;
    }
    if (this.busyFor(state, firing)) return;
    try {
      await this.startAttempt(state, 1);
    } catch (error) {
      logger.error('could not start a scheduled run', { job: state.job.id, error: String(error) });
    }
  }

  private waitsForTeamDatabase(job: StoredIngestJob): boolean {
    return this.deps.offline === true && isWorkspaceJob(job.kind);
  }

  /** Why the job may not run now, or null: its own run in another process, or a dependency not (yet) succeeded. */
  private async blocker(job: StoredIngestJob): Promise<string | null> {
    const { jobRuns } = this.deps.storage;
    const [own] = await jobRuns.list({ ingestJobId: job.id, limit: 1 });
    if (own?.status === 'running') return 'running in another process';
    for (const id of job.dependsOn) {
      const dependency = this.states.get(id);
      if (!dependency) return `dependency ${id} does not exist`;
      if (dependency.phase !== 'idle') return `"${dependency.job.name}" has not finished`;
      const [latest] = await jobRuns.list({ ingestJobId: id, limit: 1 });
      if (latest?.status !== 'succeeded') return `"${dependency.job.name}" has not succeeded`;
    }
    return null;
  }

  private async startAttempt(state: JobState, attempt: number): Promise<string> {
    const job = state.job;
    state.phase = 'running';
    const attempts = job.retryPolicy.maxAttempts;
    const description = `${job.name}${attempt > 1 ? ` (attempt ${attempt} of ${attempts})` : ''}`;
    let started;
    try {
      started = await this.deps.jobs.start(job.kind, description, progressUnits[job.kind], (ctx) => this.execute(job, ctx), {
        ingestJobId: job.id,
      });
    } catch (error) {
      state.phase = 'idle';
      throw error;
    }
    state.runningRunId = started.runId;
    this.track(
      started.finished.then(
        () => this.succeeded(state),
        (error: unknown) => this.failed(state, job, attempt, error),
      ),
    );
    return started.runId;
  }

  /** Inside the job run: wait for the provider's turn, then run against the job's timeout. */
  private async execute(job: StoredIngestJob, ctx: JobContext): Promise<JobOutcome<ExecutorResult>> {
    const { turns, clock, jobs } = this.deps;
    // Model jobs read stored bars only; they wait for no provider.
    const endTurn = job.provider === null ? () => undefined : await turns.take(job.provider, ctx.signal);
    const cancelTimeout = clock.setTimer(() => {
      jobs.cancel(ctx.runId, new AppError('UNAVAILABLE', `"${job.name}" ran longer than its limit of ${formatWait(job.timeoutMs)} and was stopped.`));
    }, job.timeoutMs);
    try {
      return await this.executors[job.kind](this.deps, ctx, job);
    } finally {
      cancelTimeout();
      endTurn();
    }
  }

  private succeeded(state: JobState): void {
    state.phase = 'idle';
    state.runningRunId = null;
    if (!this.running || this.states.get(state.job.id) !== state) return;
    this.runIfBarsPending(state);
    // Jobs without a schedule of their own run when what they depend on has succeeded.
    for (const dependent of this.states.values()) {
      if (dependent.job.enabled && dependent.job.schedule === null && dependent.job.dependsOn.includes(state.job.id)) {
        this.track(this.trigger(dependent, { cause: 'dependency' }));
      }
    }
  }

  private async failed(state: JobState, job: StoredIngestJob, attempt: number, error: unknown): Promise<void> {
    state.runningRunId = null;
    state.phase = 'idle';
    const cancelled = error instanceof AppError && error.code === 'CANCELLED';
    if (cancelled || this.states.get(job.id) !== state) return;
    if (shouldRetry(job.retryPolicy, attempt, error) && state.job.enabled) {
      // The retry reads the series as it then stands, bars landed meanwhile included.
      state.barsPending = false;
      const delay = retryDelayMs(job.retryPolicy, attempt, error, this.deps.clock.random);
      this.deps.logger.info('scheduled job failed; retrying', { job: job.id, attempt, delayMs: delay, error: String(error) });
      state.phase = 'retrying';
      state.cancelRetry = this.deps.clock.setTimer(() => {
        state.cancelRetry = undefined;
        this.startAttempt(state, attempt + 1).catch((startError: unknown) => this.track(this.alert(job, attempt + 1, startError)));
      }, delay);
      return;
    }
    await this.alert(job, attempt, error);
    if (this.running) this.runIfBarsPending(state);
  }

  private async alert(job: StoredIngestJob, attempts: number, error: unknown): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    const after = attempts > 1 ? ` after ${attempts} attempts` : '';
    try {
      const raised = await raiseAlertUnlessOpen(this.deps, {
        severity: 'error',
        source: `job:${job.id}`,
        message: `Scheduled job "${job.name}" failed${after}: ${reason}`,
        details: { ingestJobId: job.id, code: error instanceof AppError ? error.code : 'INTERNAL', attempts },
      });
      if (!raised) this.deps.logger.info('a scheduled job failed again for the reason its open alert gives', { job: job.id });
    } catch (alertError) {
      this.deps.logger.error('could not raise the alert for a failed job', { job: job.id, error: String(alertError) });
    }
  }

  /** True when the job is busy; bars that landed meanwhile are remembered, as the run in progress may have read the series before them. */
  private busyFor(state: JobState, firing: Firing): boolean {
    if (state.phase === 'idle') return false;
    if (firing.cause === 'bars') state.barsPending = true;
    return true;
  }

  private runIfBarsPending(state: JobState): void {
    if (!state.barsPending) return;
    state.barsPending = false;
    if (state.job.enabled) this.track(this.trigger(state, { cause: 'bars' }));
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }
}

/** `predict` and `train` call no provider: one given is dropped rather than kept as if it meant something. */
function withoutUnusedProvider(job: StoredIngestJob): StoredIngestJob {
  return needsProvider(job.kind) ? job : { ...job, provider: null };
}
