import type { MethodOutput } from '../../../../shared/contract';
import { formatCount } from '../../ui/format/numbers';
import { formatDuration } from '../../ui/format/time';
import { QueryError } from '../../ui/load-error';
import { formatSince, formatUtcDateTime } from '../data/data-format';
import { formatAge } from './backup-view';

type BackupStatus = MethodOutput<'backups.status'>;

function LastDrill({ drill, now }: { drill: BackupStatus['lastDrill']; now: number }) {
  if (drill === null) return <span className="muted">never: no restore drill has run yet</span>;
  const series = drill.checks.length;
  return drill.ok ? (
    <span data-testid="last-drill" data-ok="true">
      <span className="run-status run-status--succeeded">restored and queried</span> {formatSince(drill.at, now)} ({formatUtcDateTime(drill.at)}):{' '}
      {formatCount(series)} series answered, in {formatDuration(drill.durationMs)}
    </span>
  ) : (
    <span data-testid="last-drill" data-ok="false">
      <span className="run-status run-status--failed">failed</span> {formatSince(drill.at, now)}: {drill.error}
    </span>
  );
}

/**
 * The backups as a whole: the last good one against what the schedule promises, the last restore
 * drill ("last verified restore"), and the folder backups are written to.
 */
export function BackupHealth({ status, error, now }: { status: BackupStatus | undefined; error: unknown; now: number }) {
  return (
    <section className="panel" aria-labelledby="backup-health-title" data-testid="backup-health">
      <h2 id="backup-health-title">State</h2>
      <QueryError error={error} />
      {status && (
        <dl className="facts">
          <dt>Last good backup</dt>
          <dd data-testid="health-last-good" className={status.overdue ? 'data-form__warning' : undefined}>
            {status.lastGood === null ? 'none yet' : `${formatAge(now - (status.lastGood.finishedAt ?? status.lastGood.createdAt))}, ${formatUtcDateTime(status.lastGood.createdAt)}`}
            {status.overdue && ' — older than the schedule promises'}
          </dd>
          <dt>Schedule promises</dt>
          <dd>{status.promisedIntervalMs === null ? 'nothing: no backup is scheduled' : `a backup every ${formatDuration(status.promisedIntervalMs)}`}</dd>
          <dt>Last verified restore</dt>
          <dd>
            <LastDrill drill={status.lastDrill} now={now} />
          </dd>
          <dt>Backup folder</dt>
          <dd className="mono" data-testid="backup-folder">
            {status.folder}
          </dd>
        </dl>
      )}
    </section>
  );
}
