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

/**
 * Everything a handler module may use; built once per core by `createCore`. It lives apart
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
}
