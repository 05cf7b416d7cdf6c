import type { HandlerMap } from '../handlers';
import type { Scheduler } from './scheduler';

export function schedulerHandlers(scheduler: Scheduler): HandlerMap {
  return {
    'jobs.list': async () => ({ jobs: await scheduler.list(), scheduler: scheduler.state() }),
    'jobs.create': (definition) => scheduler.create(definition),
    'jobs.update': ({ id, ...patch }) => scheduler.update(id, patch),
    'jobs.pause': ({ id }) => scheduler.setEnabled(id, false),
    'jobs.resume': ({ id }) => scheduler.setEnabled(id, true),
    'jobs.delete': async ({ id }) => ({ id, deleted: await scheduler.delete(id) }),
    'jobs.runNow': async ({ id }) => ({ id, jobId: await scheduler.runNow(id) }),
  };
}
