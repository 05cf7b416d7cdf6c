import { useId, useState } from 'react';
import type { RestoreOutcome, RestorePreview } from '../../../../shared/backups';
import type { EventPayload } from '../../../../shared/contract';
import { call } from '../../api/client';
import { useApiEvent, useApiQuery } from '../../api/hooks';
import { useApiAction } from '../../api/use-api-action';
import { formatCount } from '../../ui/format/numbers';
import { describeJobProgress } from '../../ui/job-text';
import { QueryError } from '../../ui/load-error';
import { useModal } from '../../ui/use-modal';
import { DataTable } from '../data/data-table';
import { ProgressBar } from '../data/progress-bar';

/** What to restore: a listed backup, or (desktop only) an archive file the user picked. */
export type RestoreSource = { id: string; label: string; encrypted: boolean } | { path: string; label: string; encrypted: null };

const sourceInput = (source: RestoreSource) => ('id' in source ? { id: source.id } : { path: source.path });

function PreviewDetails({ preview }: { preview: RestorePreview }) {
  const sentences = preview.changes.flatMap((change) => (change.sentence === null ? [] : [change.sentence]));
  return (
    <>
      <section aria-labelledby="restore-changes" data-testid="restore-changes">
        <h3 id="restore-changes">Prices</h3>
        {sentences.length === 0 ? (
          <p className="muted">The archive holds the same bars as the database now.</p>
        ) : (
          <ul className="restore-changes">
            {sentences.map((sentence) => (
              <li key={sentence}>{sentence}</li>
            ))}
          </ul>
        )}
      </section>
      {preview.tables.length > 0 && (
        <DataTable caption="Rows per table, now and in the archive" testId="restore-tables" columns={[{ label: 'Table', text: true }, { label: 'Now' }, { label: 'After the restore' }]}>
          {preview.tables.map((table) => (
            <tr key={table.name}>
              <th scope="row" className="data-table__text mono">
                {table.name}
              </th>
              <td>{formatCount(table.current)}</td>
              <td>{formatCount(table.archive)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {preview.alsoRestored.length > 0 && (
        <p data-testid="restore-also">
          Also restored: {preview.alsoRestored.join('; ')}.
        </p>
      )}
    </>
  );
}

/**
 * Restore in three steps: the archive is verified and compared with the current data (nothing
 * changes yet), the user confirms what will be replaced, then the restore runs with its progress.
 */
export function RestoreDialog({ source, onClose, onRestored }: { source: RestoreSource; onClose(): void; onRestored(outcome: RestoreOutcome): void }) {
  const dialogRef = useModal();
  const prefix = useId();
  const [passphrase, setPassphrase] = useState('');
  const [progress, setProgress] = useState<EventPayload<'job.progress'> | null>(null);
  const preview = useApiQuery('backups.preview', sourceInput(source));
  const restore = useApiAction();
  useApiEvent('job.progress', (event) => {
    if (event.kind === 'restore') setProgress(event);
  });

  const start = () =>
    restore.run(async () => {
      const done = await call('backups.restore', { ...sourceInput(source), ...(passphrase === '' ? {} : { passphrase }), wait: true });
      if (done.restore) onRestored(done.restore);
    });

  const report = preview.data?.report;
  const canRestore = report?.ok === true && !restore.busy;
  return (
    <dialog
      ref={dialogRef}
      className="dialog restore-dialog"
      aria-labelledby={`${prefix}-title`}
      // While it runs the restore cannot be walked away from: Escape would only hide it.
      onCancel={(event) => restore.busy && event.preventDefault()}
      onClose={onClose}
      data-testid="restore-dialog"
    >
      <header className="dialog__header">
        <h2 id={`${prefix}-title`}>Restore {source.label}</h2>
      </header>
      <div className="dialog__body">
        {preview.loading && !preview.data && <p role="status">Checking the archive and comparing it with the data now…</p>}
        <QueryError error={preview.error} />
        {report && !report.ok && (
          <div role="alert" data-testid="restore-refused">
            <p className="error-text">This archive failed its check, so it cannot be restored:</p>
            <ul>
              {report.problems.map((problem, index) => (
                <li key={index}>{problem.message}</li>
              ))}
            </ul>
          </div>
        )}
        {preview.data && report?.ok && (
          <>
            <PreviewDetails preview={preview.data} />
            {source.encrypted !== false && (
              <div className="form-grid">
                <label htmlFor={`${prefix}-passphrase`}>Passphrase</label>
                <div>
                  <input
                    id={`${prefix}-passphrase`}
                    type="password"
                    autoComplete="current-password"
                    value={passphrase}
                    data-testid="restore-passphrase"
                    onChange={(e) => setPassphrase(e.target.value)}
                  />
                  <span className="data-form__hint muted"> the backup’s passphrase restores its saved keys too; empty = keep the keys of this computer</span>
                </div>
              </div>
            )}
            <p className="restore-confirm" data-testid="restore-confirm-text">
              Restoring replaces everything stored now — every instrument’s bars, the jobs and their history, alerts, settings and models —
              with the content of {source.label}. A safety backup of the current state is taken first, so one click undoes the restore.
            </p>
          </>
        )}
        {restore.busy && (
          <div role="status" data-testid="restore-progress">
            <ProgressBar fraction={progress?.total ? progress.done / progress.total : 0} label="Restore progress" state="running" />
            <span>{progress ? describeJobProgress(progress) : 'Taking the safety backup…'}</span>
          </div>
        )}
        {restore.error && (
          <p className="error-text" role="alert" data-testid="restore-error">
            {restore.error} Nothing was replaced.
          </p>
        )}
      </div>
      <footer className="dialog__footer">
        <button type="button" className="button" disabled={restore.busy} onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="button button--danger" disabled={!canRestore} data-testid="restore-confirm" onClick={() => void start()}>
          {restore.busy ? 'Restoring…' : 'Take a safety backup and restore'}
        </button>
      </footer>
    </dialog>
  );
}
