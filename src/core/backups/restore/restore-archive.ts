import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ArchiveManifest, ArchivePart, TableDigestSummary, VerifyReport } from '../../../shared/backups';
import { AppError } from '../../../shared/errors';
import { migrationIndex, migrationsUpTo } from '../../storage/migrations';
import { requireSchemaName } from '../../storage/pg-connection';
import { openSqliteStorage } from '../../storage/sqlite-storage';
import { openArchive, type OpenedArchive } from '../archive/archive-reader';
import { syncFolder } from '../archive/archive-writer';
import { openSealedSecrets } from '../archive/secrets-seal';
import { backedUpTables, shapesPresent, type TableShape } from '../archive/table-digest';
import { SECRETS_PART, SETTINGS_PART, SQLITE_PART } from '../create-backup';
import { checkPart, verifyArchive } from '../verify';
import type { RestoredWorkspace, RestoreOptions, RestoreTarget } from './restore-types';
import { connectToSchema, loadOrder, ndjsonRows, postgresSink, sqliteRows, sqliteSink, type CanonicalRow, type RowSink } from './table-loading';

export { CATALOGUE_TABLES } from './restore-types';
export type { RestoredWorkspace, RestoreOptions, RestoreTarget } from './restore-types';

/** The share of the progress each step takes, in order. */
const VERIFIED_AT = 0.3;
const EXTRACTED_AT = 0.35;
const LOADED_AT = 0.9;

/**
 * Refuses, before anything is written, an archive whose database schema this build does not
 * know (a newer app made it). Answers whether it is older than this build's schema.
 */
export function requireKnownSchema(manifest: ArchiveManifest, migrationsDir: string | undefined): { older: boolean } {
  const { index, latest } = migrationIndex('sqlite', manifest.schemaVersion, migrationsDir);
  if (index === null) {
    throw new AppError(
      'VALIDATION',
      `This backup's database is at schema ${manifest.schemaVersion}, newer than schema ${latest} that this version of Metalytics knows; update Metalytics to restore it.`,
      { archiveSchema: manifest.schemaVersion, supported: latest },
    );
  }
  return { older: manifest.schemaVersion !== latest };
}

/** The verification's problems as one refusal; a wrong passphrase is said plainly. */
function refusal(file: string, report: VerifyReport): AppError {
  const wrongPassphrase = report.problems.find((p) => p.part === SECRETS_PART && /passphrase/i.test(p.message));
  if (wrongPassphrase) return new AppError('VALIDATION', `${wrongPassphrase.message} Nothing was restored.`);
  const problems = report.problems.map((p) => [p.message, p.expected !== null ? `Expected ${p.expected}, found ${p.found}.` : ''].filter(Boolean).join(' '));
  return new AppError('CORRUPT', `${file} cannot be restored: ${problems.join(' ')} Nothing was restored.`, { problems: report.problems });
}

/** A part written to `file` whole, or a CORRUPT refusal when it does not match the manifest. */
export async function extractPart(archive: OpenedArchive, part: ArchivePart, file: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, 'w', 0o600);
  try {
    const problems = await checkPart(archive, part, async (chunk) => {
      await handle.write(chunk);
    });
    if (problems.length > 0) throw new AppError('CORRUPT', `${archive.path} cannot be restored: ${problems.map((p) => p.message).join(' ')}`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readPartWhole(archive: OpenedArchive, part: ArchivePart): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const problems = await checkPart(archive, part, (chunk) => void chunks.push(chunk));
  if (problems.length > 0) throw new AppError('CORRUPT', `${archive.path} cannot be restored: ${problems.map((p) => p.message).join(' ')}`);
  return Buffer.concat(chunks);
}

/** Every table the manifest lists must be one this build knows, in the columns the target has. */
function compareDigests(file: string, expected: readonly TableDigestSummary[], found: readonly TableDigestSummary[]): void {
  const byName = new Map(found.map((d) => [d.name, d]));
  const wrong = expected.filter((e) => byName.get(e.name)?.checksum !== e.checksum || byName.get(e.name)?.rows !== e.rows);
  if (wrong.length > 0) {
    throw new AppError(
      'CORRUPT',
      `The database restored from ${file} does not hold the rows backed up: ${wrong
        .map((e) => `table ${e.name} (${e.rows} rows backed up, ${byName.get(e.name)?.rows ?? 'none'} restored)`)
        .join(', ')}. Nothing was restored.`,
      { tables: wrong.map((e) => e.name) },
    );
  }
}

/** The manifest's tables as this build knows them; a table it does not know cannot be restored. */
function manifestShapes(manifest: ArchiveManifest): TableShape[] {
  return manifest.tables.map((table) => {
    const shape = backedUpTables.find((s) => s.name === table.name);
    if (!shape) throw new AppError('VALIDATION', `This backup holds a table ${table.name} this version of Metalytics does not know.`);
    return shape;
  });
}

/** Loads every table from `rowsOf` into `sink` in foreign-key order, reporting progress by rows. */
async function loadTables(
  sink: RowSink,
  shapes: readonly TableShape[],
  rowsOf: (shape: TableShape) => AsyncIterable<CanonicalRow[]>,
  totalRows: number,
  options: RestoreOptions,
): Promise<{ name: string; rows: number }[]> {
  const loaded: { name: string; rows: number }[] = [];
  let done = 0;
  for (const shape of loadOrder(shapes)) {
    let rows = 0;
    for await (const batch of rowsOf(shape)) {
      options.throwIfCancelled();
      await sink.insert(shape, batch);
      rows += batch.length;
      done += batch.length;
      options.progress(EXTRACTED_AT + ((LOADED_AT - EXTRACTED_AT) * done) / Math.max(totalRows, 1));
    }
    loaded.push({ name: shape.name, rows });
  }
  await sink.finish();
  return loaded.sort((a, b) => (a.name < b.name ? -1 : 1));
}

const closeQuietly = async (storage: { close(): Promise<void> }) => storage.close();

/** Opens the target through the normal storage path and closes it: its schema is then migrated as far as `migrationsDir` goes. */
async function migrateTarget(target: RestoreTarget | { kind: 'sqlite'; file: string }, options: RestoreOptions, migrationsDir: string | undefined): Promise<void> {
  if (target.kind === 'sqlite') {
    await closeQuietly(await openSqliteStorage(target.file, options.logger, { nativeBinding: options.sqliteNativeBinding, migrationsDir, recordCleanClose: false }));
    return;
  }
  // The Postgres driver loads on first use (see loadPg).
  const { openPostgresStorage } = await import('../../storage/pg-storage');
  await closeQuietly(await openPostgresStorage(target.url, options.logger, { migrationsDir, schema: target.schema }));
}

async function fileExists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    },
  );
}

async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A new target only: a restore never writes over a database file or into a schema that is there. */
async function requireFreeTarget(target: RestoreTarget): Promise<void> {
  if (target.kind === 'sqlite') {
    if (await fileExists(target.file)) throw new AppError('CONFLICT', `A restore writes a new database file, and ${target.file} exists already.`);
    return;
  }
  requireSchemaName(target.schema);
  const client = await connectToSchema(target.url, target.schema);
  try {
    const { rows } = await client.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [target.schema]);
    if (rows.length > 0) throw new AppError('CONFLICT', `A restore builds a new database schema, and ${target.schema} exists already.`);
  } finally {
    await client.end();
  }
}

/** Removes what a failed restore built; the schema and file were new, so nothing else goes with them. */
async function removeTarget(target: RestoreTarget, temporaryFile: string | null): Promise<void> {
  if (target.kind === 'sqlite') {
    for (const file of [temporaryFile, target.file].filter((f): f is string => f !== null)) {
      await Promise.all(['', '-wal', '-shm', '-journal'].map((suffix) => rm(`${file}${suffix}`, { force: true })));
    }
    return;
  }
  const client = await connectToSchema(target.url, target.schema);
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${target.schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** The SQLite file being built beside the target: a dot name, so nothing lists or opens it as a workspace. */
const temporaryNameOf = (file: string) => path.join(path.dirname(file), `.${path.basename(file)}.restoring`);

/** An older archive's copy after its migrations: the reference for the target, as at its own version it matched the manifest. */
async function migratedDigests(copy: string, shapes: readonly TableShape[], options: RestoreOptions): Promise<TableDigestSummary[]> {
  const source = sqliteSink(copy, options.sqliteNativeBinding);
  try {
    return await source.digest(shapes);
  } finally {
    await source.close();
  }
}

/**
 * Builds the database of a SQLite archive at `target`. Into SQLite: the copy itself, opened
 * through the normal path so an older schema is migrated. Into Postgres: the copy migrated
 * in the staging folder, then its rows loaded into a new schema.
 */
async function restoreSqliteArchive(
  archive: OpenedArchive,
  target: RestoreTarget,
  temporaryFile: string | null,
  older: boolean,
  options: RestoreOptions,
): Promise<{ name: string; rows: number }[]> {
  const { manifest } = archive;
  const part = manifest.parts.find((p) => p.name === SQLITE_PART);
  if (!part) throw new AppError('CORRUPT', `${archive.path} has no database part.`);
  const copy = temporaryFile ?? path.join(options.stagingDir, 'database.sqlite');
  await extractPart(archive, part, copy);
  options.progress(EXTRACTED_AT);
  options.throwIfCancelled();
  const shapes = manifestShapes(manifest);
  // The copy as backed up, at its own schema version: it must hold exactly the manifest's rows.
  const before = sqliteSink(copy, options.sqliteNativeBinding);
  try {
    compareDigests(archive.path, manifest.tables, await before.digest(shapesPresent(shapes, await before.columns())));
  } finally {
    await before.close();
  }
  await migrateTarget({ kind: 'sqlite', file: copy }, options, options.migrationsDir);
  options.throwIfCancelled();
  if (target.kind === 'sqlite') {
    options.progress(LOADED_AT);
    return manifest.tables.map((t) => ({ name: t.name, rows: t.rows }));
  }

  await migrateTarget(target, options, options.migrationsDir);
  const sink = postgresSink(await connectToSchema(target.url, target.schema));
  const reader = new Database(copy, { readonly: true, fileMustExist: true, ...(options.sqliteNativeBinding === undefined ? {} : { nativeBinding: options.sqliteNativeBinding }) });
  try {
    const current = shapesPresent(shapes, await sink.columns());
    const loaded = await loadTables(sink, current, (shape) => sqliteRows(reader, shape), manifest.tables.reduce((sum, t) => sum + t.rows, 0), options);
    compareDigests(archive.path, older ? await migratedDigests(copy, current, options) : manifest.tables, await sink.digest(current));
    return loaded;
  } finally {
    reader.close();
    await sink.close();
  }
}

/**
 * Builds the database of a Postgres archive (NDJSON per table) at `target`: a database
 * migrated to the archive's schema version, the rows loaded and digested against the
 * manifest, then the migrations that came after applied.
 */
async function restoreTableArchive(
  archive: OpenedArchive,
  target: RestoreTarget,
  temporaryFile: string | null,
  older: boolean,
  options: RestoreOptions,
): Promise<{ name: string; rows: number }[]> {
  const { manifest } = archive;
  const atArchiveVersion = older ? migrationsUpTo(manifest.schemaVersion, options.migrationsDir) : null;
  const building: RestoreTarget = temporaryFile === null ? target : { kind: 'sqlite', file: temporaryFile };
  let loaded: { name: string; rows: number }[];
  try {
    await migrateTarget(building, options, atArchiveVersion?.migrationsDir ?? options.migrationsDir);
  } finally {
    atArchiveVersion?.cleanup();
  }
  options.progress(EXTRACTED_AT);
  const sink = building.kind === 'sqlite' ? sqliteSink(building.file, options.sqliteNativeBinding) : postgresSink(await connectToSchema(building.url, building.schema));
  try {
    const shapes = shapesPresent(manifestShapes(manifest), await sink.columns());
    loaded = await loadTables(sink, shapes, (shape) => ndjsonRows(archive, shape), manifest.tables.reduce((sum, t) => sum + t.rows, 0), options);
    compareDigests(archive.path, manifest.tables, await sink.digest(shapes));
  } finally {
    await sink.close();
  }
  if (older) await migrateTarget(building, options, options.migrationsDir);
  return loaded;
}

/**
 * Turns an archive into a database at `target` (a new SQLite file or a new Postgres schema,
 * from a SQLite or a Postgres archive, either way), with its model files, settings and (given
 * the passphrase) secrets extracted to `options.stagingDir`. The archive is verified first
 * and every restored table's checksum is compared with the manifest. A newer format or
 * schema, a damaged archive or a wrong passphrase is refused before anything is written; any
 * failure later removes what was built. The live database is never touched.
 */
export async function restoreArchive(archivePath: string, target: RestoreTarget, options: RestoreOptions & { verified?: boolean }): Promise<RestoredWorkspace> {
  const archive = await openArchive(archivePath);
  const { manifest } = archive;
  const { older } = requireKnownSchema(manifest, options.migrationsDir);
  if (!options.verified) {
    const report = await verifyArchive(archivePath, { passphrase: options.passphrase, sqliteNativeBinding: options.sqliteNativeBinding });
    if (!report.ok) throw refusal(archivePath, report);
  }
  options.progress(VERIFIED_AT);

  const secretsPart = manifest.parts.find((p) => p.name === SECRETS_PART);
  let secrets: Record<string, string> | null = null;
  if (manifest.secrets && secretsPart && options.passphrase !== undefined) {
    secrets = await openSealedSecrets(await readPartWhole(archive, secretsPart), manifest.secrets, options.passphrase).catch((error: unknown) => {
      throw error instanceof AppError ? new AppError(error.code, `${error.message} Nothing was restored.`) : error;
    });
  }
  const settingsPart = manifest.parts.find((p) => p.name === SETTINGS_PART);
  const settings: unknown = settingsPart ? JSON.parse((await readPartWhole(archive, settingsPart)).toString('utf8')) : null;
  await requireFreeTarget(target);
  options.throwIfCancelled();

  const temporaryFile = target.kind === 'sqlite' ? temporaryNameOf(target.file) : null;
  try {
    const modelParts = manifest.parts.filter((p) => p.kind === 'model');
    const modelsDir = modelParts.length > 0 ? path.join(options.stagingDir, 'models') : null;
    for (const part of modelParts) {
      options.throwIfCancelled();
      const relative = part.name.slice('models/'.length);
      const file = path.resolve(modelsDir!, ...relative.split('/'));
      if (!file.startsWith(modelsDir! + path.sep)) throw new AppError('CORRUPT', `${archivePath} names a model file outside the models folder: ${part.name}.`);
      await extractPart(archive, part, file);
    }
    if (temporaryFile !== null) await rm(temporaryFile, { force: true });

    const tables =
      manifest.database === 'sqlite'
        ? await restoreSqliteArchive(archive, target, temporaryFile, older, options)
        : await restoreTableArchive(archive, target, temporaryFile, older, options);

    if (target.kind === 'sqlite' && temporaryFile !== null) {
      await syncFile(temporaryFile);
      await rename(temporaryFile, target.file);
      await syncFolder(path.dirname(target.file));
    }
    options.progress(1);
    return { manifest, tables, stagingDir: options.stagingDir, modelsDir, settings, secrets };
  } catch (error) {
    await removeTarget(target, temporaryFile).catch((cleanup: unknown) =>
      options.logger.warn('could not remove what a failed restore built', { error: cleanup instanceof Error ? cleanup.message : String(cleanup) }),
    );
    throw error;
  }
}
