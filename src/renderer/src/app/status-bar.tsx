import { useEffect, useState } from 'react';
import type { EventPayload } from '../../../shared/contract';
import { describeError } from '../api/api-error';
import { useApiEvent, useApiQuery } from '../api/hooks';
import { formatAge } from '../features/backups/backup-view';
import { useBackupStatus } from '../features/backups/use-backup-status';
import { formatUtcDateTime } from '../features/data/data-format';
import { nextScheduledRun } from '../features/data/scheduled-runs';
import { useAlerts } from '../features/data/use-alerts';
import { useNow } from '../features/data/use-now';
import { useScheduledJobs } from '../features/data/use-scheduled-jobs';
import { formatCount } from '../ui/format/numbers';
import { databaseModeNames } from '../ui/database-modes';
import { formatDuration } from '../ui/format/time';
import { browserTimeZone, displayZone, formatZonedClock } from '../ui/format/zoned-time';
import { describeJobFinished, describeJobProgress } from '../ui/job-text';
import { useSettings } from '../ui/settings-context';

const STATUS_REFRESH_MS = 10_000;
/** How long the outcome of a finished job stays in the status bar. */
const FINISHED_NOTICE_MS = 8_000;

type Progress = EventPayload<'job.progress'>;
type Finished = EventPayload<'job.finished'>;
type SyncStatus = EventPayload<'sync.changed'>;

/** "14:02" in the zone the user chose for times (UTC for "exchange", as no instrument is in view here). */
function useClockTime(): (epochMs: number) => string {
  const { settings } = useSettings();
  const zone = displayZone(settings?.timeZone ?? 'utc', undefined, browserTimeZone());
  return (epochMs) => formatZonedClock(epochMs, zone);
}

/**
 * Team mode: "offline — working from the local cache since 14:02, 3 changes to send" while the
 * team database cannot be reached, and "Team database · synced 14:05" while it can.
 */
function TeamSync({ sync }: { sync: SyncStatus }) {
  const clockTime = useClockTime();
  if (sync.mode !== 'team') return null;
  const { lastSync } = sync;
  const synced = lastSync === null ? 'not synced yet' : `synced ${clockTime(lastSync.at)}`;
  const title = sync.cache === null ? undefined : `Local cache: ${sync.cache.location}`;
  if (sync.state === 'offline') {
    const changes = `${formatCount(sync.pendingChanges)} ${sync.pendingChanges === 1 ? 'change' : 'changes'} to send`;
    return (
      <span className="status-bar__item status-bar__item--warning" data-testid="status-sync" data-state="offline" role="status" title={title}>
        <span className="status-dot status-dot--offline" aria-hidden="true" />
        offline — working from the local cache{sync.offlineSince === null ? '' : ` since ${clockTime(sync.offlineSince)}`}, {changes}
      </span>
    );
  }
  return (
    <span className="status-bar__item" data-testid="status-sync" data-state="online" title={title}>
      Team database · {synced}
    </span>
  );
}

/** "Scheduler on · next 14:30" from jobs.list: whether this host fires schedules, and when next. */
function SchedulerState() {
  const jobs = useScheduledJobs();
  if (!jobs.data) return null;
  const { scheduler } = jobs.data;
  const next = nextScheduledRun(jobs.data.jobs);
  const active = jobs.data.jobs.filter((job) => job.enabled && job.schedule !== null).length;
  return (
    <span className="status-bar__item" data-testid="status-scheduler" title={`${active} scheduled ${active === 1 ? 'job' : 'jobs'} active`}>
      <span className={`status-dot status-dot--${scheduler.state === 'running' ? 'online' : 'offline'}`} aria-hidden="true" />
      Scheduler {scheduler.state === 'running' ? 'on' : 'off'}
      {scheduler.state === 'running' && next !== null && ` · next ${formatUtcDateTime(next)}`}
      {scheduler.queued > 0 && ` · ${formatCount(scheduler.queued)} waiting`}
    </span>
  );
}

/** After the keyring changed, saved keys it cannot open are named in Settings; this says there are some. */
function UnreadableSecrets() {
  const health = useApiQuery('secrets.health', {}, { refreshMs: STATUS_REFRESH_MS });
  const count = health.data?.unreadable.length ?? 0;
  if (count === 0) return null;
  return (
    <span className="status-bar__item status-bar__item--error" role="alert" data-testid="status-secrets-unreadable">
      {count === 1 ? '1 saved key' : `${formatCount(count)} saved keys`} must be entered again in Settings
    </span>
  );
}

function AlertCount({ onOpen }: { onOpen(): void }) {
  const { unacknowledged } = useAlerts();
  if (unacknowledged === 0) return null;
  return (
    <button type="button" className="status-bar__item status-bar__alerts" data-testid="status-alerts" onClick={onOpen}>
      {formatCount(unacknowledged)} {unacknowledged === 1 ? 'alert' : 'alerts'}
    </button>
  );
}

/** "Backup 3 h ago": the last good backup's age, in the warning style when the schedule promised a newer one. */
function BackupAge({ onOpen }: { onOpen(): void }) {
  const { data } = useBackupStatus();
  const now = useNow();
  if (!data) return null;
  const text = data.lastGood === null ? 'No backup yet' : `Backup ${formatAge(now - (data.lastGood.finishedAt ?? data.lastGood.createdAt))}`;
  const promise = data.promisedIntervalMs === null ? 'No backup is scheduled.' : `The schedule promises one every ${formatDuration(data.promisedIntervalMs)}.`;
  return (
    <button
      type="button"
      className={`status-bar__item status-bar__backup${data.overdue ? ' status-bar__backup--overdue' : ''}`}
      data-testid="status-backup"
      data-overdue={data.overdue}
      title={`${data.overdue ? 'The last good backup is older than the schedule promises. ' : ''}${promise}`}
      onClick={onOpen}
    >
      {data.overdue && <span aria-hidden="true">⚠ </span>}
      {text}
    </button>
  );
}

export function StatusBar({ onOpenAlerts, onOpenBackups }: { onOpenAlerts(): void; onOpenBackups(): void }) {
  const status = useApiQuery('system.status', {}, { refreshMs: STATUS_REFRESH_MS });
  // Newer than the last system.status until it is read again: the switch to the cache shows at once.
  const [syncChange, setSyncChange] = useState<{ sync: SyncStatus; after: unknown } | null>(null);
  useApiEvent('sync.changed', (sync) => setSyncChange({ sync, after: status.data }));
  const sync = syncChange !== null && syncChange.after === status.data ? syncChange.sync : status.data?.sync;
  const [running, setRunning] = useState<ReadonlyMap<string, Progress>>(new Map());
  const [finished, setFinished] = useState<Finished | null>(null);

  useApiEvent('job.progress', (progress) => setRunning((jobs) => new Map(jobs).set(progress.runId, progress)));
  useApiEvent('job.finished', (outcome) => {
    setRunning((jobs) => {
      const next = new Map(jobs);
      next.delete(outcome.runId);
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
  // Offline in team mode the open database is this desktop's cache: the team item says so instead.
  const database = sync?.mode === 'team' && sync.state === 'offline' ? undefined : status.data?.database;
  const unreachable = status.error !== null;

  return (
    <footer className="status-bar" data-testid="status-bar">
      {database && (
        <span className="status-bar__item" data-testid="status-db" title={database.location}>
          <span className={`status-dot status-dot--${database.online && !unreachable ? 'online' : 'offline'}`} aria-hidden="true" />
          {databaseModeNames[database.mode]} · {database.online ? 'online' : 'offline, using the local cache'}
        </span>
      )}
      {sync && <TeamSync sync={sync} />}
      {status.data && (
        <span className="status-bar__item" data-testid="status-bars">
          {status.data.bars === null
            ? 'bars unknown while the database is offline'
            : `${formatCount(status.data.bars)} bars · ${formatCount(status.data.instruments ?? 0)} instruments`}
        </span>
      )}
      {database?.problem && (
        <span className="status-bar__item status-bar__item--error" role="alert" data-testid="status-db-problem">
          {database.problem}
        </span>
      )}
      {unreachable && (
        <span className="status-bar__item status-bar__item--error" role="alert" data-testid="status-error">
          {describeError(status.error)}
        </span>
      )}
      <SchedulerState />
      <UnreadableSecrets />
      <AlertCount onOpen={onOpenAlerts} />
      <BackupAge onOpen={onOpenBackups} />
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
