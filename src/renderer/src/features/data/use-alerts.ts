import type { Alert } from '../../../../shared/scheduler';
import { useApiEvent, useApiQuery } from '../../api/hooks';
import { createRevision } from './revision';

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

const alertsRevision = createRevision();

export function useAlerts(): AlertsState {
  const query = useApiQuery('alerts.list', {}, { refreshMs: ALERTS_REFRESH_MS });
  const { reload } = query;
  alertsRevision.useReloadOnBump(reload);
  useApiEvent('alert.raised', reload);
  return {
    list: query.data?.alerts ?? [],
    unacknowledged: query.data?.unacknowledged ?? 0,
    error: query.error,
    reload: alertsRevision.bump,
  };
}
