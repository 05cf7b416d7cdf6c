import { alertsHandlers } from './alerts/alerts-handlers';
import { Backfills } from './backfill/backfill';
import { backfillHandlers } from './backfill/backfill-handlers';
import { backupsHandlers, forwardBackupProgress } from './backups/backups-handlers';
import { cleanUpLeftovers } from './backups/leftovers';
import { backUpBeforeMigrations } from './backups/pre-migration-backup';
import { scheduledBackupJobs } from './backups/backups';
import { barsHandlers } from './bars/bars-handlers';
import { compareHandlers } from './compare/compare-handlers';
import type { CoreContext, WorkspaceSwitch } from './context';
import { demoHandlers } from './demo/demo-handlers';
import { EventBus } from './events';
import { importHandlers } from './import/import-handlers';
import { indicatorsHandlers } from './indicators/indicators-handlers';
import { ProviderRegistry } from './providers/registry';
import { instrumentCatalogue } from './instruments/catalogue';
import { instrumentsHandlers } from './instruments/instruments-handlers';
import { featuresHandlers } from './features/features-handlers';
import { serviceLiveOps } from './models/live/live-ops';
import { LiveTracker } from './models/live/live-tracker';
import { ArtifactStore } from './models/service/artifact-store';
import { modelsHandlers } from './models/models-handlers';
import { startModelWorker } from './models/worker/model-worker-client';
import { createInvoke, mergeHandlers, type Invoke, type InvokeOptions } from './invoke';
import type { CompleteHandlerMap } from './handlers';
import { methodNames } from '../shared/contract';
import { AppError } from '../shared/errors';
import type { ModelWorker } from './models/engine/ports';
import { JobRunner } from './jobs/job-runner';
import { jobsHandlers } from './jobs/jobs-handlers';
import { processOwner } from './jobs/process-owner';
import { ProviderTurns } from './jobs/provider-turns';
import { marketHandlers } from './market/market-handlers';
import { PriceAlertEngine } from './price-alerts/price-alert-engine';
import { priceAlertsHandlers } from './price-alerts/price-alerts-handlers';
import { drawingsHandlers } from './drawings/drawings-handlers';
import type { CorePorts } from './ports';
import { providerHandlers } from './providers/providers-handlers';
import { qualityHandlers } from './quality/quality-handlers';
import { Scheduler, systemClock } from './scheduler/scheduler';
import { secretsHandlers } from './secrets/secrets-handlers';
import { retentionHandlers } from './retention/retention-handlers';
import { retentionJobs } from './retention/retention';
import { readSettings, settingsHandlers } from './settings/settings-handlers';
import { openStorage } from './storage/open-storage';
import type { Storage } from './storage/types';
import { systemHandlers } from './system/system-handlers';
import { WorkspaceGate } from './workspace/workspace-gate';
import type { JobRunRepository } from './storage/types';

export interface Core {
  /** Validates, dispatches and answers with a Result envelope: the only entry for transports. */
  readonly invoke: Invoke;
  readonly events: EventBus;
  /** The database of the workspace open now (a restore replaces it). */
  readonly storage: Storage;
  readonly jobs: JobRunner;
  /** Fires job schedules between start and stop; only long-running hosts (serve, the desktop app) start it. */
  readonly scheduler: Pick<Scheduler, 'start' | 'stop'>;
  close(): Promise<void>;
}

/** What lives as long as the core, whichever database is open behind it. */
interface Lasting {
  ports: CorePorts;
  events: EventBus;
  jobs: JobRunner;
  providers: ProviderRegistry;
  turns: ProviderTurns;
  modelWorker: ModelWorker;
  workspace: WorkspaceSwitch;
  now: () => number;
  startedAt: number;
}

/** One open database and everything built on it; a restore closes it and opens the next. */
interface Workspace {
  ctx: CoreContext;
  handlers: CompleteHandlerMap;
  scheduler: Scheduler;
  close(except?: string): Promise<void>;
}

/** Calls on `current()` whatever it is at the time of the call, so a long-lived holder follows a switch. */
function following<T extends object>(current: () => T): T {
  return new Proxy({} as T, {
    get: (_target, key) => {
      const target = current();
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Opens the database and builds on it; `opened` learns the database first, so job runs are recorded in it while the rest is built. */
async function openWorkspace(lasting: Lasting, opened: (storage: Storage) => void): Promise<Workspace> {
  const { ports, events, jobs, providers, turns, now } = lasting;
  const storage = await openStorage({ ...ports.config, logger: ports.logger });
  opened(storage);
  try {
    await storage.instruments.seed(instrumentCatalogue);
    // Sweeps this database's runs of processes that stopped; the heartbeat keeps going across switches.
    await jobs.startHeartbeat();
    // After the heartbeat's sweep has ended the job runs of processes that stopped mid-fit.
    await storage.trainingRuns.settleInterrupted();
    const backfills = new Backfills({ storage, jobs, events, logger: ports.logger, now, turns, providerPlan: (provider) => providers.plan(provider) });
    const clock = systemClock(now);
    // The tracker runs the scheduler's predict and train jobs and asks it for train jobs on drift, so each reaches the other when a job runs.
    const live: LiveTracker = new LiveTracker({
      storage,
      events,
      clock,
      logger: ports.logger,
      ops: serviceLiveOps(() => ctx, new ArtifactStore(ports.config.dataDir)),
      runTrainJobs: (modelName, symbol): Promise<boolean> => scheduler.retrain(modelName, symbol),
    });
    const scheduler: Scheduler = new Scheduler({
      storage,
      jobs,
      events,
      providers,
      backfills,
      turns,
      clock,
      logger: ports.logger,
      now,
      modelJobs: live,
      backupJobs: scheduledBackupJobs(() => ctx),
      retentionJobs: retentionJobs({ ports, storage, now }),
    });
    await scheduler.load();
    // Headless one-shot commands (an import, a backfill) evaluate too: alerts do not wait for a long-running host.
    const priceAlerts = new PriceAlertEngine({ storage, events, clock, logger: ports.logger });
    priceAlerts.start(events);
    const ctx: CoreContext = { ...lasting, storage, backfills, scheduler, clock, live, priceAlerts };
    // One module per contract namespace, each in the folder of that name.
    const handlers = mergeHandlers({
      system: systemHandlers(ctx),
      instruments: instrumentsHandlers(ctx),
      bars: barsHandlers(ctx),
      indicators: indicatorsHandlers(ctx),
      quality: qualityHandlers(ctx),
      compare: compareHandlers(ctx),
      market: marketHandlers(ctx),
      import: importHandlers(ctx),
      backfill: backfillHandlers(ctx),
      providers: providerHandlers(ctx),
      demo: demoHandlers(ctx),
      settings: settingsHandlers(ctx),
      secrets: secretsHandlers(ctx),
      jobs: jobsHandlers(ctx),
      alerts: alertsHandlers(ctx),
      models: modelsHandlers(ctx),
      features: featuresHandlers(ctx),
      backups: backupsHandlers(ctx),
      retention: retentionHandlers(ctx),
      priceAlerts: priceAlertsHandlers(ctx),
      drawings: drawingsHandlers(ctx),
    });
    return {
      ctx,
      handlers,
      scheduler,
      close: async (except) => {
        scheduler.stop();
        jobs.cancelAll(except);
        await scheduler.settled();
        await live.settled();
        // A cancelled training still records how it ended (its training run, its job run) before the database closes.
        await jobs.settled(except);
        // After the jobs, whose last bars may still be evaluated; before the database closes.
        priceAlerts.stop();
        await priceAlerts.settled();
        await storage.close();
      },
    };
  } catch (error) {
    await storage.close();
    throw error;
  }
}

/** Methods whose request only starts a switch and waits for it: a switch must not wait for them. */
const SWITCHING_METHODS: ReadonlySet<string> = new Set(['backups.restore']);

export async function createCore(ports: CorePorts, options: InvokeOptions): Promise<Core> {
  const now = ports.now ?? Date.now;
  const events = new EventBus();
  forwardBackupProgress(events);
  const gate = new WorkspaceGate();
  let current: Workspace | undefined;
  let storage: Storage | undefined;
  const open = () => {
    if (!current) throw new AppError('UNAVAILABLE', 'The workspace is being switched.');
    return current;
  };
  const reopen = async () => {
    current = await openWorkspace(lasting, (opened) => (storage = opened));
  };
  // Names this process on its job runs, so runs of another live process sharing the database are left alone.
  const owner = processOwner();
  // Runs are recorded in the database open now, so a restore's own run ends in the database it restored.
  const jobs = new JobRunner(following<JobRunRepository>(() => {
      if (!storage) throw new AppError('UNAVAILABLE', 'The workspace is being switched.');
      return storage.jobRuns;
    }), events, ports.logger, now, { owner });
  let schedulerStarted = false;
  const lasting: Lasting = {
    ports,
    events,
    jobs,
    turns: new ProviderTurns(),
    providers: new ProviderRegistry(ports.config.providers, ports.secrets, ports.logger, undefined, async () => (await readSettings(ports)).providers),
    // Its thread starts on the first fit or forecast, so a core that never trains never loads tfjs.
    modelWorker: startModelWorker({ logger: ports.logger, preferredBackend: ports.config.tfjsBackend }),
    now,
    startedAt: now(),
    workspace: {
      switch: (swap) =>
        gate.exclusive(
          async (drained) => {
            const leaving = open();
            leaving.scheduler.stop();
            jobs.cancelAll(swap.runId);
            await drained();
            try {
              await swap.beforeClose?.(leaving.ctx);
            } catch (error) {
              // Nothing was switched: the workspace stays as it was, its schedules firing again.
              if (schedulerStarted) leaving.scheduler.start();
              throw error;
            }
            current = undefined;
            await leaving.close(swap.runId);
            try {
              await swap.whileClosed?.();
            } finally {
              await reopen();
              if (schedulerStarted) open().scheduler.start();
            }
            return open().ctx;
          },
          (error) =>
            current
              ? null
              : new AppError('UNAVAILABLE', `The workspace could not be opened again after a restore: ${error instanceof Error ? error.message : String(error)}. Restart Metalytics.`),
        ),
    },
  };
  try {
    const preMigration = await backUpBeforeMigrations(ports).catch((error: unknown) => {
      throw new AppError(
        'UNAVAILABLE',
        `The database needs updating, and the backup taken before updating it could not be written: ${error instanceof Error ? error.message : String(error)}. Nothing was changed.`,
      );
    });
    await reopen();
    await preMigration?.record(open().ctx.storage);
  } catch (error) {
    await current?.close();
    await lasting.modelWorker.close();
    throw error;
  }
  // Leftovers of a process that died mid-backup never stop the app from starting.
  await cleanUpLeftovers(open().ctx).catch((error: unknown) =>
    ports.logger.warn('could not clean up after an interrupted backup or restore', { error: error instanceof Error ? error.message : String(error) }),
  );
  const gated = Object.fromEntries(
    methodNames.map((name) => [
      name,
      (input: unknown) => gate.enter(() => (open().handlers[name] as (input: unknown) => unknown)(input), { counted: !SWITCHING_METHODS.has(name) }),
    ]),
  ) as CompleteHandlerMap;

  return {
    invoke: createInvoke(gated, ports.logger, options),
    events,
    get storage() {
      return open().ctx.storage;
    },
    jobs,
    scheduler: {
      start: () => {
        schedulerStarted = true;
        open().scheduler.start();
      },
      stop: () => {
        schedulerStarted = false;
        current?.scheduler.stop();
      },
    },
    close: async () => {
      jobs.stopHeartbeat();
      await gate.enter(async () => {
        await current?.close();
        current = undefined;
      }, { counted: false }).catch(() => undefined);
      await lasting.modelWorker.close();
    },
  };
}
