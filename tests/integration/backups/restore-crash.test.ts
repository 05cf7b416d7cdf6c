/**
 * The CLI's `restore`, and crash safety: `metalytics backup` and `metalytics restore` are
 * SIGKILLed at random points against a real SQLite data folder; afterwards the workspace opens
 * with the data as it was before (or, for a restore killed after its switch, as restored: never
 * anything else), no partial archive or staging leftover remains, and no backup is listed running.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspaceDigests } from '../../support/restore-switch-checks';
import { createCore } from '../../../src/core/create-core';
import { CLI_BIN as BIN } from '../../support/cli-process';
import { testPorts, type TestCore } from '../../support/test-core';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const data = (file: string) => path.resolve(repoRoot, '../shared/data', file);

let workDir: string;
let dataDir: string;

function cliEnv(folder: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('METALYTICS_') && name !== 'PORT'));
  return { ...env, METALYTICS_DATA_DIR: folder };
}

/** Runs `metalytics`; with `killAfterMs` it is SIGKILLed then, if still running. */
function runCli(args: string[], options: { folder?: string; killAfterMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: workDir, env: cliEnv(options.folder ?? dataDir), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const timer = options.killAfterMs === undefined ? undefined : setTimeout(() => (killed = child.kill('SIGKILL')), options.killAfterMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, killed });
    });
  });
}

/** Opens the workspace in this process as the app would at start (clean-up included) and reads it. */
async function openAndRead(folder: string) {
  const core = await createCore(testPorts(folder), { validateOutput: true });
  try {
    const view = { dataDir: folder } as TestCore;
    const listed = await core.invoke('backups.list', {});
    if (!listed.ok) throw new Error(listed.error.message);
    return { digests: await workspaceDigests(view), backups: (listed.value as { backups: { status: string; path: string }[] }).backups };
  } finally {
    await core.close();
  }
}

async function leftovers(folder: string): Promise<string[]> {
  const names = [...(await readdir(folder)), ...(await readdir(path.join(folder, 'backups')).catch(() => []))];
  return names.filter((name) => name.startsWith('.'));
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'metalytics-crash-'));
  dataDir = path.join(workDir, 'data');
});
afterAll(() => rm(workDir, { recursive: true, force: true }));

describe('metalytics restore and crash safety on SQLite', () => {
  let archive: string;
  let backedUp: Awaited<ReturnType<typeof workspaceDigests>>;
  let changed: Awaited<ReturnType<typeof workspaceDigests>>;

  beforeAll(async () => {
    expect((await runCli(['import', data('xauusd-1d-mt4.csv'), '--symbol', 'XAUUSD'])).code).toBe(0);
    const backup = await runCli(['backup', '--json']);
    expect(backup.code).toBe(0);
    archive = (JSON.parse(backup.stdout) as { path: string }).path;
    backedUp = (await openAndRead(dataDir)).digests;
    expect((await runCli(['import', data('btc-usd-1d-yahoo.csv'), '--symbol', 'BTCUSD'])).code).toBe(0);
    changed = (await openAndRead(dataDir)).digests;
  }, 180_000);

  it('refuses to restore without a terminal to ask on and without --yes, changing nothing', async () => {
    const run = await runCli(['restore', archive]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n').at(-1)).toMatch(/--yes/);
    expect((await openAndRead(dataDir)).digests).toEqual(changed);
  }, 120_000);

  it('restores into an empty install (a new machine) and prints the preview and the undo', async () => {
    const fresh = path.join(workDir, 'fresh');
    const run = await runCli(['restore', archive, '--yes'], { folder: fresh });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/safety backup/);
    expect(run.stdout).toMatch(/Restored/);
    expect((await openAndRead(fresh)).digests).toEqual(backedUp);
  }, 180_000);

  it('survives SIGKILL at random points of a backup: the data unchanged, nothing partial listed', async () => {
    for (let round = 0; round < 4; round++) {
      const before = await openAndRead(dataDir);
      const run = await runCli(['backup'], { killAfterMs: 1500 + Math.random() * 5000 });
      const after = await openAndRead(dataDir);
      expect(after.digests, `round ${round} (killed: ${run.killed})`).toEqual(before.digests);
      expect(after.backups.filter((b) => b.status === 'running')).toEqual([]);
      expect(await leftovers(dataDir)).toEqual([]);
    }
  }, 400_000);

  it('survives SIGKILL at random points of a restore: the data as before or as restored, never anything else', async () => {
    for (let round = 0; round < 4; round++) {
      const states = [JSON.stringify(backedUp), JSON.stringify((await openAndRead(dataDir)).digests)];
      const run = await runCli(['restore', archive, '--yes'], { killAfterMs: 1500 + Math.random() * 9000 });
      const after = await openAndRead(dataDir);
      expect(states, `round ${round} (killed: ${run.killed})`).toContain(JSON.stringify(after.digests));
      expect(after.backups.filter((b) => b.status === 'running')).toEqual([]);
      expect(await leftovers(dataDir)).toEqual([]);
    }
  }, 600_000);
});
