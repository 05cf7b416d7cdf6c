import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Backup, VerifyReport } from '../../shared/backups';
import { AppError } from '../../shared/errors';
import { raiseAlertUnlessOpen } from '../alerts/alerts';
import type { CoreContext } from '../context';
import type { JobContext, JobOutcome } from '../jobs/job-runner';
import type { BackupJobs } from '../scheduler/executors';
import { ARCHIVE_EXTENSION } from './archive/archive-format';
import { pruneBackups, resolveBackupFolder } from './backup-catalogue';
import { writeBackupArchive } from './create-backup';
import { runDrill } from './drill';
import { verifyArchive } from './verify';

type BackupContext = Pick<CoreContext, 'ports' | 'storage' | 'events' | 'jobs' | 'clock' | 'now'>;


/** `metalytics-20261204T201930Z-1a2b3c4d.mlbackup`: sorts by time, unique per backup. */
export function archiveName(createdAt: number, id: string): string {
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

/** A backup whose row exists (status `running`) and whose archive is about to be written. */
export interface BegunBackup {
  id: string;
  target: string;
  passphrase: string | undefined;
}

/** Records a backup as `running` and decides its archive file: `options.path`, or a new name in the backup folder. */
export async function beginBackup(ctx: BackupContext, options: { path?: string; passphrase?: string; kind: Backup['kind'] }): Promise<BegunBackup> {
  const id = randomUUID();
  const createdAt = ctx.now();
  const target = path.resolve(options.path ?? path.join(await resolveBackupFolder(ctx), archiveName(createdAt, id)));
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
  return { id, target, passphrase: options.passphrase };
}

/**
 * Inside a job run of kind `backup`: the archive is written, then verified at once, and only a
 * verified archive is recorded `verified`, after which the keep rules are applied. A failure at
 * either step records the row `failed` with the reason, raises an alert and fails the run.
 */
export async function writeVerifiedBackup(ctx: BackupContext, job: JobContext, begun: BegunBackup): Promise<JobOutcome<Backup>> {
  const { storage, ports } = ctx;
  const { id, passphrase } = begun;
  const percent = (fraction: number) => job.progress(Math.round(fraction * 100), 100);
  let written;
  try {
    written = await writeBackupArchive(
      { storage, ports, now: ctx.now },
      { target: begun.target, passphrase, progress: percent, throwIfCancelled: () => job.throwIfCancelled() },
    );
  } catch (error) {
    const message = `The backup could not be written: ${error instanceof Error ? error.message : String(error)}`;
    await storage.backups.finish(id, { status: 'failed', finishedAt: ctx.now(), sizeBytes: null, sha256: null, verifiedAt: null, error: message, manifest: null });
    if (!(error instanceof AppError && error.code === 'CANCELLED')) await alertFailedBackup(ctx, id, message);
    throw error;
  }
  const report = await verifyArchive(written.path, { passphrase, sqliteNativeBinding: ports.config.sqliteNativeBinding });
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
  // The keep rules run after every good backup; the backup stands even if pruning fails.
  await pruneBackups(ctx).catch((pruneError: unknown) => ports.logger.error('could not apply the keep rules', { error: String(pruneError) }));
  const backup = await storage.backups.get(id);
  if (!backup) throw new AppError('NOT_FOUND', `Backup ${id} disappeared while it was written.`);
  return { value: backup, rows: written.manifest.tables.reduce((sum, table) => sum + table.rows, 0) };
}

/** Starts a backup as a job of kind `backup` (see writeVerifiedBackup); answers at once with its run and backup ids. */
export async function startBackup(
  ctx: BackupContext,
  options: { path?: string; passphrase?: string; kind: Backup['kind'] },
): Promise<{ runId: string; backupId: string; finished: Promise<Backup> }> {
  // A safety backup is taken by the restore or start-up that is running.
  if (options.kind !== 'safety') requireNoBackupRunning(ctx);
  const begun = await beginBackup(ctx, options);
  const started = await ctx.jobs.start('backup', `Backup to ${path.basename(begun.target)}`, '%', (job) => writeVerifiedBackup(ctx, job, begun));
  return { runId: started.runId, backupId: begun.id, finished: started.finished };
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

/** The scheduler's `backup` and `drill` jobs, each inside the scheduler's own run (one job run, its cancel and time limit reach the work). */
export function scheduledBackupJobs(context: () => BackupContext): BackupJobs {
  return {
    backup: async (job) => {
      const ctx = context();
      return (await writeVerifiedBackup(ctx, job, await beginBackup(ctx, { kind: 'scheduled' }))).rows;
    },
    drill: async (job) => (await runDrill(context(), job)).checks.length,
  };
}
