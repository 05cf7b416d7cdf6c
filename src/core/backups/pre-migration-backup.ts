import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { CorePorts } from '../ports';
import { migrationIndex, migrationsFolder, migrationTag, migrationsUpTo } from '../storage/migrations';
import { openStorage } from '../storage/open-storage';
import { loadPg } from '../storage/pg-connection';
import type { Storage } from '../storage/types';
import { archiveName, resolveBackupFolder } from './backup-catalogue';
import { describeProblems } from './backups';
import { writeBackupArchive } from './create-backup';
import { SQLITE_FILE_NAME } from './switch-database';
import { verifyArchive } from './verify';

/** The migration the database records last, or null for a new (empty) database. */
async function appliedMigration(config: CorePorts['config']): Promise<string | null> {
  if (config.databaseUrl) {
    const client = new (await loadPg()).Client({ connectionString: config.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ created_at: string }>(
        'SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1',
      ).catch(() => ({ rows: [] as { created_at: string }[] })); // No migration table: a new database.
      return rows[0] === undefined ? null : migrationTag(migrationsFolder('pg', config.migrationsDir), Number(rows[0].created_at));
    } finally {
      await client.end();
    }
  }
  const file = path.resolve(config.dataDir, SQLITE_FILE_NAME);
  if (!existsSync(file)) return null;
  const db = new Database(file, { readonly: true, fileMustExist: true, ...(config.sqliteNativeBinding === undefined ? {} : { nativeBinding: config.sqliteNativeBinding }) });
  try {
    const known = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = '__drizzle_migrations'`).get();
    if (!known) return null;
    const last = db.prepare('SELECT created_at FROM __drizzle_migrations ORDER BY created_at DESC LIMIT 1').get() as { created_at: number } | undefined;
    return last === undefined ? null : migrationTag(migrationsFolder('sqlite', config.migrationsDir), Number(last.created_at));
  } finally {
    db.close();
  }
}

export interface PreMigrationBackup {
  /** Records the backup's row once the migrated workspace is open. */
  record(storage: Storage): Promise<void>;
}

/**
 * Before start-up applies migrations to a database that has some already (not a new one), a
 * backup of kind `safety` of it as it is: opened with the migrations it has only, archived and
 * verified. Its row is written once the migrated database is open, by `record`. Null when
 * nothing is pending.
 */
export async function backUpBeforeMigrations(ports: CorePorts): Promise<PreMigrationBackup | null> {
  const { config, logger } = ports;
  const applied = await appliedMigration(config);
  if (applied === null) return null;
  const { index, latest } = migrationIndex(config.databaseUrl ? 'pg' : 'sqlite', applied, config.migrationsDir);
  // A newer database than this build knows: opening it refuses, and there is nothing to migrate.
  if (index === null || applied === latest) return null;
  const now = ports.now ?? Date.now;
  const id = randomUUID();
  const createdAt = now();
  const folder = await resolveBackupFolder({ ports });
  await mkdir(folder, { recursive: true });
  const target = path.join(folder, archiveName(createdAt, id));
  const atApplied = migrationsUpTo(applied, config.migrationsDir);
  let written;
  try {
    const storage = await openStorage({ ...config, migrationsDir: atApplied.migrationsDir, logger });
    try {
      written = await writeBackupArchive({ storage, ports, now }, { target, progress: () => undefined, throwIfCancelled: () => undefined });
    } finally {
      await storage.close();
    }
  } finally {
    atApplied.cleanup();
  }
  const report = await verifyArchive(written.path, { sqliteNativeBinding: config.sqliteNativeBinding });
  logger.info('backed up the database before migrating it', { from: applied, to: latest, path: written.path, verified: report.ok });
  return {
    record: async (storage) => {
      await storage.backups.start({ id, createdAt, kind: 'safety', path: written.path, schemaVersion: applied, appVersion: ports.appVersion, encrypted: false });
      await storage.backups.finish(id, {
        status: report.ok ? 'verified' : 'failed',
        finishedAt: now(),
        sizeBytes: written.bytes,
        sha256: written.sha256,
        verifiedAt: report.ok ? now() : null,
        error: report.ok ? null : describeProblems(report),
        manifest: written.manifest,
      });
    },
  };
}
