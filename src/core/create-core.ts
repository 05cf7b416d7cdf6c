import path from 'node:path';
import { alertsHandlers } from './alerts/alerts-handlers';
import { Backfills } from './backfill/backfill';
import { backfillHandlers } from './backfill/backfill-handlers';
import { backupsHandlers, forwardBackupProgress } from './backups/backups-handlers';
import { cleanUpLeftovers } from './backups/leftovers';
import { backUpBeforeMigrations } from './backups/pre-migration-backup';
import { scheduledBackupJobs } from './backups/backups';
import { barsHandlers } from './bars/bars-handlers';
import { compareHandlers } from './compare/compare-handlers';
import type { CoreContext, SyncReport, WorkspaceSwitch } from './context';
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
import { openSqliteStorage } from './storage/sqlite-storage';
import type { Storage } from './storage/types';
import { prepareCache } from './sync/cache-sync';
import { resolveCacheScope } from './sync/cache-scope';
import { PrimaryProbe } from './sync/primary-probe';
import { isUnreachable, LOCAL_SYNC_STATUS, TEAM_RUNTIME_TIMING, TeamRuntime, type WorkspacePlace } from './sync/team-runtime';
import { syncHandlers } from './sync/sync-handlers';
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
  /**
   * Fires job schedules between start and stop; only long-running hosts (serve, the desktop app)
   * start it. In team mode `start` also starts keeping the cache filled and watching for the team
   * database to go away or come back (a one-shot command only notices what its requests meet).
   */
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
  sync: SyncReport;
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

/**
 * Opens the database (`openDatabase`) and builds on it; `opened` learns the database first, so job
 * runs are recorded in it while the rest is built. `offline`: it is a team desktop's cache, standing
 * in for the team database that cannot be reached.
 */
async function openWorkspace(
  lasting: Lasting,
  openDatabase: () => Promise<Storage>,
  opened: (storage: Storage) => void,
  { offline }: { offline: boolean },
): Promise<Workspace> {
  const { ports, events, jobs, providers, turns, now } = lasting;
  const storage = await openDatabase();
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
      offline,
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
      sync: syncHandlers(ctx),
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

/**
 * Methods whose request only starts a switch, or waits behind one, and waits for it: a switch
 * must not wait for them. (`sync.now` waits for the team runtime's sync or move under way, and
 * offline it moves the workspace back itself.)
 */
const SWITCHING_METHODS: ReadonlySet<string> = new Set(['backups.restore', 'sync.now']);

/** Work on the whole team database: offline, on one desktop's cache, it would back up, restore or thin the wrong thing. */
const TEAM_DATABASE_METHODS: ReadonlySet<string> = new Set(['backups.create', 'backups.restore', 'retention.apply']);

/** A team desktop's offline cache, beside the rest of its data. */
const CACHE_FILE_NAME = 'cache.db';

/** The cache of a team desktop, open for the life of the core: the sync engine fills it online, the workspace runs on it offline. */
async function openCache(ports: CorePorts): Promise<Storage> {
  const { config, logger } = ports;
  const cache = await openSqliteStorage(path.resolve(config.dataDir, CACHE_FILE_NAME), logger, {
    nativeBinding: config.sqliteNativeBinding,
    migrationsDir: config.migrationsDir,
  });
  try {
    // Before the outbox triggers exist on a new cache, so the catalogue is not sent to the team as an offline change.
    await cache.instruments.seed(instrumentCatalogue);
    await prepareCache(cache);
    return cache;
  } catch (error) {
    await cache.close();
    throw error;
  }
}

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
  const databaseUrl = ports.config.databaseUrl;
  // Team mode: the Postgres server is the system of record, and this desktop keeps a cache to work offline on.
  const cache = databaseUrl ? await openCache(ports) : null;
  let team: TeamRuntime | null = null;
  // Borrowed by the workspace while offline: closing the workspace leaves it open for the sync engine.
  const cacheWorkspace = cache && { ...cache, close: async () => undefined };
  const openPlace = async (place: WorkspacePlace) => {
    current = await openWorkspace(
      lasting,
      place === 'cache' && cacheWorkspace ? async () => cacheWorkspace : () => openStorage({ ...ports.config, logger: ports.logger }),
      (opened) => (storage = opened),
      { offline: place === 'cache' },
    );
    return place;
  };
  /** Opens the workspace on `place`; a team database that cannot be reached leaves it on the cache, offline. */
  const reopen = async (place: WorkspacePlace): Promise<WorkspacePlace> => {
    try {
      return await openPlace(place);
    } catch (error) {
      if (place === 'cache' || !team || !isUnreachable(error) || !(await team.canWorkOffline())) throw error;
      team.markOffline(error instanceof Error ? error.message : String(error));
      return openPlace('cache');
    }
  };
  let place: WorkspacePlace = 'primary';
  // Names this process on its job runs, so runs of another live process sharing the database are left alone.
  const owner = processOwner();
  // Runs are recorded in the database open now, so a restore's own run ends in the database it restored.
  const jobs = new JobRunner(following<JobRunRepository>(() => {
      if (!storage) throw new AppError('UNAVAILABLE', 'The workspace is being switched.');
      return storage.jobRuns;
    }), events, ports.logger, now, {
      owner,
      // Said on every run while offline, so the team can tell which work went into one desktop's cache.
      note: () => (cacheWorkspace !== null && storage === cacheWorkspace ? "offline, into this desktop's cache" : null),
    });
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
    sync: {
      status: () => team?.status() ?? Promise.resolve(LOCAL_SYNC_STATUS),
      now: async () => {
        if (!team) {
          throw new AppError(
            'VALIDATION',
            'This workspace is one local database with no team database to sync with; configure a Postgres/TimescaleDB address (METALYTICS_DATABASE_URL or the database in Settings) to work as a team.',
          );
        }
        return team.syncNow();
      },
    },
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
              place = await reopen(swap.to ?? place);
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
  if (cache) {
    team = new TeamRuntime({
      cache,
      probe: new PrimaryProbe(databaseUrl as string, TEAM_RUNTIME_TIMING.pingTimeoutMs),
      events,
      jobs,
      logger: ports.logger,
      now,
      dataDir: ports.config.dataDir,
      readScope: async () => resolveCacheScope(await readSettings(ports)),
      workspace: {
        onPrimary: (work) => gate.enter(() => (place === 'primary' ? work(open().ctx.storage) : undefined)),
        openPrimary: () => openStorage({ ...ports.config, logger: ports.logger }),
        moveTo: async (to, beforeClose) => {
          await lasting.workspace.switch({ to, beforeClose: beforeClose && (() => beforeClose()) });
          return place;
        },
      },
    });
  }
  const closeCache = async () => {
    await team?.stop();
    await cache?.close();
  };
  try {
    // Offline at start: the workspace opens on the cache rather than failing, and nothing is migrated on the server.
    place = (await team?.startingPlace()) ?? 'primary';
    const preMigration =
      place === 'cache'
        ? null
        : await backUpBeforeMigrations(ports).catch((error: unknown) => {
            throw new AppError(
              'UNAVAILABLE',
              `The database needs updating, and the backup taken before updating it could not be written: ${error instanceof Error ? error.message : String(error)}. Nothing was changed.`,
            );
          });
    place = await reopen(place);
    await preMigration?.record(open().ctx.storage);
  } catch (error) {
    await current?.close();
    await closeCache();
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
      async (input: unknown) => {
        try {
          return await gate.enter(
            () => {
              if (place === 'cache' && TEAM_DATABASE_METHODS.has(name)) {
                throw new AppError('UNAVAILABLE', 'Backups, restores and data retention work on the team database, which cannot be reached now; try again once it is back.');
              }
              return (open().handlers[name] as (input: unknown) => unknown)(input);
            },
            { counted: !SWITCHING_METHODS.has(name) },
          );
        } catch (error) {
          // The team database may have gone away between two pings: ask now rather than wait for the next.
          if (isUnreachable(error)) team?.noticeUnavailable();
          throw error;
        }
      },
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
        team?.start();
      },
      stop: () => {
        schedulerStarted = false;
        current?.scheduler.stop();
      },
    },
    close: async () => {
      jobs.stopHeartbeat();
      await team?.stop();
      await gate.enter(async () => {
        await current?.close();
        current = undefined;
      }, { counted: false }).catch(() => undefined);
      await cache?.close();
      await lasting.modelWorker.close();
    },
  };
}
