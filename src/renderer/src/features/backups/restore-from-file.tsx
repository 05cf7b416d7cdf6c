import type { PickedFile } from '../../../../shared/desktop-bridge';

/**
 * Restoring an archive that is not in the list. The desktop app asks the native open dialog for
 * it; over `metalytics serve` the page may not name a file on the server, so it says how the CLI
 * does it, and the listed backups are those of the backup folder.
 */
export function RestoreFromFile({ onPicked }: { onPicked(file: PickedFile): void }) {
  const desktop = window.metalyticsDesktop;
  return (
    <section className="panel" aria-labelledby="restore-file-title" data-testid="restore-from-file">
      <h2 id="restore-file-title">Restore from a file</h2>
      {desktop ? (
        <>
          <p>An archive from another computer or folder: it is verified and compared with the data now before anything is replaced.</p>
          <div className="data-form__actions">
            <button
              type="button"
              className="button"
              data-testid="restore-pick-file"
              onClick={() => void desktop.pickBackupFile().then((file) => file && onPicked(file))}
            >
              Choose an archive…
            </button>
          </div>
        </>
      ) : (
        <>
          <p>
            From a browser, only the backups listed here (those in the server’s backup folder) can be restored. To restore an archive
            from anywhere else, run on the server:
          </p>
          <pre className="mono restore-command">metalytics restore FILE</pre>
          <p className="muted">
            It verifies the archive, shows what would change and asks before it replaces anything; a safety backup is taken first, as here.
          </p>
        </>
      )}
    </section>
  );
}
