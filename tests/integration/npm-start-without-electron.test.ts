/**
 * `npm start` on a machine without the Electron binary ends with the [native] sentence that
 * says why and what to do, not electron-vite's "Electron uninstall" stack after it (issue 15).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from '../support/serve-process';

// With a ready Electron build of better-sqlite3 the script returns before looking for Electron.
const nativeCache = path.join(repoRoot, 'node_modules/.cache/metalytics-native');

it.skipIf(fs.existsSync(nativeCache))('npm start without the Electron binary ends with the [native] message', async () => {
  const emptyDist = fs.mkdtempSync(path.join(os.tmpdir(), 'metalytics-no-electron-'));
  try {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      // An empty override folder stands for a machine where the binary was never downloaded.
      const npm = spawn('npm', ['start'], {
        cwd: repoRoot,
        env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', ELECTRON_OVERRIDE_DIST_PATH: emptyDist },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      npm.once('error', reject);
      npm.once('close', (exitCode) => resolve({ code: exitCode, output }));
    });
    const lines = output.trim().split('\n');
    expect(code).not.toBe(0);
    expect(output).not.toContain('Electron uninstall');
    expect(lines.at(-1)).toMatch(/^\[native\] With network access, run `npx install-electron`/);
  } finally {
    fs.rmSync(emptyDist, { recursive: true, force: true });
  }
});
