import { hostname } from 'node:os';
import { jobKinds } from '../../shared/domain';
import { AppError, isAppError } from '../../shared/errors';
import type { CacheScopeEntry } from '../../shared/cache-settings';
import type { SyncOutcome, SyncStatus } from '../../shared/sync';
import type { EventBus } from '../events';
import type { JobRunner } from '../jobs/job-runner';
import type { Logger } from '../ports';
import type { Storage } from '../storage/types';
import { cacheBytes, hasSynced, pendingChanges, synchronise } from './cache-sync';
import type { PrimaryProbe } from './primary-probe';

/** Where the workspace runs: on the team's Postgres server, or on this desktop's SQLite cache. */
export type WorkspacePlace = 'primary' | 'cache';

/** What the runtime needs of the workspace behind the core (create-core.ts provides it). */
export interface TeamWorkspace {
  /**
   * Runs `work` on the team database the workspace has open, like a request, so a switch waits
   * for it; undefined (and `work` is not called) while the workspace runs on the cache.
   */
  onPrimary<T>(work: (primary: Storage) => Promise<T>): Promise<T | undefined>;
  /** A connection of the runtime's own to the team database, schema brought up to date; the caller closes it. */
  openPrimary(): Promise<Storage>;
  /**
   * Re-opens the workspace on `place` (requests wait meanwhile); `beforeClose` runs once nothing
   * else uses the workspace. Answers with where it opened: the cache when the team database
   * could not be opened after all.
   */
  moveTo(place: WorkspacePlace, beforeClose?: () => Promise<void>): Promise<WorkspacePlace>;
}

export interface TeamRuntimeTiming {
  /** Between pings of the team database while online. */
  pingMs: number;
  /** How long a ping may take before it counts as failed. */
  pingTimeoutMs: number;
  /** Failed pings in a row that mean the server is away. */
  failuresOffline: number;
  /** Between attempts to reach the team database again while offline. */
  reconnectMs: number;
  /** Between syncs that keep the cache filled while online. */
  syncMs: number;
  /** The wait after a job stored bars before the cache takes them in, so a burst of jobs syncs once. */
  afterJobsMs: number;
}

export const TEAM_RUNTIME_TIMING: TeamRuntimeTiming = {
  pingMs: 2_000,
  pingTimeoutMs: 1_500,
  failuresOffline: 2,
  reconnectMs: 5_000,
  syncMs: 60_000,
  afterJobsMs: 5_000,
};

export interface TeamRuntimeDeps {
  cache: Storage;
  probe: PrimaryProbe;
  workspace: TeamWorkspace;
  events: EventBus;
  jobs: JobRunner;
  logger: Logger;
  now: () => number;
  dataDir: string;
  /** The scope as Settings say now, read at every sync so a change applies at the next one. */
  readScope(): Promise<CacheScopeEntry[]>;
  timing?: Partial<TeamRuntimeTiming>;
}

/** An error that says the team database cannot be reached (UNAVAILABLE): the workspace then works on the cache. */
export function isUnreachable(error: unknown): boolean {
  return isAppError(error) && error.code === 'UNAVAILABLE';
}

/** The status of a core with one database and no cache. */
export const LOCAL_SYNC_STATUS: SyncStatus = { mode: 'local', state: 'online', offlineSince: null, pendingChanges: 0, lastSync: null, cache: null };

/**
 * Team mode's connectivity and cache upkeep. Online it pings the team database every
 * `pingMs` and keeps the cache filled (a sync every `syncMs` and shortly after jobs that stored
 * something); a run of failed pings, or a request answered UNAVAILABLE and a ping failing
 * right after, moves the workspace onto the cache at once. Offline it tries the team database
 * every `reconnectMs`; once it answers and no job is running, the changes made offline are
 * pushed and the team's pulled, and the workspace moves back. Syncs and moves run one at a
 * time, never overlapping.
 */
export class TeamRuntime {
  private readonly timing: TeamRuntimeTiming;
  private offlineSince: number | null = null;
  private failures = 0;
  private lastSync: SyncStatus['lastSync'] = null;
  /** The status last announced, without the cache's size (which moves with every write). */
  private announced = '';
  private queue: Promise<void> = Promise.resolve();
  private queued = new Set<'sync' | 'offline' | 'reconnect'>();
  private readonly stopping = new AbortController();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private afterJobsTimer: ReturnType<typeof setTimeout> | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly desktop = hostname();

  constructor(private readonly deps: TeamRuntimeDeps) {
    this.timing = { ...TEAM_RUNTIME_TIMING, ...deps.timing };
  }

  get place(): WorkspacePlace {
    return this.offlineSince === null ? 'primary' : 'cache';
  }

  /**
   * Where the workspace should open at start: the team database when it answers now, else the
   * cache (offline from now) when it can stand in for it.
   */
  async startingPlace(): Promise<WorkspacePlace> {
    if (!(await this.deps.probe.reachable()) && (await this.canWorkOffline())) this.markOffline('the team database did not answer at start');
    return this.place;
  }

  /**
   * Whether the cache can stand in for the team database: it already does, or it was filled from
   * it before. A cache never synced holds nothing of the team's, and the address may be wrong:
   * then an unreachable server fails the start as it would without a cache, and the shell says so.
   */
  async canWorkOffline(): Promise<boolean> {
    return this.offlineSince !== null || hasSynced(this.deps.cache);
  }

  /** The workspace could not be opened on the team database and opened on the cache instead. */
  markOffline(reason: string): void {
    if (this.offlineSince !== null) return;
    this.offlineSince = this.deps.now();
    this.deps.logger.warn('working offline from the local cache', { reason });
    void this.announce();
  }

  /** Starts pinging and syncing; the first sync runs at once, filling a new cache. */
  start(): void {
    if (this.unsubscribe || this.stopping.signal.aborted) return;
    this.unsubscribe = this.deps.events.subscribe((message) => {
      if (message.name !== 'job.finished') return;
      if (this.offlineSince !== null) void this.announce();
      else if (message.payload.rows > 0) this.syncSoon();
    });
    this.every(this.timing.pingMs, () => this.checkOnline());
    this.every(this.timing.reconnectMs, () => this.checkOffline());
    this.every(this.timing.syncMs, () => this.syncIfOnline());
    this.syncIfOnline();
  }

  /**
   * A sync asked for by the user (`sync.now`): online, the sync the runtime runs every minute,
   * now, after any sync or move under way; offline, the attempt to reconnect that otherwise comes
   * every few seconds. Answers with what it did, or says why it could not.
   */
  syncNow(): Promise<SyncOutcome> {
    return this.serial(async () => {
      if (this.stopping.signal.aborted) throw new AppError('UNAVAILABLE', 'Metalytics is closing; the changes waiting are sent at the next start.');
      if (this.offlineSince === null) {
        const outcome = await this.syncOnPrimary();
        if (outcome) return outcome;
      }
      const running = this.deps.jobs.runningOf(jobKinds).length;
      if (running > 0) {
        throw new AppError(
          'CONFLICT',
          `${running === 1 ? 'A job is' : `${running} jobs are`} running on this desktop's cache, and moving back to the team database would cancel ${running === 1 ? 'it' : 'them'}; sync once ${running === 1 ? 'it ends' : 'they end'}.`,
        );
      }
      if (!(await this.deps.probe.reachable())) {
        throw new AppError('UNAVAILABLE', "The team database cannot be reached; the changes made offline wait in this desktop's cache and are sent once it is back.");
      }
      const outcomes = await this.reconnect();
      if (!outcomes) throw new AppError('UNAVAILABLE', "The team database went away again while the workspace was moving back to it; the desktop goes on working from its cache.");
      return combineOutcomes(outcomes);
    });
  }

  /** A request failed UNAVAILABLE: when the team database does not answer a ping either, go offline now. */
  noticeUnavailable(): void {
    if (this.offlineSince !== null) return;
    void this.deps.probe.reachable().then((reachable) => {
      if (!reachable) this.goOffline('a request found the team database unreachable');
    });
  }

  async status(): Promise<SyncStatus> {
    const { cache } = this.deps;
    const [pending, bytes, scope] = await Promise.all([pendingChanges(cache), cacheBytes(cache), this.deps.readScope()]);
    return {
      mode: 'team',
      state: this.offlineSince === null ? 'online' : 'offline',
      offlineSince: this.offlineSince,
      pendingChanges: pending,
      lastSync: this.lastSync,
      cache: { location: cache.location, bytes, scope },
    };
  }

  /** Stops the timers and waits for a sync or move under way; an interrupted sync is safe to run again. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.unsubscribe?.();
    for (const timer of this.timers) clearTimeout(timer);
    clearTimeout(this.afterJobsTimer);
    this.deps.probe.close();
    await this.queue;
  }

  private every(ms: number, tick: () => Promise<void> | void): void {
    const schedule = () => {
      if (this.stopping.signal.aborted) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void Promise.resolve(tick()).finally(schedule);
      }, ms);
      timer.unref();
      this.timers.add(timer);
    };
    schedule();
  }

  private async checkOnline(): Promise<void> {
    if (this.offlineSince !== null) return;
    if (await this.deps.probe.reachable()) {
      this.failures = 0;
      return;
    }
    this.failures += 1;
    if (this.failures >= this.timing.failuresOffline) this.goOffline(`${this.failures} pings of the team database failed`);
  }

  private async checkOffline(): Promise<void> {
    if (this.offlineSince === null) return;
    await this.announce();
    // A job running on the cache finishes there: moving would cancel it.
    if (this.deps.jobs.runningOf(jobKinds).length > 0) return;
    if (await this.deps.probe.reachable()) {
      this.enqueue('reconnect', async () => {
        await this.reconnect();
      });
    }
  }

  private goOffline(reason: string): void {
    this.markOffline(reason);
    this.enqueue('offline', async () => {
      if (this.offlineSince === null) return;
      await this.deps.workspace.moveTo('cache');
    });
  }

  private syncSoon(): void {
    clearTimeout(this.afterJobsTimer);
    this.afterJobsTimer = setTimeout(() => this.syncIfOnline(), this.timing.afterJobsMs);
    this.afterJobsTimer.unref();
  }

  private syncIfOnline(): void {
    if (this.offlineSince !== null) return;
    this.enqueue('sync', async () => {
      await this.syncOnPrimary();
    });
  }

  /** One sync on the team database the workspace has open, recorded; undefined while the workspace runs on the cache. */
  private async syncOnPrimary(): Promise<SyncOutcome | undefined> {
    const outcome = await this.deps.workspace.onPrimary((primary) => this.synchronise(primary));
    if (outcome) this.recordSync([outcome]);
    return outcome;
  }

  /**
   * Pushes what was changed offline and pulls the team's, then moves the workspace back; the
   * second sync sends what was written meanwhile. Answers with both syncs, or undefined when the
   * workspace stayed on the cache.
   */
  private async reconnect(): Promise<SyncOutcome[] | undefined> {
    if (this.offlineSince === null) return undefined;
    const primary = await this.deps.workspace.openPrimary();
    const outcomes: SyncOutcome[] = [];
    try {
      outcomes.push(await this.synchronise(primary));
      const place = await this.deps.workspace.moveTo('primary', async () => {
        outcomes.push(await this.synchronise(primary));
      });
      if (place !== 'primary') return undefined;
    } finally {
      await primary.close();
    }
    this.deps.logger.info('back online on the team database', { offlineMs: this.deps.now() - this.offlineSince });
    this.offlineSince = null;
    this.failures = 0;
    this.recordSync(outcomes);
    return outcomes;
  }

  private synchronise(primary: Storage): Promise<SyncOutcome> {
    const { cache, dataDir, logger, now } = this.deps;
    return this.deps.readScope().then((scope) =>
      synchronise({ primary, cache, scope, dataDir, desktop: this.desktop, now, logger, signal: this.stopping.signal }),
    );
  }

  private recordSync(outcomes: readonly SyncOutcome[]): void {
    const { finishedAt, pushedRows, pulledRows, conflicts, startedAt } = combineOutcomes(outcomes);
    this.lastSync = { at: finishedAt, pushedRows, pulledRows, conflicts, ms: finishedAt - startedAt };
    void this.announce();
  }

  /** Runs `work` after the work queued before it, so syncs and moves never overlap; answers with its result. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Runs `work` after the work queued before it; the same kind queued twice runs once. A failure is logged, and UNAVAILABLE means offline. */
  private enqueue(kind: 'sync' | 'offline' | 'reconnect', work: () => Promise<void>): void {
    if (this.queued.has(kind) || this.stopping.signal.aborted) return;
    this.queued.add(kind);
    void this.serial(async () => {
      this.queued.delete(kind);
      if (this.stopping.signal.aborted) return;
      try {
        await work();
      } catch (error) {
        if (this.stopping.signal.aborted) return;
        const message = error instanceof Error ? error.message : String(error);
        this.deps.logger.warn(`team database ${kind} failed`, { error: message });
        if (isUnreachable(error) && this.offlineSince === null) this.goOffline(`${kind}: ${message}`);
      }
    });
  }

  /** Emits sync.changed when anything but the cache's size changed since the last announcement. */
  private async announce(): Promise<void> {
    try {
      const status = await this.status();
      const key = JSON.stringify({ ...status, cache: { ...status.cache, bytes: 0 } });
      if (key === this.announced) return;
      this.announced = key;
      this.deps.events.emit('sync.changed', status);
    } catch (error) {
      this.deps.logger.warn('could not read the cache status', { error: error instanceof Error ? error.message : String(error) });
    }
  }
}

/** Syncs run back to back (a reconnect's two) as one: their rows added up, from the first start to the last finish. */
function combineOutcomes(outcomes: readonly SyncOutcome[]): SyncOutcome {
  const first = outcomes[0];
  const last = outcomes.at(-1);
  if (!first || !last) throw new Error('combineOutcomes needs at least one outcome');
  const total = (field: 'pushedRows' | 'pulledRows' | 'conflicts' | 'rangesCompared' | 'rangesMoved') => outcomes.reduce((sum, outcome) => sum + outcome[field], 0);
  return {
    pushedRows: total('pushedRows'),
    pulledRows: total('pulledRows'),
    conflicts: total('conflicts'),
    rangesCompared: total('rangesCompared'),
    rangesMoved: total('rangesMoved'),
    startedAt: first.startedAt,
    finishedAt: last.finishedAt,
  };
}
