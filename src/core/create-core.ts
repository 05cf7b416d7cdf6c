import { EventBus } from './events';
import { createInvoke, mergeHandlers, type Invoke } from './invoke';
import { instrumentCatalogue } from './instruments/catalogue';
import { Backfills } from './ingest/backfill';
import { ProviderRegistry } from './ingest/provider-registry';
import { JobRunner } from './jobs/job-runner';
import { processOwner } from './jobs/process-owner';
import { ProviderTurns } from './jobs/provider-turns';
import { Scheduler, systemClock } from './scheduler/scheduler';
import type { CorePorts } from './ports';
import { openStorage } from './storage/open-storage';
import type { Storage } from './storage/types';
import { compareHandlers } from './analysis/compare-handlers';
import { backfillHandlers } from './ingest/backfill-handlers';
import { barsHandlers } from './bars/bars-handlers';
import { demoHandlers } from './demo/demo-handlers';
import { importHandlers } from './import/import-handlers';
import { indicatorHandlers } from './features/indicator-handlers';
import { overviewHandlers } from './overview/overview-handlers';
import { providerHandlers } from './provider-status/provider-handlers';
import { qualityHandlers } from './quality/quality-handlers';
import { alertHandlers } from './scheduler/alerts';
import { schedulerHandlers } from './scheduler/scheduler-handlers';
import { secretHealthHandlers } from './secrets/secret-health-handlers';
import { readSettings, settingsHandlers } from './settings/settings-handlers';
import { systemHandlers } from './system/system-handlers';

export interface Core {
  /** Validates, dispatches and answers with a Result envelope: the only entry for transports. */
  readonly invoke: Invoke;
  readonly events: EventBus;
  readonly storage: Storage;
  readonly jobs: JobRunner;
  /** Fires job schedules between start and stop; only long-running hosts (serve, the desktop app) start it. */
  readonly scheduler: Pick<Scheduler, 'start' | 'stop'>;
  close(): Promise<void>;
}

/** Everything a handler module may use; built once per core. */
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
  readonly now: () => number;
  readonly startedAt: number;
}

export async function createCore(ports: CorePorts): Promise<Core> {
  const now = ports.now ?? Date.now;
  const storage = await openStorage({ dataDir: ports.dataDir, databaseUrl: ports.databaseUrl, logger: ports.logger, environment: ports.environment });
  try {
    await storage.instruments.seed(instrumentCatalogue);
    const events = new EventBus();
    // Names this process on its job runs, so runs of another live process sharing the database are left alone.
    const owner = processOwner();
    const jobs = new JobRunner(storage.jobRuns, events, ports.logger, now, { owner });
    await jobs.startHeartbeat();
    const turns = new ProviderTurns();
    const providers = new ProviderRegistry(ports.environment ?? {}, ports.secrets, ports.logger, undefined, async () => (await readSettings(ports)).providers);
    const backfills = new Backfills({ storage, jobs, events, logger: ports.logger, now, turns, providerPlan: (provider) => providers.plan(provider) });
    const clock = systemClock(now);
    const scheduler = new Scheduler({ storage, jobs, events, providers, backfills, turns, clock, logger: ports.logger, now });
    await scheduler.load();
    const ctx: CoreContext = { ports, storage, events, jobs, providers, backfills, turns, now, startedAt: now() };
    const handlers = mergeHandlers({
      system: systemHandlers(ctx),
      bars: barsHandlers(ctx),
      compare: compareHandlers(ctx),
      indicators: indicatorHandlers(ctx),
      overview: overviewHandlers(ctx),
      quality: qualityHandlers(ctx),
      import: importHandlers(ctx),
      backfill: backfillHandlers(ctx),
      providers: providerHandlers(ctx),
      demo: demoHandlers(ctx),
      settings: settingsHandlers(ctx),
      secretHealth: secretHealthHandlers(ctx),
      jobs: jobs.handlers(),
      scheduler: schedulerHandlers(scheduler),
      alerts: alertHandlers({ storage, events, clock }),
    });

    return {
      invoke: createInvoke(handlers, ports.logger),
      events,
      storage,
      jobs,
      scheduler,
      close: async () => {
        scheduler.stop();
        jobs.stopHeartbeat();
        jobs.cancelAll();
        await scheduler.settled();
        await storage.close();
      },
    };
  } catch (error) {
    await storage.close();
    throw error;
  }
}
