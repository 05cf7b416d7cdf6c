import { useState } from 'react';
import type { Backup, RestoreOutcome } from '../../../../shared/backups';
import { useApiEvent, useApiQuery } from '../../api/hooks';
import { QueryError } from '../../ui/load-error';
import { formatUtcDateTime } from '../data/data-format';
import { useNow } from '../data/use-now';
import { BackUpNow } from './back-up-now';
import { BackupHealth } from './backup-health';
import { BackupsTable } from './backups-table';
import { KeepRulesSection } from './keep-rules-section';
import { ScheduleSection } from './schedule-section';
import { RestoreFromFile } from './restore-from-file';
import { RestoreDialog, type RestoreSource } from './restore-dialog';
import { RetentionSection } from './retention-section';
import '../data/data.css';
import { useBackupStatus } from './use-backup-status';
import './backups.css';

const backupSource = (backup: Backup): RestoreSource => ({ id: backup.id, label: `the backup of ${formatUtcDateTime(backup.createdAt)}`, encrypted: backup.encrypted });

/**
 * Backups: back up now, the archives with their checks, restore with its preview and undo,
 * the schedule and keep rules, and data retention.
 */
export function BackupsScreen({ onRestored }: { onRestored(outcome: RestoreOutcome, label: string): void }) {
  const list = useApiQuery('backups.list', {});
  const now = useNow();
  const status = useBackupStatus();
  const [restoring, setRestoring] = useState<RestoreSource | null>(null);
  useApiEvent('job.finished', (finished) => {
    if (finished.kind === 'backup' || finished.kind === 'restore' || finished.kind === 'drill') list.reload();
  });

  const backups = list.data?.backups ?? [];
  const lastSize = backups.find((backup) => backup.status === 'verified')?.sizeBytes ?? null;

  return (
    <section className="screen screen--scroll backups-screen" data-testid="screen-backups">
      <header>
        <h1 className="screen__title">Backups</h1>
        <p className="muted backups-screen__lede">
          A backup is one archive file holding the whole workspace. Each is checked right after it is written, and a restore can always be
          undone: the state before it is backed up first.
        </p>
      </header>
      <div className="panels">
        <BackUpNow previousSize={lastSize} onFinished={list.reload} />
        <BackupHealth status={status.data} error={status.error} now={now} onFolderChanged={status.reload} />
        <RestoreFromFile onPicked={(file) => setRestoring({ path: file.path, label: file.name, encrypted: null })} />
      </div>
      <section className="data-section" aria-labelledby="backups-list-title">
        <h3 id="backups-list-title">Archives</h3>
        <QueryError error={list.error} />
        {list.data &&
          (backups.length === 0 ? (
            <p className="muted" data-testid="backups-empty">
              No backups yet. Back up now, or schedule a daily backup below.
            </p>
          ) : (
            <BackupsTable backups={backups} now={now} onRestore={(backup) => setRestoring(backupSource(backup))} onChanged={list.reload} />
          ))}
      </section>
      <div className="panels">
        <ScheduleSection kind="backup" now={now} />
        <ScheduleSection kind="drill" now={now} />
        <KeepRulesSection />
        <RetentionSection />
      </div>
      {restoring && (
        <RestoreDialog
          source={restoring}
          onClose={() => setRestoring(null)}
          onRestored={(outcome) => {
            setRestoring(null);
            onRestored(outcome, restoring.label);
          }}
        />
      )}
    </section>
  );
}
