/** Runs `metalytics` in a child process as a user would, from a folder with no .env. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The newest modification time under `dir`, in milliseconds. */
function newestChange(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * bin/metalytics.js, which runs the CLI compiled into out/. A test of stale compiled code would
 * pass or fail for the wrong reason, so a build older than src/ stops the test file here.
 */
function compiledCliBin(): string {
  const compiled = path.join(repoRoot, 'out/main/cli.js');
  const built = fs.existsSync(compiled) ? fs.statSync(compiled).mtimeMs : 0;
  const changed = Math.max(newestChange(path.join(repoRoot, 'src')), fs.statSync(path.join(repoRoot, 'electron.vite.config.ts')).mtimeMs);
  if (built < changed) {
    throw new Error(`The compiled CLI in out/ is ${built ? 'older than src/' : 'missing'}: run \`npx electron-vite build\` (npm test builds it first).`);
  }
  return path.join(repoRoot, 'bin/metalytics.js');
}

export const CLI_BIN = compiledCliBin();

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI's environment: this machine's, minus any Metalytics settings a developer has exported, with `dataDir` as the data folder. */
export function cliEnv(dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('METALYTICS_') && name !== 'PORT'));
  return { ...env, METALYTICS_DATA_DIR: dataDir, ...extra };
}

/** Runs the CLI in `cwd` and waits for it to exit. */
export function runCliIn(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
