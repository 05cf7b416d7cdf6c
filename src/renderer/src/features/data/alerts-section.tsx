import type { Alert, IngestJob } from '../../../../shared/scheduler';
import { describeError } from '../../api/api-error';
import { call } from '../../api/client';
import { useApiAction } from '../../api/use-api-action';
import { formatCount } from '../../ui/format/numbers';
import { formatSince, formatUtcDateTime } from './data-format';
import type { AlertsState } from './use-alerts';
import { useScheduledJobs } from './use-scheduled-jobs';
import { DataTable } from './data-table';

/** `job:<id>` names the scheduled job that raised the alert, shown by its name while the job exists; `priceAlert:<id>` a price alert. */
function describeSource(source: string, jobs: readonly IngestJob[]): string {
  if (source.startsWith('priceAlert:')) return 'price alert';
  const job = source.startsWith('job:') ? jobs.find((j) => j.id === source.slice('job:'.length)) : undefined;
  return job ? `job “${job.name}”` : source;
}

function AlertRow({ alert, source, now, onAcknowledge }: { alert: Alert; source: string; now: number; onAcknowledge(): void }) {
  const acknowledged = alert.acknowledgedAt !== null;
  return (
    <tr className={acknowledged ? 'alert-row--acknowledged' : undefined} data-testid={`alert-${alert.id}`} data-acknowledged={acknowledged}>
      <td className="data-table__text">
        <span className={`severity severity--${alert.severity}`}>{alert.severity}</span>
      </td>
      <td title={formatUtcDateTime(alert.createdAt)}>{formatSince(alert.createdAt, now)}</td>
      <td className="data-table__text data-table__description">{alert.message}</td>
      <td className="data-table__text muted">{source}</td>
      <td className="data-table__actions">
        {acknowledged ? (
          <span className="muted">seen {formatSince(alert.acknowledgedAt!, now)}</span>
        ) : (
          <button type="button" className="button button--small" aria-label={`Acknowledge: ${alert.message}`} data-testid={`alert-ack-${alert.id}`} onClick={onAcknowledge}>
            Acknowledge
          </button>
        )}
      </td>
    </tr>
  );
}

export function AlertsSection({ alerts, now }: { alerts: AlertsState; now: number }) {
  const { error, run } = useApiAction();
  /** Without ids: every unacknowledged alert, listed or not. */
  const acknowledge = (ids?: number[]) =>
    run(async () => {
      await call('alerts.acknowledge', ids ? { ids } : {});
      alerts.reload();
    });
  const { list, unacknowledged } = alerts;
  const jobs = useScheduledJobs().data?.jobs ?? [];
  const shownError = error ?? (alerts.error !== null ? describeError(alerts.error) : null);
  return (
    <div className="data-section" data-testid="alerts">
      <div className="data-toolbar">
        <span data-testid="alerts-open">{unacknowledged === 0 ? 'Nothing needs attention.' : `${formatCount(unacknowledged)} not yet acknowledged.`}</span>
        <span className="status-bar__spacer" />
        <button type="button" className="button" disabled={unacknowledged === 0} data-testid="alerts-ack-all" onClick={() => void acknowledge()}>
          Acknowledge all
        </button>
      </div>
      {shownError && (
        <p className="error-text" role="alert">
          {shownError}
        </p>
      )}
      {list.length === 0 ? (
        <p className="muted" data-testid="alerts-empty">
          No alerts. A scheduled job that fails raises one here and in the status bar.
        </p>
      ) : (
        <DataTable
          caption="Alerts"
          wide
          testId="alerts-table"
          columns={[
            { label: 'Severity', text: true },
            { label: 'When' },
            { label: 'Message', text: true },
            { label: 'Source', text: true },
            { label: 'Acknowledged', unlabelled: true },
          ]}
        >
          {list.map((alert) => (
            <AlertRow key={alert.id} alert={alert} source={describeSource(alert.source, jobs)} now={now} onAcknowledge={() => void acknowledge([alert.id])} />
          ))}
        </DataTable>
      )}
    </div>
  );
}
