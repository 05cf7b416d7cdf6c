import type { Backfills } from './backfill/backfill';
import type { EventBus } from './events';
import type { ProviderRegistry } from './providers/registry';
import type { JobRunner } from './jobs/job-runner';
import type { ModelWorker } from './models/engine/ports';
import type { LiveTracker } from './models/live/live-tracker';
import type { ProviderTurns } from './jobs/provider-turns';
import type { PriceAlertEngine } from './price-alerts/price-alert-engine';
import type { CorePorts } from './ports';
import type { Scheduler, SchedulerClock } from './scheduler/scheduler';
import type { Storage } from './storage/types';
import type { WorkspacePlace } from './sync/team-runtime';
import type { SyncOutcome, SyncStatus } from '../shared/sync';

/** How a restore, or a team desktop going offline or back online, replaces the database behind the core; see WorkspaceSwitch. */
export interface WorkspaceSwap {
  /** The run asking for the switch: every other job is cancelled and awaited first, this one goes on. Absent, every job is. */
  runId?: string;
  /** Team mode: where the workspace opens again, the team database or this desktop's cache; absent, where it was. */
  to?: WorkspacePlace;
  /** Runs once no request or other job uses the workspace, with it still open (Postgres switches here, in one transaction). */
  beforeClose?: (ctx: CoreContext) => Promise<void>;
  /** Runs while no database is open (SQLite moves its file here); the workspace is opened again after it, even when it fails. */
  whileClosed?: () => Promise<void>;
}

/** The team database and this desktop's cache, or local mode: system.status's `sync`, and `sync.now`. */
export interface SyncReport {
  status(): Promise<SyncStatus>;
  /** Synchronises the cache with the team database now (see TeamRuntime.syncNow); refused in local mode. */
  now(): Promise<SyncOutcome>;
}

export interface WorkspaceSwitch {
  /**
   * Closes the open workspace (its database and everything built on it) and opens it again
   * around `swap`, while requests wait at the gate; answers with the new workspace's context.
   */
  switch(swap: WorkspaceSwap): Promise<CoreContext>;
}

/**
 * Everything a handler module may use; built by `createCore` each time it opens the workspace (at start and after a restore). It lives apart
 * from the composition root so that features depend on what they are given, not on the
 * module that assembles them.
 */
export interface CoreContext {
  readonly ports: CorePorts;
  readonly storage: Storage;
  readonly events: EventBus;
  readonly jobs: JobRunner;
  /** One adapter per provider, shared so every caller of a provider spends one rate budget. */
  readonly providers: ProviderRegistry;
  /** One backfill engine, so concurrent callers share its per-provider turns and running set. */
  readonly backfills: Backfills;
  /** The line per provider that backfills, scheduled jobs and repairs wait in, one at a time. */
  readonly turns: ProviderTurns;
  /** Scheduled jobs: their definitions, timers and runs. */
  readonly scheduler: Scheduler;
  readonly clock: SchedulerClock;
  /** The one model worker thread, started on first use; every fit and forecast runs in it. */
  readonly modelWorker: ModelWorker;
  /** Live predictions, their scores and drift, retraining and the promotion gate. */
  readonly live: LiveTracker;
  /** Price alerts evaluated on every new stored bar, whoever stored it. */
  readonly priceAlerts: PriceAlertEngine;
  readonly now: () => number;
  readonly startedAt: number;
  /** Replaces the database behind the core in place: the transports keep their core. */
  readonly workspace: WorkspaceSwitch;
  readonly sync: SyncReport;
}
