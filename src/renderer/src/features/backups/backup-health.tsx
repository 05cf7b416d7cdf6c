import { useState } from 'react';
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
/** On the desktop, the folder is chosen in the native dialog; over `serve` it is set with `metalytics backups folder`. */
function ChangeFolder({ onChanged }: { onChanged(): void }) {
  const desktop = window.metalyticsDesktop;
  const [problem, setProblem] = useState<string | null>(null);
  if (!desktop) return <span className="muted"> (set on the server with metalytics backups folder PATH)</span>;
  const choose = async () => {
    const answer = await desktop.chooseBackupFolder();
    if (answer === null) return;
    setProblem(answer.ok ? null : answer.error.message);
    if (answer.ok) onChanged();
  };
  return (
    <>
      {' '}
      <button type="button" className="button button--small" data-testid="backup-folder-change" onClick={() => void choose()}>
        Change…
      </button>
      {problem && <span className="error-text"> {problem}</span>}
    </>
  );
}

export function BackupHealth({ status, error, now, onFolderChanged }: { status: BackupStatus | undefined; error: unknown; now: number; onFolderChanged(): void }) {
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
          <dd>
            <span className="mono" data-testid="backup-folder">
              {status.folder}
            </span>
            <ChangeFolder onChanged={onFolderChanged} />
          </dd>
        </dl>
      )}
    </section>
  );
}
