/**
 * Scheduled backups, keep rules, pins, the backup folder and the restore drill on a real core
 * on SQLite: the scheduler runs `backup` and `drill` jobs inside their own runs, backups land in
 * the configured folder, pruning follows the rules, and a drill restores a real backup (and
 * fails, with an alert, on a damaged one).
 */
import { open, readdir, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestedBackupPath } from '../../../src/shared/backups';
import type { JobRun } from '../../../src/shared/domain';
import { createTestCore, invokeFailure, type TestCore } from '../../support/test-core';

const DAY = 86_400_000;
let clock = Date.UTC(2026, 10, 30, 12);
let test: TestCore;

beforeAll(async () => {
  test = await createTestCore({ now: () => clock });
  await test.importRealFile('xauusd-1d-mt4.csv', 'XAUUSD');
}, 60_000);
afterAll(() => test?.cleanup());

async function until<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let waited = 0; waited < 60_000; waited += 25) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting until ${what}`);
}

/** Runs a scheduled job now and waits for its run to end. */
async function runJob(id: string): Promise<JobRun> {
  const { runId } = await test.call('jobs.runNow', { id });
  return until(async () => {
    const [run] = (await test.core.storage.jobRuns.list({ ingestJobId: id, limit: 1 })).filter((r) => r.id === runId && r.status !== 'running');
    return run;
  }, `run ${runId} ends`);
}

const workspaceJob = (kind: 'backup' | 'drill', schedule: string | null) =>
  test.call('jobs.create', { name: `${kind} job`, kind, symbols: [], schedule, timezone: 'UTC' } as Parameters<typeof test.call<'jobs.create'>>[1]);

describe('scheduled backups and the status', () => {
  let backupJobId: string;

  it('answers the status with no backup and no schedule: nothing promised, nothing overdue, the default folder', async () => {
    const status = await test.call('backups.status', {});
    expect(status).toMatchObject({ lastGood: null, promisedIntervalMs: null, overdue: false, lastDrill: null, lastRestore: null, folder: path.join(test.dataDir, 'backups') });
    expect(status.settings).toEqual({ keep: { daily: 7, weekly: 4, monthly: 12 }, safetyDays: 30 });
  });

  it('refuses symbols, a timeframe and a provider-only rule on backup and drill jobs', async () => {
    const refused = await invokeFailure(test.core, 'jobs.create', { name: 'bad', kind: 'backup', symbols: ['XAUUSD'], schedule: null } as never);
    expect(refused).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/takes no symbols/) });
    const drill = await invokeFailure(test.core, 'jobs.create', { name: 'bad', kind: 'drill', symbols: [], timeframe: '1d', schedule: null } as never);
    expect(drill).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/takes no timeframe/) });
  });

  it('a weekday backup schedule promises three days and is overdue while no backup exists', async () => {
    const job = await workspaceJob('backup', '0 2 * * 1-5');
    backupJobId = job.id;
    expect(job).toMatchObject({ kind: 'backup', provider: null, symbols: [] });
    expect(await test.call('backups.status', {})).toMatchObject({ promisedIntervalMs: 3 * DAY, overdue: true, lastGood: null });
  });

  it('runs a scheduled backup through the scheduler in one run: a verified backup of kind scheduled, no longer overdue', async () => {
    const run = await runJob(backupJobId);
    expect(run).toMatchObject({ kind: 'backup', status: 'succeeded', ingestJobId: backupJobId });
    expect(run.rows).toBeGreaterThan(5_000);
    // One job run for the backup: the scheduler's own, not a second one inside it.
    expect((await test.call('jobs.runs', { kind: 'backup' })).runs).toHaveLength(1);
    const [backup] = (await test.call('backups.list', {})).backups;
    expect(backup).toMatchObject({ kind: 'scheduled', status: 'verified', pinned: false });
    expect(path.dirname(backup!.path)).toBe(path.join(test.dataDir, 'backups'));
    const status = await test.call('backups.status', {});
    expect(status.lastGood?.id).toBe(backup!.id);
    expect(status.overdue).toBe(false);
    clock += 4 * DAY;
    expect((await test.call('backups.status', {})).overdue).toBe(true);
  }, 60_000);
});

describe('keep rules and pins on a real core', () => {
  it('prunes after each good backup what the rules do not keep, file and row, never a pinned backup', async () => {
    await test.call('settings.update', { backups: { keep: { daily: 2, weekly: 0, monthly: 0 }, safetyDays: 30 } });
    const before = (await test.call('backups.list', {})).backups;
    const pinned = await test.call('backups.pin', { id: before[0]!.id, pinned: true });
    expect(pinned.pinned).toBe(true);
    const made: { id: string; path: string }[] = [];
    for (let day = 0; day < 4; day++) {
      clock += DAY;
      const { backup } = await test.call('backups.create', { wait: true });
      made.push(backup!);
    }
    const listed = (await test.call('backups.list', {})).backups;
    // The two newest days and the pinned one; the two older days' backups are gone with their files.
    expect(listed.map((b) => b.id)).toEqual([made[3]!.id, made[2]!.id, before[0]!.id]);
    for (const gone of made.slice(0, 2)) await expect(stat(gone.path)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(listed.find((b) => b.id === before[0]!.id)?.pinned).toBe(true);
  }, 120_000);

  it('removes a failed archive at the next good backup but keeps its row, so the failure stays listed', async () => {
    const failedPath = path.join(test.dataDir, 'backups', 'failed.mlbackup');
    await writeFile(failedPath, 'half an archive');
    await test.core.storage.backups.start({ id: 'failed-one', createdAt: clock, kind: 'manual', path: failedPath, schemaVersion: 'x', appVersion: 'x', encrypted: false });
    await test.core.storage.backups.finish('failed-one', { status: 'failed', finishedAt: clock, sizeBytes: null, sha256: null, verifiedAt: null, error: 'The disk is full.', manifest: null });
    clock += DAY;
    await test.call('backups.create', { wait: true });
    await expect(stat(failedPath)).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await test.call('backups.list', {})).backups.find((b) => b.id === 'failed-one')).toMatchObject({ status: 'failed', error: 'The disk is full.' });
  }, 60_000);

  it('pins only a verified backup, and says so for an unknown one', async () => {
    expect(await invokeFailure(test.core, 'backups.pin', { id: 'no-such-backup', pinned: true })).toMatchObject({ code: 'NOT_FOUND' });
    const [newest] = (await test.call('backups.list', {})).backups;
    expect((await test.call('backups.pin', { id: newest!.id, pinned: false })).pinned).toBe(false);
  });
});

describe('the backup folder', () => {
  it('is a path only the CLI and the desktop chooser may set: transports refuse it and settings.update cannot move it', async () => {
    expect(requestedBackupPath('backups.setFolder', { folder: '/tmp/elsewhere' })).toBe('/tmp/elsewhere');
    expect(requestedBackupPath('backups.setFolder', { folder: null })).toBeNull();
    const moved = await invokeFailure(test.core, 'settings.update', { backups: { folder: '/tmp/elsewhere', keep: { daily: 2, weekly: 0, monthly: 0 }, safetyDays: 30 } });
    expect(moved).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/backups folder PATH/) });
    expect((await test.call('settings.get')).backups.folder).toBeUndefined();
    expect(await invokeFailure(test.core, 'backups.setFolder', { folder: 'relative/folder' })).toMatchObject({ code: 'VALIDATION' });
  });

  it('moves where new backups go; earlier ones stay listed where they are', async () => {
    const folder = path.join(test.dataDir, 'elsewhere', 'backups');
    expect(await test.call('backups.setFolder', { folder })).toEqual({ folder });
    // Changing the keep rules keeps the folder.
    await test.call('settings.update', { backups: { keep: { daily: 7, weekly: 4, monthly: 12 }, safetyDays: 30 } });
    expect((await test.call('backups.status', {})).folder).toBe(folder);
    clock += DAY;
    const { backup } = await test.call('backups.create', { wait: true });
    expect(path.dirname(backup!.path)).toBe(folder);
    const listed = (await test.call('backups.list', {})).backups;
    expect(listed.filter((b) => path.dirname(b.path) === path.join(test.dataDir, 'backups')).length).toBeGreaterThan(0);
    expect(await test.call('backups.setFolder', { folder: null })).toEqual({ folder: path.join(test.dataDir, 'backups') });
  }, 60_000);
});

describe('the restore drill', () => {
  let drillJobId: string;
  const scratchFolders = async () => (await readdir(os.tmpdir())).filter((name) => name.startsWith('metalytics-drill-'));

  it('restores the latest verified backup into a scratch database, queries it, records the drill and removes the scratch', async () => {
    drillJobId = (await workspaceJob('drill', '0 4 * * 0')).id;
    const scratchBefore = await scratchFolders();
    const run = await runJob(drillJobId);
    expect(run).toMatchObject({ kind: 'drill', status: 'succeeded', error: null });
    const { lastDrill, lastGood } = await test.call('backups.status', {});
    const coverage = await test.call('bars.coverage', { symbol: 'XAUUSD' });
    const daily = coverage.coverage.find((s) => s.timeframe === '1d')!;
    const lastBar = (await test.call('bars.query', { symbol: 'XAUUSD', timeframe: '1d', limit: 1 })).bars.at(-1)!;
    expect(lastDrill).toMatchObject({ backupId: lastGood!.id, ok: true, error: null, at: clock });
    expect(lastDrill!.checks).toEqual([{ symbol: 'XAUUSD', timeframe: '1d', bars: daily.count, lastClose: lastBar.close }]);
    expect(await scratchFolders()).toEqual(scratchBefore);
  }, 60_000);

  it('fails on a damaged archive: the drill is recorded failed and an alert is raised', async () => {
    const { lastGood } = await test.call('backups.status', {});
    const file = await open(lastGood!.path, 'r+');
    try {
      const { size } = await file.stat();
      const middle = Math.floor(size / 2);
      const byte = Buffer.alloc(1);
      await file.read(byte, 0, 1, middle);
      byte[0] = byte[0]! ^ 0xff;
      await file.write(byte, 0, 1, middle);
    } finally {
      await file.close();
    }
    clock += 60_000;
    const run = await runJob(drillJobId);
    expect(run).toMatchObject({ kind: 'drill', status: 'failed' });
    const { lastDrill } = await test.call('backups.status', {});
    expect(lastDrill).toMatchObject({ backupId: lastGood!.id, ok: false, checks: [], at: clock, error: expect.stringMatching(/restore drill .* failed/) });
    const { alerts } = await test.call('alerts.list', {});
    expect(alerts.find((a) => a.source === 'backup' && /restore drill/.test(a.message))).toBeDefined();
  }, 60_000);
});
