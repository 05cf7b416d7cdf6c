/**
 * The restore drill: the latest verified backup restored into a scratch SQLite file (a
 * Postgres archive too, across modes) and asked what a trader would ask of it, so "last
 * verified restore" means a restore that worked, not an archive that merely checks out.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { RestoreDrill } from '../../shared/backups';
import { AppError } from '../../shared/errors';
import { raiseAlertUnlessOpen } from '../alerts/alerts';
import type { CoreContext } from '../context';
import type { JobContext } from '../jobs/job-runner';
import { restoreArchive } from './restore/restore-archive';

type DrillContext = Pick<CoreContext, 'ports' | 'storage' | 'events' | 'clock' | 'now'>;

/** Share of the progress the restore takes; the queries take the rest. */
const RESTORED_AT = 0.9;

/** Bars and the last close of every stored series, and each table's rows against the manifest's count. */
function queryRestored(file: string, expected: readonly { name: string; rows: number }[], nativeBinding: string | undefined): RestoreDrill['checks'] {
  const db = new Database(file, { readonly: true, ...(nativeBinding === undefined ? {} : { nativeBinding }) });
  try {
    const wrong = expected.flatMap(({ name, rows }) => {
      const found = Number((db.prepare(`SELECT count(*) AS n FROM "${name.replaceAll('"', '""')}"`).get() as { n: number }).n);
      return found === rows ? [] : [`${name} has ${found} rows, the manifest says ${rows}`];
    });
    if (wrong.length > 0) throw new AppError('CORRUPT', `The restored database does not match its manifest: ${wrong.join('; ')}.`);
    // The newest bar of each series by the primary key's order, so the query stays one index walk per series.
    const series = db
      .prepare(
        `SELECT s.symbol, s.timeframe, s.bars,
           (SELECT m.close FROM market_data m WHERE m.symbol = s.symbol AND m.timeframe = s.timeframe ORDER BY m.time DESC LIMIT 1) AS "lastClose"
         FROM (SELECT symbol, timeframe, count(*) AS bars FROM market_data GROUP BY symbol, timeframe) s ORDER BY s.symbol, s.timeframe`,
      )
      .all() as { symbol: string; timeframe: string; bars: number; lastClose: number | null }[];
    return series.map((row) => ({ symbol: row.symbol, timeframe: row.timeframe, bars: Number(row.bars), lastClose: row.lastClose === null ? null : Number(row.lastClose) }));
  } finally {
    db.close();
  }
}

/**
 * Inside a job run of kind `drill`: restores the latest verified backup into a scratch folder,
 * runs the known queries, records the drill and removes the scratch. A failed drill is
 * recorded, raises an alert and fails the run.
 */
export async function runDrill(ctx: DrillContext, job: JobContext): Promise<RestoreDrill> {
  const backup = await ctx.storage.backups.lastGood();
  if (!backup) throw new AppError('NOT_FOUND', 'There is no verified backup to drill yet; back up first.');
  const started = ctx.now();
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'metalytics-drill-'));
  const { config, logger } = ctx.ports;
  const drill = async (checks: RestoreDrill['checks'], error: string | null): Promise<RestoreDrill> => {
    const recorded: RestoreDrill = { id: randomUUID(), backupId: backup.id, at: started, ok: error === null, durationMs: Math.max(0, ctx.now() - started), checks, error };
    await ctx.storage.backupDrills.record(recorded);
    return recorded;
  };
  try {
    const stagingDir = path.join(scratch, 'staging');
    await mkdir(stagingDir);
    const file = path.join(scratch, 'drill.sqlite');
    const restored = await restoreArchive(backup.path, { kind: 'sqlite', file }, {
      sqliteNativeBinding: config.sqliteNativeBinding,
      migrationsDir: config.migrationsDir,
      logger,
      stagingDir,
      progress: (fraction) => job.progress(Math.round(fraction * RESTORED_AT * 100), 100),
      throwIfCancelled: () => job.throwIfCancelled(),
    });
    const checks = queryRestored(file, restored.manifest.tables, config.sqliteNativeBinding);
    job.progress(100, 100);
    return await drill(checks, null);
  } catch (error) {
    if (error instanceof AppError && error.code === 'CANCELLED') throw error;
    const message = `The restore drill of the backup of ${new Date(backup.createdAt).toISOString()} failed: ${error instanceof Error ? error.message : String(error)}`;
    await drill([], message);
    await raiseAlertUnlessOpen(ctx, { severity: 'error', source: 'backup', message, details: { code: 'DRILL_FAILED', backupId: backup.id } });
    throw new AppError(error instanceof AppError ? error.code : 'INTERNAL', message);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
