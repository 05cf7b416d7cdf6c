import { call } from '../../api/client';
import { useApiAction } from '../../api/use-api-action';
import { formatUtcDateTime } from '../data/data-format';
import './backups.css';
import type { RestoreOutcome } from '../../../../shared/backups';

/** The restore this window ran last, for the banner that offers to undo it. */
export interface Restored {
  outcome: RestoreOutcome;
  /** What was restored, in words: "the backup of 2026-12-04 02:00 UTC". */
  label: string;
}

/**
 * After a restore, on every screen until dismissed: what was restored, and Undo, which restores
 * the safety backup taken just before (itself undoable the same way).
 */
export function RestoredBanner({ restored, onRestored }: { restored: Restored; onRestored(next: Restored | null): void }) {
  const undo = useApiAction();
  const { outcome, label } = restored;
  const safetyId = outcome.safetyBackupId;
  return (
    <div className="restore-banner" role="status" data-testid="restored-banner">
      <span>
        Restored from {label} at {formatUtcDateTime(outcome.finishedAt)}.
      </span>
      {safetyId !== null && (
        <button
          type="button"
          className="button button--small"
          disabled={undo.busy}
          data-testid="restore-undo"
          onClick={() =>
            void undo.run(async () => {
              const done = await call('backups.restore', { id: safetyId, wait: true });
              if (done.restore) onRestored({ outcome: done.restore, label: `the safety backup taken before restoring ${label}` });
            })
          }
        >
          {undo.busy ? 'Undoing…' : 'Undo'}
        </button>
      )}
      {undo.error && (
        <span className="error-text" role="alert">
          {undo.error}
        </span>
      )}
      <span className="status-bar__spacer" />
      <button type="button" className="button button--small button--ghost" aria-label="Dismiss" disabled={undo.busy} onClick={() => onRestored(null)}>
        ✕
      </button>
    </div>
  );
}
