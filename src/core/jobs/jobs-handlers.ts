import { runIds } from '../../shared/domain';
import type { CoreContext } from '../context';
import type { HandlerMap } from '../handlers';

/** Scheduled jobs (definitions, timers) and job runs (of any kind: backfill, import, repair, scheduled). */
export function jobsHandlers(ctx: Pick<CoreContext, 'scheduler' | 'jobs' | 'storage'>): HandlerMap {
  const { scheduler, jobs } = ctx;
  return {
    'jobs.list': async () => ({ jobs: await scheduler.list(), scheduler: scheduler.state() }),
    'jobs.create': (definition) => scheduler.create(definition),
    'jobs.update': ({ id, ...patch }) => scheduler.update(id, patch),
    'jobs.pause': ({ id }) => scheduler.setEnabled(id, false),
    'jobs.resume': ({ id }) => scheduler.setEnabled(id, true),
    'jobs.delete': async ({ id }) => ({ id, deleted: await scheduler.delete(id) }),
    'jobs.runNow': async ({ id }) => ({ id, ...runIds(await scheduler.runNow(id)) }),
    'jobs.runs': async ({ kind, limit }) => ({ runs: await ctx.storage.jobRuns.list({ kind, limit }) }),
    'jobs.cancel': ({ runId }) => ({ ...runIds(runId), cancelled: jobs.cancel(runId) }),
  };
}
