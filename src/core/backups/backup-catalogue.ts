/**
 * The backups as a whole: where new ones go, which the keep rules prune after each good one,
 * pins, and the status the Backups screen and the status bar show.
 */
import { inSettingsTurn } from '../settings/serialised';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Backup } from '../../shared/backups';
import type { BackupSettings } from '../../shared/backup-settings';
import { AppError } from '../../shared/errors';
import type { CoreContext } from '../context';
import { CronSchedule, longestGapMs } from '../scheduler/cron';
import { readSettings } from '../settings/settings-handlers';
import type { StoredIngestJob } from '../storage/types';
import { ARCHIVE_EXTENSION } from './archive/archive-format';
import { keptByRules } from './keep-rules';

type CatalogueContext = Pick<CoreContext, 'ports' | 'storage' | 'now'>;

const DAY_MS = 86_400_000;
/**
 * A backup that failed as it was written is removed at the next pruning (it cannot be restored
 * and may be large), but its row stays this long, so the Backups screen keeps showing that and
 * why it failed. One that verified once and failed a later verification (a wrong passphrase
 * fails it too) is left to the user: pruning never removes an archive that was good.
 */
export const FAILED_ROWS_KEPT_DAYS = 30;

/** `metalytics-20261204T201930Z-1a2b3c4d.mlbackup`: sorts by time, unique per backup. */
export function archiveName(createdAt: number, id: string): string {
  const stamp = new Date(createdAt).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `metalytics-${stamp}-${id.slice(0, 8)}${ARCHIVE_EXTENSION}`;
}

/** Written to a file the app named itself, not one the user gave (`metalytics backup --out`). */
const appNamed = (backup: Backup) => path.basename(backup.path) === archiveName(backup.createdAt, backup.id);

/** The folder new backups are written to: the user's choice, else the data folder's `backups`. */
export async function resolveBackupFolder(ctx: Pick<CoreContext, 'ports'>): Promise<string> {
  const { folder } = (await readSettings(ctx.ports)).backups;
  return path.resolve(folder ?? path.join(ctx.ports.config.dataDir, 'backups'));
}

/**
 * Makes `folder` (absolute, created if missing) where new backups go; null goes back to the
 * data folder's. Archives already written stay where they are, listed at their paths.
 */
export async function setBackupFolder(ctx: Pick<CoreContext, 'ports'>, folder: string | null): Promise<string> {
  if (folder !== null && !path.isAbsolute(folder)) throw new AppError('VALIDATION', `The backup folder must be a full path, not "${folder}".`);
  return inSettingsTurn(ctx.ports.settings, async () => {
    const settings = await readSettings(ctx.ports);
    const next = { ...settings, backups: { ...settings.backups, folder: folder === null ? undefined : path.resolve(folder) } };
    const resolved = path.resolve(next.backups.folder ?? path.join(ctx.ports.config.dataDir, 'backups'));
    try {
      await mkdir(resolved, { recursive: true });
    } catch (error) {
      throw new AppError('VALIDATION', `Backups cannot be written to ${resolved}: ${error instanceof Error ? error.message : String(error)}.`);
    }
    await ctx.ports.settings.write(next);
    return resolved;
  });
}

/** Failed when written: never verified, so its archive holds nothing to restore. */
const neverGood = (backup: Backup) => backup.status === 'failed' && backup.verifiedAt === null;

/** What pruning left and removed, by id. */
export interface PruneOutcome {
  deleted: string[];
  /** Failed backups whose archive file was removed; their rows stay for FAILED_ROWS_KEPT_DAYS. */
  filesRemoved: string[];
}

/**
 * Which backups to delete now, given them all: among verified manual and scheduled backups the
 * keep rules decide; a safety backup goes once older than `safetyDays`; a failed backup's row
 * once older than FAILED_ROWS_KEPT_DAYS. Never a pinned backup, one still being written, the
 * newest verified backup, or one written to a file the user named (`metalytics backup --out`):
 * that file is theirs, and only archives the app named itself are rotated.
 */
export function backupsToPrune(backups: readonly Backup[], settings: BackupSettings, now: number, timeZone: string): Backup[] {
  const lastGood = backups.filter((b) => b.status === 'verified').reduce<Backup | null>((newest, b) => (newest === null || b.createdAt > newest.createdAt ? b : newest), null);
  const judged = backups.filter((b) => !b.pinned && b.status !== 'running' && appNamed(b));
  // The newest verified backup counts for the rules like any other (it always fills its day); pinned ones stand outside them.
  const kept = keptByRules(
    judged.filter((b) => b.status === 'verified' && b.kind !== 'safety'),
    settings.keep,
    timeZone,
  );
  if (lastGood) kept.add(lastGood.id);
  return judged.filter((b) => {
    if (b.status === 'failed') return neverGood(b) && b.createdAt < now - FAILED_ROWS_KEPT_DAYS * DAY_MS;
    if (kept.has(b.id)) return false;
    if (b.kind === 'safety') return b.createdAt < now - settings.safetyDays * DAY_MS;
    return true;
  });
}

/** Applies the keep rules after a good backup: deletes what they do not keep (file and row) and removes failed archives' files. */
export async function pruneBackups(ctx: CatalogueContext): Promise<PruneOutcome> {
  const { backups: settings } = await readSettings(ctx.ports);
  const all = await ctx.storage.backups.all();
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const outcome: PruneOutcome = { deleted: [], filesRemoved: [] };
  for (const backup of backupsToPrune(all, settings, ctx.now(), timeZone)) {
    await rm(backup.path, { force: true });
    if (await ctx.storage.backups.delete(backup.id)) outcome.deleted.push(backup.id);
  }
  const deleted = new Set(outcome.deleted);
  for (const failed of all.filter((b) => neverGood(b) && !b.pinned && !deleted.has(b.id) && appNamed(b))) {
    await rm(failed.path, { force: true });
    outcome.filesRemoved.push(failed.id);
  }
  if (outcome.deleted.length > 0) ctx.ports.logger.info('keep rules pruned backups', { deleted: outcome.deleted.length });
  return outcome;
}

/** Pins a verified backup so the keep rules never prune it, or unpins any. */
export async function pinBackup(ctx: CatalogueContext, id: string, pinned: boolean): Promise<Backup> {
  const backup = await ctx.storage.backups.get(id);
  if (!backup) throw new AppError('NOT_FOUND', `No backup ${id}.`);
  if (pinned && backup.status !== 'verified') {
    throw new AppError('VALIDATION', `Only a verified backup can be pinned; this one is ${backup.status === 'running' ? 'still being written' : 'failed'}.`);
  }
  await ctx.storage.backups.setPinned(id, pinned);
  return { ...backup, pinned };
}

const gaps = new Map<string, { at: number; gap: number | null }>();
const GAP_CACHE_MS = 3_600_000;

/** A schedule's longest gap barely moves with time; the status bar asks often, so it is worked out once an hour. */
function cachedLongestGap(expression: string, timezone: string, now: number): number | null {
  const key = `${timezone} ${expression}`;
  const cached = gaps.get(key);
  if (cached && Math.abs(now - cached.at) < GAP_CACHE_MS) return cached.gap;
  const gap = longestGapMs(new CronSchedule(expression, timezone), now);
  gaps.set(key, { at: now, gap });
  return gap;
}

/**
 * What the enabled backup schedules promise: per job, its longest gap between firings plus its
 * run time limit (a backup in progress has not replaced the last good one yet); the shortest
 * such promise wins. Null when no backup is scheduled.
 */
export function promisedIntervalMs(jobs: readonly StoredIngestJob[], now: number): { intervalMs: number; graceMs: number } | null {
  let best: { intervalMs: number; graceMs: number } | null = null;
  for (const job of jobs) {
    if (job.kind !== 'backup' || !job.enabled || job.schedule === null) continue;
    const gap = cachedLongestGap(job.schedule, job.timezone, now);
    if (gap === null) continue;
    if (best === null || gap + job.timeoutMs < best.intervalMs + best.graceMs) best = { intervalMs: gap, graceMs: job.timeoutMs };
  }
  return best;
}

/** True when the last good backup is older than the promise plus its grace, or missing while a schedule exists. */
export function isOverdue(lastGood: Pick<Backup, 'createdAt'> | undefined, promise: { intervalMs: number; graceMs: number } | null, now: number): boolean {
  if (promise === null) return false;
  if (lastGood === undefined) return true;
  return now - lastGood.createdAt > promise.intervalMs + promise.graceMs;
}

/** `backups.status`: the last good backup against what the schedules promise, the last drill and restore, the folder and settings. */
export async function backupsStatus(ctx: CatalogueContext) {
  const now = ctx.now();
  const [lastGood, jobs, lastDrill, lastRestore, settings, folder] = await Promise.all([
    ctx.storage.backups.lastGood(),
    ctx.storage.ingestJobs.list(),
    ctx.storage.backupDrills.latest(),
    ctx.storage.restores.latest(),
    readSettings(ctx.ports),
    resolveBackupFolder(ctx),
  ]);
  const promise = promisedIntervalMs(jobs, now);
  return {
    lastGood: lastGood ?? null,
    promisedIntervalMs: promise?.intervalMs ?? null,
    overdue: isOverdue(lastGood, promise, now),
    lastDrill: lastDrill ?? null,
    lastRestore: lastRestore
      ? { from: lastRestore.from, safetyBackupId: lastRestore.safetyBackupId, database: lastRestore.database, tables: lastRestore.tables, finishedAt: lastRestore.finishedAt }
      : null,
    folder,
    settings: settings.backups,
  };
}
