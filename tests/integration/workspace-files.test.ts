import fs from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStorage } from '../../src/core/storage/sqlite-storage';
import { createHeadlessSettingsStore } from '../../src/server/headless-ports';
import { silentLogger } from '../support/silent-logger';

/** Issue 16: metalytics.db and settings.json were created 0644; a zero-length database was silently a new workspace. */
describe('workspace files', () => {
  let dataDir: string;
  let umask: number;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'metalytics-files-'));
    // The usual desktop umask, under which files were created world-readable.
    umask = process.umask(0o022);
  });

  afterEach(async () => {
    process.umask(umask);
    await rm(dataDir, { recursive: true, force: true });
  });

  const modeOf = async (file: string) => (await stat(file)).mode & 0o777;

  it.skipIf(process.platform === 'win32')('creates metalytics.db and its log 0600, and narrows an existing world-readable one', async () => {
    const file = path.join(dataDir, 'metalytics.db');
    const storage = await openSqliteStorage(file, silentLogger());
    expect(await modeOf(file)).toBe(0o600);
    expect(await modeOf(`${file}-wal`)).toBe(0o600);
    await storage.close();

    fs.chmodSync(file, 0o644);
    await (await openSqliteStorage(file, silentLogger())).close();
    expect(await modeOf(file)).toBe(0o600);
  });

  it.skipIf(process.platform === 'win32')('writes settings.json 0600', async () => {
    const settings = createHeadlessSettingsStore({ dataDir, logger: silentLogger() });
    await settings.write({ theme: 'dark' });
    expect(await modeOf(path.join(dataDir, 'settings.json'))).toBe(0o600);
  });

  it('reports a zero-length database file instead of starting an empty workspace in it', async () => {
    const file = path.join(dataDir, 'metalytics.db');
    await writeFile(file, '');
    await expect(openSqliteStorage(file, silentLogger())).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/empty \(0 bytes\).*backup/) });
    expect((await stat(file)).size).toBe(0);
  });
});
