import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MethodInput, MethodName, MethodOutput } from '../../src/shared/contract';
import type { Result } from '../../src/shared/errors';
import { CLI_BIN } from './cli-process';
import { realDataPath } from './real-data';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServeProcess {
  /** The URL the CLI printed, with the token in its hash. */
  url: string;
  /** The data folder the server runs on. */
  dataDir: string;
  origin: string;
  token: string;
  child: ChildProcess;
  /** Calls a contract method over the HTTP API with the token, as scripts do; throws the error's message. */
  call<M extends MethodName>(method: M, input?: MethodInput<M>): Promise<MethodOutput<M>>;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the real `metalytics serve` as a user would and waits for the line that gives its URL.
 * Without a data folder it runs on a fresh temporary one, removed again by `stop`. Its import
 * folder (METALYTICS_IMPORT_DIR) is the shared real-data folder, so tests import those files by
 * path as a script would; `extraEnv` may name another folder, or '' for none.
 */
export async function startServeProcess(existingDataDir?: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const dataDir = existingDataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'metalytics-serve-'));
  const removeOwnDataDir = () => {
    if (existingDataDir === undefined) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const child = spawn(process.execPath, [CLI_BIN, 'serve', '--port', '0', '--data-dir', dataDir], {
    cwd: repoRoot,
    env: { ...process.env, METALYTICS_TOKEN: '', METALYTICS_IMPORT_DIR: path.dirname(realDataPath('btcusdt-1h.csv')), ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`metalytics serve printed no URL within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`metalytics serve exited with ${code}:\n${output}`));
    });
  }).catch((error: unknown) => {
    removeOwnDataDir();
    throw error;
  });
  const parsed = new URL(url);
  const origin = parsed.origin;
  const token = parsed.hash.replace('#token=', '');
  return {
    url,
    dataDir,
    origin,
    token,
    child,
    call: async (method, input) => {
      const response = await fetch(`${origin}/api/${method}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(input ?? {}),
      });
      const reply = (await response.json()) as Result<never>;
      if (!reply.ok) throw new Error(`${method} failed: ${reply.error.code} ${reply.error.message}`);
      return reply.value;
    },
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      removeOwnDataDir();
    },
  };
}
