import { alertsHandlers } from './alerts/alerts-handlers';
import { Backfills } from './backfill/backfill';
import { backfillHandlers } from './backfill/backfill-handlers';
import { backupsHandlers } from './backups/backups-handlers';
import { barsHandlers } from './bars/bars-handlers';
import { compareHandlers } from './compare/compare-handlers';
import type { CoreContext } from './context';
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
import { JobRunner } from './jobs/job-runner';
import { jobsHandlers } from './jobs/jobs-handlers';
import { processOwner } from './jobs/process-owner';
import { ProviderTurns } from './jobs/provider-turns';
import { marketHandlers } from './market/market-handlers';
import { PriceAlertEngine } from './price-alerts/price-alert-engine';
import { priceAlertsHandlers } from './price-alerts/price-alerts-handlers';
import type { CorePorts } from './ports';
import { providerHandlers } from './providers/providers-handlers';
import { qualityHandlers } from './quality/quality-handlers';
import { Scheduler, systemClock } from './scheduler/scheduler';
import { secretsHandlers } from './secrets/secrets-handlers';
import { retentionHandlers } from './retention/retention-handlers';
import { readSettings, settingsHandlers } from './settings/settings-handlers';
import { openStorage } from './storage/open-storage';
import type { Storage } from './storage/types';
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

export async function createCore(ports: CorePorts, options: InvokeOptions): Promise<Core> {
  const now = ports.now ?? Date.now;
  const storage = await openStorage({ ...ports.config, logger: ports.logger });
  try {
    await storage.instruments.seed(instrumentCatalogue);
    const events = new EventBus();
    // Names this process on its job runs, so runs of another live process sharing the database are left alone.
    const owner = processOwner();
    const jobs = new JobRunner(storage.jobRuns, events, ports.logger, now, { owner });
    await jobs.startHeartbeat();
    // After the heartbeat's sweep has ended the job runs of processes that stopped mid-fit.
    await storage.trainingRuns.settleInterrupted();
    const turns = new ProviderTurns();
    const providers = new ProviderRegistry(ports.config.providers, ports.secrets, ports.logger, undefined, async () => (await readSettings(ports)).providers);
    const backfills = new Backfills({ storage, jobs, events, logger: ports.logger, now, turns, providerPlan: (provider) => providers.plan(provider) });
    const clock = systemClock(now);
    // Its thread starts on the first fit or forecast, so a core that never trains never loads tfjs.
    const modelWorker = startModelWorker({ logger: ports.logger, preferredBackend: ports.config.tfjsBackend });
    // The tracker runs the scheduler's predict and train jobs and asks it for train jobs on drift, so each reaches the other when a job runs.
    const live: LiveTracker = new LiveTracker({
      storage,
      events,
      clock,
      logger: ports.logger,
      ops: serviceLiveOps(() => ctx, new ArtifactStore(ports.config.dataDir)),
      runTrainJobs: (modelName, symbol): Promise<boolean> => scheduler.retrain(modelName, symbol),
    });
    const scheduler: Scheduler = new Scheduler({ storage, jobs, events, providers, backfills, turns, clock, logger: ports.logger, now, modelJobs: live });
    await scheduler.load();
    // Headless one-shot commands (an import, a backfill) evaluate too: alerts do not wait for a long-running host.
    const priceAlerts = new PriceAlertEngine({ storage, events, clock, logger: ports.logger });
    priceAlerts.start(events);
    const ctx: CoreContext = { ports, storage, events, jobs, providers, backfills, turns, scheduler, clock, modelWorker, live, priceAlerts, now, startedAt: now() };
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
    });

    return {
      invoke: createInvoke(handlers, ports.logger, options),
      events,
      storage,
      jobs,
      scheduler,
      close: async () => {
        scheduler.stop();
        jobs.stopHeartbeat();
        jobs.cancelAll();
        await scheduler.settled();
        await live.settled();
        // A cancelled training still records how it ended (its training run, its job run) before the database closes.
        await jobs.settled();
        // After the jobs, whose last bars may still be evaluated; before the database closes.
        priceAlerts.stop();
        await priceAlerts.settled();
        await modelWorker.close();
        await storage.close();
      },
    };
  } catch (error) {
    await storage.close();
    throw error;
  }
}
