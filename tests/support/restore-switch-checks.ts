/**
 * What a restore must do on every engine, held to digests computed apart from the product
 * (backup-checks.ts): the workspace comes back exactly as backed up, the safety backup undoes
 * it, requests during the switch wait and then succeed, and refusals change nothing.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { CATALOGUE_TABLES } from '../../src/core/backups/restore/restore-archive';
import { INTERRUPTED_BY_BACKUP } from '../../src/core/backups/switch-database';
import { independentDigests, liveRows } from './backup-checks';
import { invokeFailure, type TestCore } from './test-core';

/** Tables a restore keeps from the live database (the catalogue) or adds to (its own run, its own record). */
const notRestored = new Set([...CATALOGUE_TABLES, 'job_runs', 'restores']);

/** Every restored table's count and checksum, read straight from the database. */
export async function workspaceDigests(test: TestCore, databaseUrl?: string): Promise<Record<string, { rows: number; checksum: string }>> {
  const digests = independentDigests(await liveRows(test, databaseUrl));
  return Object.fromEntries([...digests].filter(([name]) => !notRestored.has(name)));
}

export function describeRestoreSwitch(setup: () => { test: () => TestCore; databaseUrl: () => string | undefined }) {
  const { test, databaseUrl } = setup();
  const digests = () => workspaceDigests(test(), databaseUrl());

  it('restores a backup exactly, keeps the backups listed, and restoring the safety backup undoes it', async () => {
    const call = test().call;
    const original = await digests();
    const modelFile = path.join(test().dataDir, 'models', 'demo-model', 'model.json');
    const originalModel = await readFile(modelFile, 'utf8');
    const { backup } = await call('backups.create', { wait: true });

    await test().importRealFile('btc-usd-1d-yahoo.csv', 'BTCUSD');
    await call('settings.update', { theme: 'light' });
    await writeFile(modelFile, '{"changed":true}');
    const changed = await digests();
    expect(changed).not.toEqual(original);

    const { restore } = await call('backups.restore', { id: backup!.id, wait: true });
    expect(restore).toMatchObject({ from: backup!.id, database: test().core.storage.mode });
    expect(await digests()).toEqual(original);
    expect(await readFile(modelFile, 'utf8')).toBe(originalModel);
    expect((await call('settings.get', {})).theme).toBe('dark');
    // The same invoke answers from the restored database.
    expect((await call('bars.query', { symbol: 'BTCUSD', timeframe: '1d', from: 0, to: Date.UTC(2100, 0, 1) })).bars).toEqual([]);

    const listed = (await call('backups.list', {})).backups;
    expect(listed.map((b) => b.id)).toEqual(expect.arrayContaining([backup!.id, restore!.safetyBackupId]));
    expect(listed.find((b) => b.id === restore!.safetyBackupId)).toMatchObject({ kind: 'safety', status: 'verified' });
    const { runs } = await call('jobs.runs', { limit: 100 });
    expect(runs.filter((r) => r.status === 'running')).toEqual([]);
    expect(runs.find((r) => r.kind === 'restore')).toMatchObject({ status: 'succeeded' });
    // The backup's own run was going on inside the archive: settled with the reason, not as a crash.
    expect(runs.find((r) => r.kind === 'backup' && r.error === INTERRUPTED_BY_BACKUP)).toBeDefined();

    // Recorded where backups.status reads the last restore.
    expect(await test().core.storage.restores.latest()).toMatchObject({ ...restore, startedAt: expect.any(Number) });

    await call('backups.restore', { id: restore!.safetyBackupId!, wait: true });
    expect(await digests()).toEqual(changed);
    expect(await readFile(modelFile, 'utf8')).toBe('{"changed":true}');
    expect((await call('settings.get', {})).theme).toBe('light');
  }, 180_000);

  it('holds requests during the switch and answers them on the restored database', async () => {
    const call = test().call;
    const { backup } = await call('backups.create', { wait: true });
    const started = await call('backups.restore', { id: backup!.id });
    // One backup or restore at a time: the restore has only begun verifying.
    const conflict = await invokeFailure(test().core, 'backups.create', {});
    expect(conflict.code).toBe('CONFLICT');
    expect(conflict.message).toContain(started.runId);
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => new Promise((resolve) => setTimeout(resolve, i * 25)).then(() => test().core.invoke('instruments.list', {}))));
    expect(answers.filter((a) => !a.ok)).toEqual([]);
    for (let i = 0; i < 600; i++) {
      const run = (await call('jobs.runs', { limit: 50 })).runs.find((r) => r.id === started.runId);
      if (run && run.status !== 'running') {
        expect(run.status).toBe('succeeded');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the restore did not end');
  }, 180_000);

  it('refuses a damaged archive before anything changes, and takes no safety backup', async () => {
    const call = test().call;
    const { backup } = await call('backups.create', { wait: true });
    const before = await digests();
    const listed = (await call('backups.list', {})).backups.length;
    const bytes = await readFile(backup!.path);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
    await writeFile(backup!.path, bytes);
    const refused = await invokeFailure(test().core, 'backups.restore', { id: backup!.id, wait: true });
    expect(refused.code).toBe('CORRUPT');
    expect(refused.message).toMatch(/Nothing was restored/);
    expect(await digests()).toEqual(before);
    expect((await call('backups.list', {})).backups).toHaveLength(listed);
  }, 120_000);
}
