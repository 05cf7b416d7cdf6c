import type { Alert } from '../../../../shared/scheduler';
import { api } from '../../api/client';
import { createSharedQuery, useSharedQuery } from '../../api/shared-query';

/** Alerts are also re-read on this interval, in case an event was missed while the page slept. */
const ALERTS_REFRESH_MS = 30_000;

export interface AlertsState {
  /** The newest alerts, acknowledged or not. */
  list: readonly Alert[];
  /** Counted over all alerts, not only those listed. */
  unacknowledged: number;
  error: unknown;
  /** Re-reads the alerts everywhere they are shown (the status bar and the Data screen). */
  reload(): void;
}

const alerts = createSharedQuery(api, 'alerts.list', {}, { refreshMs: ALERTS_REFRESH_MS, reloadOn: ['alert.raised'] });

export function useAlerts(): AlertsState {
  const { data, error } = useSharedQuery(alerts);
  return { list: data?.alerts ?? [], unacknowledged: data?.unacknowledged ?? 0, error, reload: alerts.reload };
}
