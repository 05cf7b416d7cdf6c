/**
 * Restoring an archive that is not in the list. Over `metalytics serve` the page may not name a
 * file on the server, so it says how the CLI does it; the listed backups are those of the data folder.
 */
export function RestoreFromFile() {
  return (
    <section className="panel" aria-labelledby="restore-file-title" data-testid="restore-from-file">
      <h2 id="restore-file-title">Restore from a file</h2>
      <p>
        From a browser, only the backups listed here (those in the server’s backup folder) can be restored. To restore an archive from
        anywhere else, run on the server:
      </p>
      <pre className="mono restore-command">metalytics restore FILE</pre>
      <p className="muted">
        It verifies the archive, shows what would change and asks before it replaces anything; a safety backup is taken first, as here.
      </p>
    </section>
  );
}
