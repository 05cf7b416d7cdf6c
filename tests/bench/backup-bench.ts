/**
 * Backups, each figure as a ratio to a baseline measured in the same run:
 *
 * - SQLite (a ≥1 GiB workspace, see backup-database.ts): the archive's write rate (online
 *   copy, table checksums, compression, fsync), its verification, and a restore into a new
 *   file, each beside SQLite's backup API copying the same file alone in one step, the fastest
 *   the engine copies it; where a backup's time goes (copy, checksums, compression alone); and
 *   the main thread's longest delay while a backup is written.
 * - Postgres: the export (canonical NDJSON of every table in one snapshot) beside
 *   `COPY (SELECT …) TO STDOUT` of the same rows in the same order, read and dropped.
 *
 *   METALYTICS_BENCH_BACKUP_BARS     1m bars in the SQLite workspace (default 13,500,000: 1.05 GiB)
 *   METALYTICS_BENCH_BACKUP_PG_BARS  1m bars exported from Postgres (default 1,000,000)
 *   METALYTICS_BENCH_BACKUP_RUNS     SQLite runs, best of, interleaved with the baseline (default 1)
 */
import fs from 'node:fs';
import { createReadStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { ArchiveWriter } from '../../src/core/backups/archive/archive-writer';
import { backedUpTables, canonicalSelect } from '../../src/core/backups/archive/table-digest';
import { SQLITE_PART, writeBackupArchive } from '../../src/core/backups/create-backup';
import { digestSqliteCopy } from '../../src/core/backups/database-digest';
import { restoreArchive } from '../../src/core/backups/restore/restore-archive';
import { verifyArchive } from '../../src/core/backups/verify';
import { openStorage } from '../../src/core/storage/open-storage';
import type { Storage } from '../../src/core/storage/types';
import { startTestPostgres } from '../support/postgres';
import { silentLogger } from '../support/silent-logger';
import { testPorts } from '../support/test-core';
import { cachedBackupWorkspace } from './backup-database';
import { loopColumns, watchEventLoop, type LoopFigures } from './loop-watch';
import { tempDir } from './raw-insert';
import { syntheticMinuteBars } from './stats';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const BARS = env('METALYTICS_BENCH_BACKUP_BARS', 13_500_000);
const PG_BARS = env('METALYTICS_BENCH_BACKUP_PG_BARS', 1_000_000);
const RUNS = env('METALYTICS_BENCH_BACKUP_RUNS', 1);
const MiB = 2 ** 20;
const quietly = { progress: () => undefined, throwIfCancelled: () => undefined };

async function seconds(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

/** SQLite's backup API alone: one step copying every page, from a connection of its own. */
async function backupApiSeconds(file: string, destination: string): Promise<number> {
  const source = new Database(file, { readonly: true });
  const took = await seconds(() => source.backup(destination, { progress: () => 1 << 30 }));
  source.close();
  fs.rmSync(destination, { force: true });
  return took;
}

/** Each step of a SQLite backup alone, on the copy it makes: where the time goes. */
async function phaseSeconds(storage: Storage, folder: string) {
  if (storage.snapshot.dialect !== 'sqlite') throw new Error('the phases are measured on SQLite');
  const copy = path.join(folder, 'phase-copy.sqlite');
  const { snapshot } = storage;
  const copySeconds = await seconds(() => snapshot.copyTo(copy, () => undefined));
  const checksums = await seconds(() => digestSqliteCopy({ file: copy, nativeBinding: undefined, integrityCheck: false, tables: backedUpTables.map((t) => t.name) }));
  const writer = await ArchiveWriter.create(path.join(folder, 'phase.mlbackup'));
  const compression = await seconds(() => writer.addPart(SQLITE_PART, 'database', createReadStream(copy)));
  await writer.abort();
  fs.rmSync(copy);
  return { copy: copySeconds, checksums, compression };
}

async function benchSqliteBackup(): Promise<Record<string, string | number>[]> {
  const workspace = await cachedBackupWorkspace(BARS);
  const folder = tempDir('metalytics-bench-backup-');
  try {
    const storage = await openStorage({ dataDir: workspace.dataDir, logger: silentLogger() });
    const ports = testPorts(workspace.dataDir);
    let api = Infinity;
    let write = Infinity;
    let verify = Infinity;
    let restore = Infinity;
    let loop: LoopFigures | undefined;
    let archiveBytes = 0;
    for (let run = 0; run < RUNS; run++) {
      api = Math.min(api, await backupApiSeconds(workspace.file, path.join(folder, 'api-copy.db')));
      const target = path.join(folder, `run-${run}.mlbackup`);
      const watch = watchEventLoop();
      const wrote = await seconds(async () => (archiveBytes = (await writeBackupArchive({ storage, ports, now: Date.now }, { target, ...quietly })).bytes));
      const figures = watch.stop();
      if (!loop || figures.maxDelayMs > loop.maxDelayMs) loop = figures;
      write = Math.min(write, wrote);
      verify = Math.min(
        verify,
        await seconds(async () => {
          const report = await verifyArchive(target);
          if (!report.ok) throw new Error(`the bench's backup failed verification: ${report.problems[0]?.message}`);
        }),
      );
      const stagingDir = fs.mkdtempSync(path.join(folder, 'staging-'));
      const restored = path.join(folder, 'restored.db');
      restore = Math.min(
        restore,
        await seconds(() => restoreArchive(target, { kind: 'sqlite', file: restored }, { ...quietly, verified: true, logger: silentLogger(), stagingDir })),
      );
      fs.rmSync(stagingDir, { recursive: true, force: true });
      fs.rmSync(restored, { force: true });
      fs.rmSync(target);
    }
    const phases = await phaseSeconds(storage, folder);
    await storage.close();
    const databaseBytes = fs.statSync(workspace.file).size;
    const rate = (took: number) => `${(databaseBytes / MiB / took).toFixed(0)} MiB/s`;
    const ratio = (took: number) => (api / took).toFixed(2);
    return [
      {
        figure: 'backup (SQLite)',
        database: `${(databaseBytes / MiB).toFixed(0)} MiB (${BARS.toLocaleString('en')} 1m bars)`,
        archive: `${(archiveBytes / MiB).toFixed(0)} MiB`,
        backupApiAlone: rate(api),
        backupWrite: rate(write),
        writeRatio: ratio(write),
        verify: rate(verify),
        writeAndVerifyRatio: ratio(write + verify),
        restore: rate(restore),
        restoreRatio: ratio(restore),
        // The worst run's figures: a backup must never hold the main thread, not merely on average.
        ...loopColumns(loop!),
      },
      {
        figure: 'backup phases (SQLite, each alone)',
        backupApiAlone: `${api.toFixed(1)} s`,
        onlineCopy: `${phases.copy.toFixed(1)} s`,
        copyRatio: ratio(phases.copy),
        checksums: `${phases.checksums.toFixed(1)} s`,
        checksumsRatio: ratio(phases.checksums),
        compression: `${phases.compression.toFixed(1)} s`,
        compressionRatio: ratio(phases.compression),
      },
    ];
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

/** `COPY … TO STDOUT` read off the wire and dropped, with the client pg already has (no pg-copy-streams). */
class CopyToNowhere implements pg.Submittable {
  bytes = 0;
  readonly done: Promise<void>;
  private settle!: (error?: Error) => void;
  private error: Error | undefined;

  constructor(private readonly text: string) {
    this.done = new Promise((resolve, reject) => (this.settle = (error) => (error ? reject(error) : resolve())));
  }

  submit(connection: { query(text: string): void }) {
    connection.query(this.text);
  }

  handleCopyData(message: { chunk: Buffer }) {
    this.bytes += message.chunk.length;
  }

  handleCommandComplete() {}

  handleError(error: Error) {
    this.error = error;
  }

  handleReadyForQuery() {
    this.settle(this.error);
  }
}

/** Every backed-up table through COPY, in canonical order, in one REPEATABLE READ snapshot as the export reads them. */
async function copyEverything(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    let bytes = 0;
    for (const shape of backedUpTables) {
      const copy = client.query(new CopyToNowhere(`COPY (${canonicalSelect(shape, 'postgres')}) TO STDOUT`));
      await copy.done;
      bytes += copy.bytes;
    }
    await client.query('COMMIT');
    return bytes;
  } finally {
    await client.end();
  }
}

async function benchPostgresExport(): Promise<Record<string, string | number>[]> {
  const server = await startTestPostgres();
  const folder = tempDir('metalytics-bench-backup-pg-');
  try {
    const url = await server.createDatabaseUrl();
    const storage = await openStorage({ dataDir: os.tmpdir(), databaseUrl: url, logger: silentLogger() });
    for (const bars of syntheticMinuteBars(Date.UTC(2005, 0, 3), PG_BARS, 10_000)) {
      await storage.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1m', source: 'bench', bars });
    }
    const target = path.join(folder, 'pg.mlbackup');
    let copyBytes = 0;
    const copy = await seconds(async () => (copyBytes = await copyEverything(url)));
    let exportBytes = 0;
    const watch = watchEventLoop();
    const exported = await seconds(async () => {
      const written = await writeBackupArchive({ storage, ports: testPorts(folder, { databaseUrl: url }), now: Date.now }, { target, ...quietly });
      exportBytes = written.manifest.parts.filter((part) => part.kind === 'table').reduce((sum, part) => sum + part.bytes, 0);
    });
    const loop = watch.stop();
    await storage.close();
    return [
      {
        figure: 'backup (Postgres export)',
        bars: PG_BARS,
        copyToStdout: `${(copyBytes / MiB / copy).toFixed(0)} MiB/s (${copy.toFixed(1)} s)`,
        export: `${(exportBytes / MiB / exported).toFixed(0)} MiB/s of NDJSON (${exported.toFixed(1)} s)`,
        ratio: (copy / exported).toFixed(2),
        ...loopColumns(loop),
      },
    ];
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
    await server.stop();
  }
}

export async function benchBackup(dialects: readonly string[]): Promise<Record<string, string | number>[]> {
  return [...(dialects.includes('sqlite') ? await benchSqliteBackup() : []), ...(dialects.includes('postgres') ? await benchPostgresExport() : [])];
}
