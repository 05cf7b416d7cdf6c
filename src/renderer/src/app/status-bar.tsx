import { useEffect, useState } from 'react';
import type { EventPayload } from '../../../shared/contract';
import type { DatabaseMode } from '../../../shared/domain';
import { describeError } from '../api/api-error';
import { useApiEvent, useApiQuery } from '../api/hooks';
import { formatCount } from '../format/numbers';
import { describeJobFinished, describeJobProgress } from './job-text';

const STATUS_REFRESH_MS = 10_000;
/** How long the outcome of a finished job stays in the status bar. */
const FINISHED_NOTICE_MS = 8_000;

export const databaseModeNames: Record<DatabaseMode, string> = {
  sqlite: 'SQLite',
  postgres: 'Postgres',
  timescaledb: 'TimescaleDB',
};

type Progress = EventPayload<'job.progress'>;
type Finished = EventPayload<'job.finished'>;

export function StatusBar() {
  const status = useApiQuery('system.status', {}, { refreshMs: STATUS_REFRESH_MS });
  const [running, setRunning] = useState<ReadonlyMap<string, Progress>>(new Map());
  const [finished, setFinished] = useState<Finished | null>(null);

  useApiEvent('job.progress', (progress) => setRunning((jobs) => new Map(jobs).set(progress.jobId, progress)));
  useApiEvent('job.finished', (outcome) => {
    setRunning((jobs) => {
      const next = new Map(jobs);
      next.delete(outcome.jobId);
      return next;
    });
    setFinished(outcome);
    status.reload();
  });

  useEffect(() => {
    if (!finished) return;
    const timer = setTimeout(() => setFinished(null), FINISHED_NOTICE_MS);
    return () => clearTimeout(timer);
  }, [finished]);

  const current = [...running.values()].at(-1);
  const database = status.data?.database;
  const unreachable = status.error !== null;

  return (
    <footer className="status-bar" data-testid="status-bar">
      {database && (
        <span className="status-bar__item" data-testid="status-db" title={database.location}>
          <span className={`status-dot status-dot--${database.online && !unreachable ? 'online' : 'offline'}`} aria-hidden="true" />
          {databaseModeNames[database.mode]} · {database.online ? 'online' : 'offline, using the local cache'}
        </span>
      )}
      {status.data && (
        <span className="status-bar__item" data-testid="status-bars">
          {formatCount(status.data.bars)} bars · {formatCount(status.data.instruments)} instruments
        </span>
      )}
      {unreachable && (
        <span className="status-bar__item status-bar__item--error" role="alert" data-testid="status-error">
          {describeError(status.error)}
        </span>
      )}
      <span className="status-bar__spacer" />
      {current ? (
        <span className="status-bar__item status-bar__item--job" data-testid="status-job" role="status">
          <span className="spinner" aria-hidden="true" />
          {describeJobProgress(current)}
          {running.size > 1 ? ` (+${running.size - 1} more)` : ''}
        </span>
      ) : (
        finished && (
          <span
            className={`status-bar__item${finished.status === 'failed' ? ' status-bar__item--error' : ''}`}
            data-testid="status-job-finished"
            role="status"
          >
            {describeJobFinished(finished)}
          </span>
        )
      )}
      {status.data && <span className="status-bar__item muted">v{status.data.appVersion}</span>}
    </footer>
  );
}
