import { useState } from 'react';
import { jobKinds, type JobRun } from '../../../../shared/domain';
import { useApiEvent, useApiQuery } from '../../api/hooks';
import { jobName } from '../../ui/job-text';
import { formatCount } from '../../ui/format/numbers';
import { QueryError } from '../../ui/load-error';
import { formatRunDuration, formatUtcDateTime } from './data-format';
import { DataTable } from './data-table';

const RUNS_SHOWN = 200;
type Kind = JobRun['kind'];

export const runStatusLabels: Record<JobRun['status'], string> = {
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export function RunHistorySection() {
  const [kind, setKind] = useState<Kind | ''>('');
  const runs = useApiQuery('jobs.runs', { limit: RUNS_SHOWN, ...(kind !== '' && { kind }) });
  const shown = runs.data?.runs ?? [];
  // A new run appears when it starts and its row settles when it ends.
  useApiEvent('job.progress', (progress) => {
    if (!runs.loading && !shown.some((run) => run.id === progress.runId)) runs.reload();
  });
  useApiEvent('job.finished', () => runs.reload());

  return (
    <div className="data-section" data-testid="run-history">
      <div className="data-toolbar">
        <label htmlFor="runs-kind">Kind</label>
        <select id="runs-kind" value={kind} data-testid="runs-kind" onChange={(event) => setKind(event.target.value as Kind | '')}>
          <option value="">All jobs</option>
          {jobKinds.map((k) => (
            <option key={k} value={k}>
              {jobName(k)}
            </option>
          ))}
        </select>
        <span className="muted">the latest {formatCount(RUNS_SHOWN)} runs, newest first</span>
      </div>
      <QueryError error={runs.error} />
      {runs.data &&
        (shown.length === 0 ? (
          <p className="muted" data-testid="runs-empty">
            {kind === '' ? 'No job has run yet.' : `No “${jobName(kind)}” job has run yet.`}
          </p>
        ) : (
          <DataTable
            caption="Job runs"
            wide
            testId="runs-table"
            columns={[
              { label: 'Started' },
              { label: 'Kind', text: true },
              { label: 'What', text: true },
              { label: 'Status', text: true },
              { label: 'Rows' },
              { label: 'Duration' },
              { label: 'Error', text: true },
            ]}
          >
            {shown.map((run) => (
              <tr key={run.id} data-testid={`run-${run.id}`} data-kind={run.kind} data-status={run.status}>
                <td>{formatUtcDateTime(run.startedAt)}</td>
                <td className="data-table__text">{jobName(run.kind)}</td>
                <td className="data-table__text data-table__description">{run.description}</td>
                <td className="data-table__text">
                  <span className={`run-status run-status--${run.status}`}>{runStatusLabels[run.status]}</span>
                </td>
                <td>{formatCount(run.rows)}</td>
                <td>{run.finishedAt === null ? '—' : formatRunDuration(run.finishedAt - run.startedAt)}</td>
                <td className={`data-table__text${run.status === 'failed' ? ' error-text' : ' muted'}`}>{run.error ?? ''}</td>
              </tr>
            ))}
          </DataTable>
        ))}
    </div>
  );
}
