import { useRef, useState } from 'react';
import type { Backup } from '../../../../shared/backups';
import { call } from '../../api/client';
import { useApiAction } from '../../api/use-api-action';
import { formatSince, formatUtcDateTime } from '../data/data-format';
import { DataTable } from '../data/data-table';
import { backupKindLabels, formatBytes } from './backup-view';

function VerifiedState({ backup, now }: { backup: Backup; now: number }) {
  if (backup.status === 'running') return <span className="run-status run-status--running">being written</span>;
  if (backup.status === 'failed')
    return (
      <>
        <span className="run-status run-status--failed">failed</span>
        {backup.error && <div className="error-text backup-error">{backup.error}</div>}
      </>
    );
  return (
    <>
      <span className="run-status run-status--succeeded">verified</span>
      {backup.verifiedAt !== null && (
        <span className="muted" title={formatUtcDateTime(backup.verifiedAt)}>
          {' '}
          · {formatSince(backup.verifiedAt, now)}
        </span>
      )}
    </>
  );
}

function BackupRow({ backup, now, onRestore, onChanged }: { backup: Backup; now: number; onRestore(): void; onChanged(): void }) {
  const action = useApiAction();
  const [confirming, setConfirming] = useState(false);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const act = (work: () => Promise<unknown>) =>
    action.run(async () => {
      await work();
      onChanged();
    });
  const label = formatUtcDateTime(backup.createdAt);
  const usable = backup.status === 'verified';
  return (
    <tr data-testid={`backup-${backup.id}`} data-status={backup.status} data-kind={backup.kind} data-pinned={backup.pinned}>
      <th scope="row" className="data-table__text">
        {label}
      </th>
      <td className="data-table__text">{backupKindLabels[backup.kind]}</td>
      <td>{backup.sizeBytes === null ? '—' : formatBytes(backup.sizeBytes)}</td>
      <td className="data-table__text">
        {backup.appVersion} <span className="muted">· schema {backup.schemaVersion}</span>
      </td>
      <td className="data-table__text" data-testid={`backup-verified-${backup.id}`}>
        <VerifiedState backup={backup} now={now} />
        {action.error && (
          <div className="error-text" role="alert">
            {action.error}
          </div>
        )}
      </td>
      <td className="data-table__text">{backup.encrypted ? 'with keys (passphrase)' : <span className="muted">no keys</span>}</td>
      <td className="data-table__text" data-testid={`backup-pinned-${backup.id}`}>
        {backup.pinned ? (
          <span className="backup-pin" title="Never pruned by the keep rules">
            pinned
          </span>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td className="data-table__actions">
        {confirming ? (
          <span className="confirm" role="group" aria-label={`Delete the backup of ${label}?`}>
            Delete this archive?
            <button
              type="button"
              className="button button--small button--danger"
              disabled={action.busy}
              data-testid={`backup-delete-confirm-${backup.id}`}
              onClick={() => void act(() => call('backups.delete', { id: backup.id }))}
            >
              Delete
            </button>
            <button
              type="button"
              className="button button--small"
              autoFocus
              onClick={() => {
                setConfirming(false);
                deleteButton.current?.focus();
              }}
            >
              Keep
            </button>
          </span>
        ) : (
          <>
            <button
              type="button"
              className="button button--small"
              disabled={action.busy || backup.status === 'running'}
              aria-label={`Verify the backup of ${label}`}
              data-testid={`backup-verify-${backup.id}`}
              onClick={() => void act(() => call('backups.verify', { id: backup.id }))}
            >
              {action.busy ? 'Checking…' : 'Verify'}
            </button>
            <button
              type="button"
              className="button button--small"
              disabled={action.busy}
              aria-label={`${backup.pinned ? 'Unpin' : 'Pin'} the backup of ${label}`}
              aria-pressed={backup.pinned}
              data-testid={`backup-pin-${backup.id}`}
              onClick={() => void act(() => call('backups.pin', { id: backup.id, pinned: !backup.pinned }))}
            >
              {backup.pinned ? 'Unpin' : 'Pin'}
            </button>
            <button
              type="button"
              className="button button--small"
              disabled={!usable}
              title={usable ? undefined : 'Only a verified backup can be restored'}
              aria-label={`Restore the backup of ${label}`}
              data-testid={`backup-restore-${backup.id}`}
              onClick={onRestore}
            >
              Restore…
            </button>
            <button
              ref={deleteButton}
              type="button"
              className="button button--small"
              disabled={backup.status === 'running'}
              aria-label={`Delete the backup of ${label}`}
              data-testid={`backup-delete-${backup.id}`}
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

export function BackupsTable({ backups, now, onRestore, onChanged }: { backups: readonly Backup[]; now: number; onRestore(backup: Backup): void; onChanged(): void }) {
  return (
    <DataTable
      caption="Backups, newest first"
      wide
      testId="backups-table"
      columns={[
        { label: 'Taken (UTC)', text: true },
        { label: 'Kind', text: true, help: 'Manual: Back up now. Scheduled: a backup job. Safety: taken by the app before a restore or a migration.' },
        { label: 'Size' },
        { label: 'App · schema', text: true },
        { label: 'Verified', text: true },
        { label: 'Secrets', text: true },
        { label: 'Pinned', text: true, help: 'A pinned backup is never pruned by the keep rules.' },
        { label: 'Actions', unlabelled: true },
      ]}
    >
      {backups.map((backup) => (
        <BackupRow key={backup.id} backup={backup} now={now} onRestore={() => onRestore(backup)} onChanged={onChanged} />
      ))}
    </DataTable>
  );
}
