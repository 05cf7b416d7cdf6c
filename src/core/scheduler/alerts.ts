import type { Alert } from '../../shared/scheduler';
import type { EventBus } from '../events';
import type { HandlerMap } from '../handlers';
import type { Storage } from '../storage/types';

interface AlertDeps {
  storage: Storage;
  events: EventBus;
  clock: { now(): number };
}

/** Stores the alert and pushes it (`alert.raised`): the in-app list, and a desktop notification in Electron. */
export async function raiseAlert(
  deps: AlertDeps,
  alert: { severity: Alert['severity']; source: string; message: string; details?: Record<string, unknown> },
): Promise<Alert> {
  const stored = await deps.storage.alerts.raise({ ...alert, createdAt: deps.clock.now() });
  deps.events.emit('alert.raised', stored);
  return stored;
}

export function alertHandlers(deps: AlertDeps): HandlerMap {
  const { alerts } = deps.storage;
  return {
    'alerts.list': async ({ unacknowledgedOnly, limit }) => ({
      alerts: await alerts.list({ unacknowledgedOnly, limit }),
      unacknowledged: await alerts.countUnacknowledged(),
    }),
    'alerts.acknowledge': async ({ ids }) => ({ acknowledged: await alerts.acknowledge(ids, deps.clock.now()) }),
  };
}
