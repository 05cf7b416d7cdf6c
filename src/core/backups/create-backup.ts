import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { SealedSecrets, TableDigestSummary } from '../../shared/backups';
import { secretNames } from '../../shared/domain';
import type { CorePorts } from '../ports';
import type { DatabaseSnapshot, Storage } from '../storage/types';
import { ArchiveWriter, type WrittenArchive } from './archive/archive-writer';
import { sealSecrets } from './archive/secrets-seal';
import { backedUpTables, canonicalRow, canonicalSelect, postgresColumns, shapesPresent, TableDigest } from './archive/table-digest';
import { digestSqliteCopy } from './database-digest';

export const SQLITE_PART = 'database/metalytics.sqlite';
export const SETTINGS_PART = 'settings.json';
export const SECRETS_PART = 'secrets.bin';
export const tablePartName = (table: string) => `database/${table}.ndjson`;
export const modelPartName = (relative: string) => `models/${relative.split(path.sep).join('/')}`;

/** Rows fetched per round trip of a Postgres export. */
const EXPORT_BATCH_ROWS = 2_000;

export interface WriteBackupOptions {
  target: string;
  passphrase?: string;
  /** The share of the work done, 0 to 1. */
  progress: (fraction: number) => void;
  throwIfCancelled: () => void;
}

/** Every file under `folder`, relative to it, in a stable order; none when it does not exist. */
async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name)))
    .sort();
}

/**
 * The SQLite database: an online copy (one self-contained file) into a staging folder beside
 * the archive, digested while it streams in.
 */
async function addSqliteDatabase(
  writer: ArchiveWriter,
  snapshot: Extract<DatabaseSnapshot, { dialect: 'sqlite' }>,
  nativeBinding: string | undefined,
  options: WriteBackupOptions,
) {
  const staging = await mkdtemp(path.join(path.dirname(options.target), '.staging-'));
  try {
    const copy = path.join(staging, 'metalytics.sqlite');
    await snapshot.copyTo(copy, (copied, total) => options.progress((0.6 * copied) / Math.max(total, 1)));
    options.throwIfCancelled();
    // Both only read the copy: the checksums on their thread while the copy streams in compressed.
    const [{ digests }] = await Promise.all([
      digestSqliteCopy({ file: copy, nativeBinding, integrityCheck: false, tables: backedUpTables.map((t) => t.name) }),
      writer.addPart(SQLITE_PART, 'database', createReadStream(copy)),
    ]);
    options.progress(0.75);
    return digests;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Postgres: every table, in canonical order, as NDJSON of canonical rows, all read in one
 * snapshot. Only the tables and columns the database has: the backup taken before start-up
 * migrates it is of an older schema.
 */
async function addPostgresTables(writer: ArchiveWriter, snapshot: Extract<DatabaseSnapshot, { dialect: 'postgres' }>, options: WriteBackupOptions) {
  return snapshot.read(async (query) => {
    const shapes = shapesPresent(backedUpTables, await postgresColumns(query));
    const digests: TableDigestSummary[] = [];
    for (const [index, shape] of shapes.entries()) {
      options.throwIfCancelled();
      const digest = new TableDigest(shape.name);
      await query(`DECLARE backup_rows NO SCROLL CURSOR FOR ${canonicalSelect(shape, 'postgres')}`);
      async function* lines() {
        for (;;) {
          const rows = await query(`FETCH FORWARD ${EXPORT_BATCH_ROWS} FROM backup_rows`);
          if (rows.length === 0) return;
          let chunk = '';
          for (const row of rows) {
            const line = canonicalRow(shape, row);
            digest.addLine(line);
            chunk += `${line}\n`;
          }
          yield chunk;
        }
      }
      await writer.addPart(tablePartName(shape.name), 'table', lines());
      await query('CLOSE backup_rows');
      digests.push(digest.result());
      options.progress((0.75 * (index + 1)) / shapes.length);
    }
    return digests;
  });
}

/**
 * Writes the whole workspace into one archive at `options.target`: the database, the model
 * artifacts under `<dataDir>/models`, the settings and, only with a passphrase, the secrets
 * sealed with it. The file appears under its name only once complete and durable.
 */
export async function writeBackupArchive(deps: { storage: Storage; ports: CorePorts; now: () => number }, options: WriteBackupOptions): Promise<WrittenArchive> {
  const { storage, ports } = deps;
  const createdAt = deps.now();
  const writer = await ArchiveWriter.create(options.target);
  try {
    const { snapshot } = storage;
    const tables =
      snapshot.dialect === 'sqlite'
        ? await addSqliteDatabase(writer, snapshot, ports.config.sqliteNativeBinding, options)
        : await addPostgresTables(writer, snapshot, options);

    const modelsFolder = path.join(ports.config.dataDir, 'models');
    for (const relative of await filesUnder(modelsFolder)) {
      options.throwIfCancelled();
      await writer.addPart(modelPartName(relative), 'model', createReadStream(path.join(modelsFolder, relative)));
    }
    options.progress(0.85);

    await writer.addPart(SETTINGS_PART, 'settings', [Buffer.from(JSON.stringify((await ports.settings.read()) ?? {}))]);

    let seal: SealedSecrets | null = null;
    if (options.passphrase !== undefined) {
      const secrets: Record<string, string> = {};
      for (const name of secretNames) {
        const value = await ports.secrets.get(name);
        if (value !== undefined) secrets[name] = value;
      }
      const sealed = await sealSecrets(secrets, options.passphrase);
      await writer.addPart(SECRETS_PART, 'secrets', [sealed.sealed]);
      seal = sealed.seal;
    }
    options.throwIfCancelled();
    const written = await writer.finish({
      appVersion: ports.appVersion,
      schemaVersion: storage.schemaVersion,
      createdAt,
      database: storage.mode,
      tables,
      secrets: seal,
    });
    options.progress(0.9);
    return written;
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
