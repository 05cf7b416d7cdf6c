import { inSettingsTurn } from '../settings/serialised';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { RestoreOutcome } from '../../shared/backups';
import { secretNames, type SecretName } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import type { CoreContext } from '../context';
import { describeProblems, requireNoBackupRunning, startBackup } from './backups';
import { restoreArchive, type RestoredWorkspace, type RestoreTarget } from './restore/restore-archive';
import { prepareRestoredSqlite, RESTORE_SCHEMA_PREFIX, RESTORED_FILE_PREFIX, SQLITE_FILE_NAME, swapSqliteFile, switchPostgresSchema } from './switch-database';
import { syncFolder } from './archive/archive-writer';
import { verifyArchive } from './verify';

/** Where a restore keeps what it extracts until the switch; removed after, and at start when a process died. */
export const RESTORE_STAGING_PREFIX = '.staging-restore-';

/** The shares of a restore's progress at the end of each step. */
const VERIFIED = 0.15;
const SAFETY_TAKEN = 0.35;
const RESTORED = 0.85;

/** Settings that describe this machine, not the workspace: a restore keeps the live ones. */
const MACHINE_SETTINGS = ['databaseUrl', 'databasePasswordHost', 'backups'] as const;
/** The database password belongs to the server this install connects to, not to the workspace restored. */
const MACHINE_SECRETS: readonly SecretName[] = ['database'];

/** The archive a restore reads: a listed backup's file, or a file the CLI named. */
async function archiveOf(ctx: CoreContext, source: { id?: string; path?: string }): Promise<{ file: string; from: string }> {
  if (source.path !== undefined) return { file: path.resolve(source.path), from: path.resolve(source.path) };
  const backup = await ctx.storage.backups.get(source.id as string);
  if (!backup) throw new AppError('NOT_FOUND', `No backup ${source.id}.`);
  if (backup.status === 'running') throw new AppError('CONFLICT', `Backup ${backup.id} is still being written.`);
  return { file: backup.path, from: backup.id };
}

/** Replaces `<dataDir>/models` with the restored models (none when the archive has none), keeping the old folder until the new one is in place. */
async function swapModels(dataDir: string, restored: RestoredWorkspace): Promise<void> {
  const live = path.join(dataDir, 'models');
  const incoming = restored.modelsDir ?? path.join(restored.stagingDir, 'models');
  await mkdir(incoming, { recursive: true });
  const leaving = path.join(restored.stagingDir, 'models-before');
  await rename(live, leaving).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await rename(incoming, live);
  await syncFolder(dataDir);
}

/** The archive's settings, with this machine's own (its database, its backup folder) kept. */
async function applySettings(ctx: CoreContext, restored: RestoredWorkspace): Promise<void> {
  if (restored.settings === null || typeof restored.settings !== 'object') return;
  const archived = restored.settings as Record<string, unknown>;
  await inSettingsTurn(ctx.ports.settings, async () => {
    const current = ((await ctx.ports.settings.read()) ?? {}) as Record<string, unknown>;
    const next: Record<string, unknown> = { ...archived };
    for (const key of MACHINE_SETTINGS) {
      if (key in current) next[key] = current[key];
      else delete next[key];
    }
    await ctx.ports.settings.write(next);
  });
}

async function applySecrets(ctx: CoreContext, restored: RestoredWorkspace): Promise<void> {
  if (restored.secrets === null) return;
  for (const name of secretNames) {
    const value = restored.secrets[name];
    if (value !== undefined && !MACHINE_SECRETS.includes(name)) await ctx.ports.secrets.set(name, value);
  }
}

/**
 * Starts a restore as a job of kind `restore`: the archive is verified (a bad one refused with
 * the report's reason), a safety backup of the current state is taken, the archive is restored
 * into a new database beside the live one, and the core switches over to it in place. Nothing
 * live is touched before the switch, and the switch is one rename (SQLite) or one transaction
 * (Postgres).
 */
export async function startRestore(
  ctx: CoreContext,
  source: { id?: string; path?: string; passphrase?: string },
): Promise<{ runId: string; finished: Promise<RestoreOutcome> }> {
  requireNoBackupRunning(ctx);
  const { file, from } = await archiveOf(ctx, source);
  const { config } = ctx.ports;
  return ctx.jobs.start('restore', `Restore from ${path.basename(file)}`, '%', async (job) => {
    const startedAt = ctx.now();
    const percent = (fraction: number) => job.progress(Math.round(fraction * 100), 100);
    const report = await verifyArchive(file, { passphrase: source.passphrase, sqliteNativeBinding: config.sqliteNativeBinding });
    if (!report.ok) throw new AppError('CORRUPT', `${describeProblems(report)} Nothing was restored.`, { problems: report.problems });
    percent(VERIFIED);
    job.throwIfCancelled();

    const safety = await startBackup(ctx, { kind: 'safety' });
    const safetyBackup = await safety.finished;
    percent(SAFETY_TAKEN);
    job.throwIfCancelled();

    const stagingDir = await mkdtemp(path.join(config.dataDir, RESTORE_STAGING_PREFIX));
    const live = path.join(config.dataDir, SQLITE_FILE_NAME);
    const token = `${process.pid}_${randomBytes(4).toString('hex')}`;
    const target: RestoreTarget = config.databaseUrl
      ? { kind: 'postgres', url: config.databaseUrl, schema: `${RESTORE_SCHEMA_PREFIX}${token}` }
      : { kind: 'sqlite', file: path.join(config.dataDir, `${RESTORED_FILE_PREFIX}${token}`) };
    try {
      const restored = await restoreArchive(file, target, {
        verified: true,
        passphrase: source.passphrase,
        sqliteNativeBinding: config.sqliteNativeBinding,
        migrationsDir: config.migrationsDir,
        logger: ctx.ports.logger,
        stagingDir,
        progress: (fraction) => percent(SAFETY_TAKEN + (RESTORED - SAFETY_TAKEN) * fraction),
        throwIfCancelled: () => job.throwIfCancelled(),
      });
      job.throwIfCancelled();
      const switched = await ctx.workspace.switch({
        runId: job.runId,
        beforeClose: async (leaving) => {
          if (target.kind === 'sqlite') prepareRestoredSqlite(target.file, live, { runId: job.runId, now: leaving.now(), nativeBinding: config.sqliteNativeBinding });
          else await switchPostgresSchema(target.url, target.schema, { runId: job.runId, now: leaving.now() });
        },
        whileClosed: async () => {
          if (target.kind === 'sqlite') await swapSqliteFile(target.file, live);
          await swapModels(config.dataDir, restored);
        },
      });
      await applySettings(switched, restored);
      await applySecrets(switched, restored);
      const outcome: RestoreOutcome = {
        from,
        safetyBackupId: safetyBackup.id,
        database: switched.storage.mode,
        tables: restored.tables,
        finishedAt: switched.now(),
      };
      // Where backups.status finds the last restore, and the safety backup that undoes it.
      await switched.storage.restores.record({ ...outcome, id: job.runId, startedAt });
      percent(1);
      return { value: outcome, rows: restored.tables.reduce((sum, t) => sum + t.rows, 0) };
    } finally {
      await rm(stagingDir, { recursive: true, force: true });
      if (target.kind === 'sqlite') await rm(target.file, { force: true });
    }
  });
}
