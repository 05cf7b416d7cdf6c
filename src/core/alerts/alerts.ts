import type { Alert } from '../../shared/scheduler';
import type { EventBus } from '../events';
import type { Storage } from '../storage/types';

export interface AlertDeps {
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

/**
 * `raiseAlert`, unless the source's newest unacknowledged alert has the same `code`: a job
 * failing on every run for one reason alerts (and notifies) once, until someone looks. A new
 * reason alerts at once. Returns null when it stayed quiet.
 */
export async function raiseAlertUnlessOpen(
  deps: AlertDeps,
  alert: { severity: Alert['severity']; source: string; message: string; details: Record<string, unknown> & { code: string } },
): Promise<Alert | null> {
  const open = await deps.storage.alerts.latestUnacknowledged(alert.source);
  if (open?.details?.code === alert.details.code) return null;
  return raiseAlert(deps, alert);
}
