/**
 * Backup on SQLite: the archive's write rate (online copy, table checksums, compression,
 * fsync) and write + verify, each as a ratio to SQLite's backup API copying the same file
 * alone in one step, the fastest the engine copies it; and the main thread's longest delay
 * while a backup runs. Best of RUNS, interleaved, so neither side gets the warmer cache.
 *
 *   METALYTICS_BENCH_BACKUP_BARS   1m bars in the database backed up (default 1,000,000)
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { writeBackupArchive } from '../../src/core/backups/create-backup';
import { verifyArchive } from '../../src/core/backups/verify';
import { openStorage } from '../../src/core/storage/open-storage';
import { silentLogger } from '../support/silent-logger';
import { testPorts } from '../support/test-core';
import { loopColumns, watchEventLoop, type LoopFigures } from './loop-watch';
import { tempDir } from './raw-insert';
import { syntheticMinuteBars } from './stats';

const BARS = Number(process.env.METALYTICS_BENCH_BACKUP_BARS ?? 1_000_000);
const RUNS = 3;
const MiB = 2 ** 20;

/** SQLite's backup API alone: one step copying every page, from a connection of its own. */
async function backupApiSeconds(file: string, destination: string): Promise<number> {
  const source = new Database(file, { readonly: true });
  const started = performance.now();
  await source.backup(destination, { progress: () => 1 << 30 });
  const seconds = (performance.now() - started) / 1000;
  source.close();
  fs.rmSync(destination, { force: true });
  return seconds;
}

export async function benchBackup(): Promise<Record<string, string | number>[]> {
  const dir = tempDir('metalytics-bench-backup-');
  try {
    const storage = await openStorage({ dataDir: dir, logger: silentLogger() });
    for (const bars of syntheticMinuteBars(Date.UTC(2005, 0, 3), BARS, 5_000)) {
      await storage.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1m', source: 'bench', bars });
    }
    const file = path.join(dir, 'metalytics.db');
    const ports = testPorts(dir);
    const folder = path.join(dir, 'backups');
    fs.mkdirSync(folder);
    let api = Infinity;
    let write = Infinity;
    let verify = Infinity;
    let loop: LoopFigures | undefined;
    let archiveBytes = 0;
    for (let run = 0; run < RUNS; run++) {
      api = Math.min(api, await backupApiSeconds(file, path.join(folder, 'api-copy.db')));
      const watch = watchEventLoop();
      const started = performance.now();
      const target = path.join(folder, `run-${run}.mlbackup`);
      const written = await writeBackupArchive({ storage, ports, now: Date.now }, { target, progress: () => undefined, throwIfCancelled: () => undefined });
      const wrote = performance.now();
      const report = await verifyArchive(target);
      const figures = watch.stop();
      if (!report.ok) throw new Error(`the bench's backup failed verification: ${report.problems[0]?.message}`);
      write = Math.min(write, (wrote - started) / 1000);
      verify = Math.min(verify, (performance.now() - wrote) / 1000);
      if (!loop || figures.maxDelayMs > loop.maxDelayMs) loop = figures;
      archiveBytes = written.bytes;
      fs.rmSync(target);
    }
    const databaseBytes = fs.statSync(file).size;
    await storage.close();
    const rate = (seconds: number) => `${(databaseBytes / MiB / seconds).toFixed(0)} MiB/s`;
    return [
      {
        figure: 'backup (SQLite)',
        database: `${(databaseBytes / MiB).toFixed(0)} MiB (${BARS.toLocaleString('en')} 1m bars)`,
        archive: `${(archiveBytes / MiB).toFixed(0)} MiB`,
        backupApiAlone: rate(api),
        backupWrite: rate(write),
        writeRatio: (api / write).toFixed(2),
        backupWriteAndVerify: rate(write + verify),
        writeAndVerifyRatio: (api / (write + verify)).toFixed(2),
        // The worst run's figures: a backup must never hold the main thread, not merely on average.
        ...loopColumns(loop!),
      },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
