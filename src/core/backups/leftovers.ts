import { readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import type { CoreContext } from '../context';
import { ownerIsGone } from '../jobs/process-owner';
import { resolveBackupFolder } from './backup-catalogue';
import { RESTORE_STAGING_PREFIX } from './restore-workspace';
import { dropLeftoverSchemas, RESTORE_SCHEMA_PREFIX, RESTORED_FILE_PREFIX } from './switch-database';

export const INTERRUPTED_BACKUP = 'The backup was interrupted: Metalytics stopped while writing it. Its partial file was removed; take a new backup.';

/** The names a backup or restore writes under before its work is complete (see archive-writer.ts and restore-archive.ts). */
const isBackupLeftover = (name: string) => name.startsWith('.') && (name.endsWith('.partial') || name.startsWith('.staging-'));
const isRestoreLeftover = (name: string) => name.startsWith(RESTORE_STAGING_PREFIX) || name.startsWith(RESTORED_FILE_PREFIX) || name.startsWith(`.${RESTORED_FILE_PREFIX}`);

async function removeMatching(folder: string, matches: (name: string) => boolean): Promise<string[]> {
  const names = await readdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const removed = names.filter(matches);
  for (const name of removed) await rm(path.join(folder, name), { recursive: true, force: true });
  return removed;
}

/** A restore schema whose process (named in it, `restore_<pid>_<hex>`) is alive on this host is left alone. */
const schemaInUse = (schema: string) => {
  const pid = schema.slice(RESTORE_SCHEMA_PREFIX.length).split('_')[0];
  return !ownerIsGone(`${hostname()}:${pid}:any`);
};

/**
 * What a backup or restore leaves behind when the process dies mid-way, removed at start:
 * partial archives and staging folders in the backup folder, the restore's staging folder and
 * half-built database file beside the live one (or its schema on Postgres), and backups still
 * recorded `running`, which become `failed` with the reason. The live data is never among them.
 */
export async function cleanUpLeftovers(ctx: Pick<CoreContext, 'ports' | 'storage' | 'now'>): Promise<void> {
  const { config, logger } = ctx.ports;
  const removed = [...(await removeMatching(await resolveBackupFolder(ctx), isBackupLeftover)), ...(await removeMatching(config.dataDir, isRestoreLeftover))];
  if (config.databaseUrl) removed.push(...(await dropLeftoverSchemas(config.databaseUrl, schemaInUse)));
  const failed = await ctx.storage.backups.failRunning(ctx.now(), INTERRUPTED_BACKUP);
  if (removed.length > 0 || failed > 0) logger.warn('cleaned up after a backup or restore that was interrupted', { removed, failedBackups: failed });
}
