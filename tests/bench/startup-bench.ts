/**
 * Start-up and first-load figures (issue 15): `metalytics --help` and `serve` until it prints
 * its URL on an empty SQLite workspace, each beside `node -e 0` measured in the same rounds
 * (the three take turns, so a machine whose load changes weighs on all alike); and the
 * JavaScript the browser must fetch before the first screen paints, from the built
 * out/renderer/index.html (its entry script and the modules it preloads).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { CLI_BIN, cliEnv } from '../support/cli-process';
import { repoRoot } from '../support/serve-process';
import { median, percentile } from './stats';

const ROUNDS = Number(process.env.METALYTICS_BENCH_STARTUP_ROUNDS ?? 15);
const HELP_GOAL_MS = 300;
const SERVE_GOAL_MS = 500;
const FIRST_LOAD_GOAL_KB = 600;

function timeSync(args: string[]): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${run.status}`);
  return performance.now() - started;
}

/** Milliseconds from spawning `metalytics serve` on a fresh data folder to the line with its URL. */
async function serveReadyMs(): Promise<number> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'metalytics-bench-serve-'));
  try {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI_BIN, 'serve', '--port', '0'], { env: cliEnv(dataDir), stdio: ['ignore', 'pipe', 'pipe'] });
    const ready = await new Promise<number>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('#token=')) resolve(performance.now() - started);
      });
      child.once('exit', (code) => reject(new Error(`metalytics serve exited with ${code} before it was ready`)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    return ready;
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function benchStartup(): Promise<Record<string, string | number>[]> {
  const node: number[] = [];
  const help: number[] = [];
  const serve: number[] = [];
  for (let round = 0; round < ROUNDS + 1; round++) {
    const times = [timeSync(['-e', '0']), timeSync([CLI_BIN, '--help']), await serveReadyMs()];
    // The first round warms the file cache (and Node's compile cache where it has one).
    if (round === 0) continue;
    node.push(times[0]!);
    help.push(times[1]!);
    serve.push(times[2]!);
  }
  const nodeMs = median(node);
  const row = (what: string, samples: number[], goalMs: number) => ({
    figure: 'startup',
    what,
    rounds: ROUNDS,
    p50ms: median(samples).toFixed(0),
    p95ms: percentile([...samples].sort((a, b) => a - b), 95).toFixed(0),
    'node -e 0 p50ms': nodeMs.toFixed(0),
    ratio: (median(samples) / nodeMs).toFixed(1),
    goal: `≤ ${goalMs} ms`,
  });
  return [row('metalytics --help', help, HELP_GOAL_MS), row('serve ready, empty SQLite', serve, SERVE_GOAL_MS)];
}

/** The renderer's first-load JavaScript and the screens' chunks that load on first use, from the build. */
export function benchRendererBundle(): Record<string, string | number> {
  const rendererDir = path.join(repoRoot, 'out/renderer');
  const html = fs.readFileSync(path.join(rendererDir, 'index.html'), 'utf8');
  const firstLoad = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="\.\/([^"]+\.js)"/g)].map((match) => match[1]!);
  if (firstLoad.length === 0) throw new Error('out/renderer/index.html names no script: build the renderer first.');
  const assets = fs.readdirSync(path.join(rendererDir, 'assets')).filter((file) => file.endsWith('.js'));
  const bytes = (file: string) => fs.readFileSync(path.join(rendererDir, file));
  const kb = (size: number) => (size / 1024).toFixed(0);
  const firstBytes = firstLoad.map(bytes);
  const lazy = assets.filter((file) => !firstLoad.includes(`assets/${file}`));
  return {
    figure: 'renderer-bundle',
    firstLoadFiles: firstLoad.length,
    firstLoadKB: kb(firstBytes.reduce((sum, file) => sum + file.length, 0)),
    firstLoadGzipKB: kb(firstBytes.reduce((sum, file) => sum + gzipSync(file).length, 0)),
    onFirstUseChunks: lazy.length,
    onFirstUseKB: kb(lazy.reduce((sum, file) => sum + bytes(`assets/${file}`).length, 0)),
    goal: `first load ≤ ${FIRST_LOAD_GOAL_KB} KB`,
  };
}
