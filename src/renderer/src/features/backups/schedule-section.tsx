import { useId, useState } from 'react';
import type { IngestJob } from '../../../../shared/scheduler';
import { call } from '../../api/client';
import { useApiAction } from '../../api/use-api-action';
import { QueryError } from '../../ui/load-error';
import { formatUntil, formatUtcDateTime } from '../data/data-format';
import { runStatusLabels } from '../data/run-history-section';
import { useScheduledJobs } from '../data/use-scheduled-jobs';
import { schedulePresets, type ScheduleKind, type SchedulePreset } from './backup-view';

/** Schedules are read in the zone of the computer showing them, so "02:00" means the trader's night. */
const localZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

const kindTexts: Record<ScheduleKind, { title: string; none: string; name: (preset: SchedulePreset) => string }> = {
  backup: {
    title: 'Scheduled backups',
    none: 'No backup is scheduled: only Back up now writes one.',
    name: (preset) => `${preset.label} backup`,
  },
  drill: {
    title: 'Restore drill',
    none: 'No drill is scheduled. A drill restores the latest backup into a scratch place and queries it, proving the backup restores.',
    name: (preset) => `${preset.label} restore drill`,
  },
};

function ScheduledJob({ job, kind, now, onChanged }: { job: IngestJob; kind: ScheduleKind; now: number; onChanged(): void }) {
  const action = useApiAction();
  const [confirming, setConfirming] = useState(false);
  const act = (work: () => Promise<unknown>) =>
    action.run(async () => {
      await work();
      onChanged();
    });
  const preset = schedulePresets[kind].find((p) => p.schedule === job.schedule);
  const running = job.runningRunId !== null;
  return (
    <li className="scheduled-job" data-testid={`schedule-${job.name}`}>
      <div>
        <strong>{job.name}</strong>{' '}
        <span className="muted">
          {preset ? preset.description : <span className="mono">{job.schedule ?? 'by hand only'}</span>} · {job.timezone}
        </span>
      </div>
      <div className="muted">
        {running ? (
          <span className="run-status run-status--running">running now</span>
        ) : job.nextRunAt !== null ? (
          <span title={formatUtcDateTime(job.nextRunAt)}>next {formatUntil(job.nextRunAt, now)}</span>
        ) : (
          <span>{job.enabled ? 'not scheduled' : 'paused'}</span>
        )}
        {job.lastRun && (
          <>
            {' '}
            · last run <span className={`run-status run-status--${job.lastRun.status}`}>{runStatusLabels[job.lastRun.status]}</span>{' '}
            {formatUtcDateTime(job.lastRun.startedAt)}
          </>
        )}
        {job.lastRun?.error && <div className="error-text">{job.lastRun.error}</div>}
      </div>
      <div className="scheduled-job__actions">
        <select
          aria-label={`Schedule of ${job.name}`}
          value={preset?.schedule ?? ''}
          disabled={action.busy}
          data-testid={`schedule-preset-${job.name}`}
          onChange={(e) => e.target.value !== '' && void act(() => call('jobs.update', { id: job.id, schedule: e.target.value, timezone: localZone }))}
        >
          {!preset && <option value="">custom ({job.schedule})</option>}
          {schedulePresets[kind].map((p) => (
            <option key={p.schedule} value={p.schedule}>
              {p.description}
            </option>
          ))}
        </select>
        <button type="button" className="button button--small" disabled={action.busy || running} data-testid={`schedule-run-${job.name}`} onClick={() => void act(() => call('jobs.runNow', { id: job.id }))}>
          Run now
        </button>
        <button type="button" className="button button--small" disabled={action.busy} onClick={() => void act(() => call(job.enabled ? 'jobs.pause' : 'jobs.resume', { id: job.id }))}>
          {job.enabled ? 'Pause' : 'Resume'}
        </button>
        {confirming ? (
          <span className="confirm">
            <button type="button" className="button button--small button--danger" disabled={action.busy} onClick={() => void act(() => call('jobs.delete', { id: job.id }))}>
              Delete schedule
            </button>
            <button type="button" className="button button--small" autoFocus onClick={() => setConfirming(false)}>
              Keep
            </button>
          </span>
        ) : (
          <button type="button" className="button button--small" onClick={() => setConfirming(true)}>
            Delete
          </button>
        )}
      </div>
      {action.error && (
        <p className="error-text" role="alert">
          {action.error}
        </p>
      )}
    </li>
  );
}

/**
 * The scheduled jobs of one kind (`backup` or `drill`) with presets to add one; they are ordinary
 * scheduled jobs, so Data › Scheduled jobs edits every other field.
 */
export function ScheduleSection({ kind, now }: { kind: ScheduleKind; now: number }) {
  const prefix = useId();
  const list = useScheduledJobs();
  const add = useApiAction();
  const texts = kindTexts[kind];
  const jobs = (list.data?.jobs ?? []).filter((job) => job.kind === kind);
  const create = (preset: SchedulePreset) =>
    add.run(async () => {
      await call('jobs.create', { name: texts.name(preset), kind, symbols: [], schedule: preset.schedule, timezone: localZone });
      list.changed();
    });
  return (
    <section className="panel" aria-labelledby={`${prefix}-title`} data-testid={`schedule-${kind}`}>
      <h2 id={`${prefix}-title`}>{texts.title}</h2>
      <QueryError error={list.error} />
      {list.data &&
        (jobs.length === 0 ? (
          <p className="muted">{texts.none}</p>
        ) : (
          <ul className="scheduled-jobs">
            {jobs.map((job) => (
              <ScheduledJob key={job.id} job={job} kind={kind} now={now} onChanged={list.changed} />
            ))}
          </ul>
        ))}
      <div className="data-toolbar">
        <span>Add:</span>
        {schedulePresets[kind].map((preset) => (
          <button
            key={preset.schedule}
            type="button"
            className="button button--small"
            disabled={add.busy}
            data-testid={`schedule-add-${kind}-${preset.label.toLowerCase()}`}
            onClick={() => void create(preset)}
          >
            {preset.description}
          </button>
        ))}
      </div>
      {add.error && (
        <p className="error-text" role="alert">
          {add.error}
        </p>
      )}
    </section>
  );
}
