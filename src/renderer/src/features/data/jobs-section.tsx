import { useRef, useState } from 'react';
import type { Instrument } from '../../../../shared/domain';
import type { ProviderStatus } from '../../../../shared/providers';
import type { IngestJob } from '../../../../shared/scheduler';
import { call } from '../../api/client';
import { useApiAction } from '../../api/use-api-action';
import { formatCount } from '../../ui/format/numbers';
import { QueryError } from '../../ui/load-error';
import { formatSince, formatUntil, formatUtcDateTime } from './data-format';
import { JobEditor } from './job-editor';
import { jobKindLabels } from './job-form';
import { runStatusLabels } from './run-history-section';
import { useScheduledJobs } from './use-scheduled-jobs';
import { DataTable } from './data-table';

function LastRun({ job, now }: { job: IngestJob; now: number }) {
  const run = job.lastRun;
  if (!run) return <span className="muted">never</span>;
  return (
    <>
      <span className={`run-status run-status--${run.status}`}>{runStatusLabels[run.status]}</span>
      {run.status !== 'running' && <> · {formatCount(run.rows)} rows</>}
      <span className="muted" title={formatUtcDateTime(run.startedAt)}>
        {' '}
        · {formatSince(run.startedAt, now)}
      </span>
      {run.error && <div className={run.status === 'failed' ? 'error-text' : 'muted'}>{run.error}</div>}
    </>
  );
}

function JobRow({ job, providerName, now, onEdit, onChanged }: { job: IngestJob; providerName: string; now: number; onEdit(): void; onChanged(): void }) {
  const { busy, error, run } = useApiAction();
  const [confirming, setConfirming] = useState(false);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const act = (action: () => Promise<unknown>) =>
    run(async () => {
      await action();
      onChanged();
    });
  const running = job.runningRunId !== null;
  return (
    <tr data-testid={`job-${job.name}`} data-enabled={job.enabled} data-last-status={job.lastRun?.status ?? 'none'}>
      <th scope="row">{job.name}</th>
      <td className="data-table__text">{jobKindLabels[job.kind]}</td>
      <td className="data-table__text">{providerName}</td>
      <td className="data-table__text">{job.symbols.length > 0 ? job.symbols.join(', ') : 'all'}</td>
      <td className="data-table__text">
        {job.schedule === null ? (
          <span className="muted">by hand only</span>
        ) : (
          <>
            <span className="mono">{job.schedule}</span> <span className="muted">{job.timezone}</span>
          </>
        )}
      </td>
      <td className="data-table__text" data-testid={`job-next-${job.name}`}>
        {running ? (
          <span className="run-status run-status--running">running now</span>
        ) : job.nextRunAt === null ? (
          <span className="muted">{job.enabled ? '—' : 'paused'}</span>
        ) : (
          <span title={formatUtcDateTime(job.nextRunAt)}>{formatUntil(job.nextRunAt, now)}</span>
        )}
      </td>
      <td className="data-table__text" data-testid={`job-last-${job.name}`}>
        <LastRun job={job} now={now} />
        {error && (
          <div className="error-text" role="alert">
            {error}
          </div>
        )}
      </td>
      <td className="data-table__text">{job.enabled ? 'Active' : <span className="run-status run-status--paused">Paused</span>}</td>
      <td className="data-table__actions">
        {confirming ? (
          <span className="confirm" role="group" aria-label={`Delete ${job.name}?`}>
            Delete?
            <button
              type="button"
              className="button button--small button--danger"
              disabled={busy}
              data-testid={`job-delete-confirm-${job.name}`}
              onClick={() => void act(() => call('jobs.delete', { id: job.id }))}
            >
              Delete
            </button>
            <button
              type="button"
              className="button button--small"
              onClick={() => {
                setConfirming(false);
                deleteButton.current?.focus();
              }}
              autoFocus
            >
              Keep
            </button>
          </span>
        ) : (
          <>
            <button type="button" className="button button--small" aria-label={`Edit ${job.name}`} onClick={onEdit}>
              Edit
            </button>
            <button
              type="button"
              className="button button--small"
              disabled={busy}
              aria-label={`${job.enabled ? 'Pause' : 'Resume'} ${job.name}`}
              data-testid={`job-toggle-${job.name}`}
              onClick={() => void act(() => call(job.enabled ? 'jobs.pause' : 'jobs.resume', { id: job.id }))}
            >
              {job.enabled ? 'Pause' : 'Resume'}
            </button>
            <button
              type="button"
              className="button button--small"
              disabled={busy || running}
              aria-label={`Run ${job.name} now`}
              data-testid={`job-run-${job.name}`}
              onClick={() => void act(() => call('jobs.runNow', { id: job.id }))}
            >
              Run now
            </button>
            <button
              ref={deleteButton}
              type="button"
              className="button button--small"
              aria-label={`Delete ${job.name}`}
              data-testid={`job-delete-${job.name}`}
              onClick={() => setConfirming(true)}
            >
              Delete
            </button>
          </>
        )}
      </td>
    </tr>
  );
}

type Editing = { job: IngestJob | null } | null;

export function JobsSection({ providers, instruments, now }: { providers: readonly ProviderStatus[]; instruments: readonly Instrument[]; now: number }) {
  const list = useScheduledJobs();
  const [editing, setEditing] = useState<Editing>(null);

  const jobs = list.data?.jobs ?? [];
  const scheduler = list.data?.scheduler;
  // Forecast and retrain jobs read stored bars and call no provider.
  const providerName = (id: string | null) => (id === null ? 'none' : (providers.find((p) => p.id === id)?.name ?? id));

  return (
    <div className="data-section" data-testid="jobs">
      <div className="data-toolbar">
        {scheduler && (
          <span data-testid="scheduler-state">
            Scheduler {scheduler.state === 'running' ? 'running' : 'stopped'}
            {scheduler.queued > 0 && `, ${formatCount(scheduler.queued)} waiting for their provider`}
          </span>
        )}
        <span className="status-bar__spacer" />
        <button type="button" className="button button--primary" disabled={editing !== null} data-testid="job-new" onClick={() => setEditing({ job: null })}>
          New job
        </button>
      </div>
      <QueryError error={list.error} />
      {list.data &&
        (jobs.length === 0 ? (
          <p className="muted" data-testid="jobs-empty">
            No scheduled jobs. A job fetches latest prices, keeps a series’ bars current or collects news on a cron schedule; every run is
            recorded, and a failed run raises an alert.
          </p>
        ) : (
          <DataTable
            caption="Scheduled jobs"
            wide
            testId="jobs-table"
            columns={[
              { label: 'Name' },
              { label: 'Kind', text: true },
              { label: 'Provider', text: true },
              { label: 'Instruments', text: true },
              { label: 'Schedule', text: true },
              { label: 'Next run', text: true },
              { label: 'Last run', text: true },
              { label: 'State', text: true },
              { label: 'Actions', unlabelled: true },
            ]}
          >
            {jobs.map((job) => (
              <JobRow
                key={job.id}
                job={job}
                providerName={providerName(job.provider)}
                now={now}
                onEdit={() => setEditing({ job })}
                onChanged={list.changed}
              />
            ))}
          </DataTable>
        ))}
      {editing && (
        <JobEditor
          key={editing.job?.id ?? 'new'}
          job={editing.job}
          jobs={jobs}
          providers={providers}
          instruments={instruments}
          now={now}
          onSaved={() => {
            setEditing(null);
            list.changed();
          }}
          onCancel={() => setEditing(null)}
        />
      )}
    </div>
  );
}
