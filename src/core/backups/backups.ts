import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Backup, VerifyReport } from '../../shared/backups';
import { AppError } from '../../shared/errors';
import { raiseAlertUnlessOpen } from '../alerts/alerts';
import type { CoreContext } from '../context';
import { ARCHIVE_EXTENSION } from './archive/archive-format';
import { writeBackupArchive } from './create-backup';
import { verifyArchive } from './verify';

type BackupContext = Pick<CoreContext, 'ports' | 'storage' | 'events' | 'jobs' | 'clock' | 'now'>;

/** Where backups go unless the caller names a file. */
export const backupFolder = (ctx: Pick<CoreContext, 'ports'>) => path.join(ctx.ports.config.dataDir, 'backups');

/** `metalytics-20261204T201930Z-1a2b3c4d.mlbackup`: sorts by time, unique per backup. */
function archiveName(createdAt: number, id: string): string {
  const stamp = new Date(createdAt).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `metalytics-${stamp}-${id.slice(0, 8)}${ARCHIVE_EXTENSION}`;
}

/** The report's problems on one line, for the row's error, the alert and a CLI's one-line reason. */
export const describeProblems = (report: VerifyReport) =>
  `The backup failed its verification: ${report.problems
    .map((p) => [p.message, p.expected !== null ? `Expected ${p.expected}` : '', p.found !== null ? `found ${p.found}.` : ''].filter(Boolean).join(' '))
    .join(' ')}`;

async function alertFailedBackup(ctx: BackupContext, backupId: string, message: string): Promise<void> {
  await raiseAlertUnlessOpen(ctx, {
    severity: 'error',
    source: 'backup',
    message,
    details: { code: 'BACKUP_FAILED', backupId },
  });
}

/**
 * One backup or restore at a time: two would read and write the same files, and a restore
 * switches the database a backup reads. The refusal names the one running.
 */
export function requireNoBackupRunning(ctx: Pick<CoreContext, 'jobs'>): void {
  const [running] = ctx.jobs.runningOf(['backup', 'restore']);
  if (running) {
    throw new AppError('CONFLICT', `${running.description} is running (run ${running.runId}); wait for it to end or cancel it first.`, { runId: running.runId });
  }
}

/**
 * Starts a backup as a job of kind `backup`: the archive is written, then verified at once, and
 * only a verified archive is recorded `verified`. A failure at either step records the row
 * `failed` with the reason, raises an alert and fails the job.
 */
export async function startBackup(
  ctx: BackupContext,
  options: { path?: string; passphrase?: string; kind: Backup['kind'] },
): Promise<{ runId: string; backupId: string; finished: Promise<Backup> }> {
  // A safety backup is taken by the restore or start-up that is running.
  if (options.kind !== 'safety') requireNoBackupRunning(ctx);
  const id = randomUUID();
  const createdAt = ctx.now();
  const target = path.resolve(options.path ?? path.join(backupFolder(ctx), archiveName(createdAt, id)));
  if (!target.endsWith(ARCHIVE_EXTENSION)) throw new AppError('VALIDATION', `A backup file's name must end with ${ARCHIVE_EXTENSION}: ${target}.`);
  await mkdir(path.dirname(target), { recursive: true });
  const { storage, ports } = ctx;
  await storage.backups.start({
    id,
    createdAt,
    kind: options.kind,
    path: target,
    schemaVersion: storage.schemaVersion,
    appVersion: ports.appVersion,
    encrypted: options.passphrase !== undefined,
  });
  const started = await ctx.jobs.start('backup', `Backup to ${path.basename(target)}`, '%', async (job) => {
    const percent = (fraction: number) => job.progress(Math.round(fraction * 100), 100);
    let written;
    try {
      written = await writeBackupArchive(
        { storage, ports, now: ctx.now },
        { target, passphrase: options.passphrase, progress: percent, throwIfCancelled: () => job.throwIfCancelled() },
      );
    } catch (error) {
      const message = `The backup could not be written: ${error instanceof Error ? error.message : String(error)}`;
      await storage.backups.finish(id, { status: 'failed', finishedAt: ctx.now(), sizeBytes: null, sha256: null, verifiedAt: null, error: message, manifest: null });
      if (!(error instanceof AppError && error.code === 'CANCELLED')) await alertFailedBackup(ctx, id, message);
      throw error;
    }
    const report = await verifyArchive(written.path, { passphrase: options.passphrase, sqliteNativeBinding: ports.config.sqliteNativeBinding });
    const verifiedAt = ctx.now();
    const error = report.ok ? null : describeProblems(report);
    await storage.backups.finish(id, {
      status: report.ok ? 'verified' : 'failed',
      finishedAt: verifiedAt,
      sizeBytes: written.bytes,
      sha256: written.sha256,
      verifiedAt: report.ok ? verifiedAt : null,
      error,
      manifest: written.manifest,
    });
    percent(1);
    if (error !== null) {
      await alertFailedBackup(ctx, id, error);
      throw new AppError('CORRUPT', error);
    }
    const backup = await storage.backups.get(id);
    if (!backup) throw new AppError('NOT_FOUND', `Backup ${id} disappeared while it was written.`);
    return { value: backup, rows: written.manifest.tables.reduce((sum, table) => sum + table.rows, 0) };
  });
  return { runId: started.runId, backupId: id, finished: started.finished };
}

/** Verifies a listed backup again and records the outcome on its row; a failure raises an alert. */
export async function verifyBackup(ctx: BackupContext, id: string, passphrase: string | undefined): Promise<VerifyReport> {
  const backup = await ctx.storage.backups.get(id);
  if (!backup) throw new AppError('NOT_FOUND', `No backup ${id}.`);
  if (backup.status === 'running') throw new AppError('CONFLICT', `Backup ${id} is still being written.`);
  const report = await verifyArchive(backup.path, { passphrase, sqliteNativeBinding: ctx.ports.config.sqliteNativeBinding });
  const error = report.ok ? null : describeProblems(report);
  await ctx.storage.backups.recordVerification(id, { status: report.ok ? 'verified' : 'failed', verifiedAt: report.ok ? ctx.now() : backup.verifiedAt, error });
  if (error !== null) await alertFailedBackup(ctx, id, error);
  return report;
}

/** Removes the archive file and its row; a backup being written is refused. */
export async function deleteBackup(ctx: BackupContext, id: string): Promise<boolean> {
  const backup = await ctx.storage.backups.get(id);
  if (!backup) return false;
  if (backup.status === 'running') throw new AppError('CONFLICT', `Backup ${id} is still being written; cancel its job first.`);
  await rm(backup.path, { force: true });
  return ctx.storage.backups.delete(id);
}
