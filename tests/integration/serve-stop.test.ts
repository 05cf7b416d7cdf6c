/**
 * A plain `kill` of the process that started the server stops the whole server: `metalytics
 * serve` is one process with no wrapper children, and `npm run serve` leaves nothing listening
 * behind npm's shell (issue 15).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_BIN, cliEnv } from '../support/cli-process';
import { repoRoot } from '../support/serve-process';
import { waitFor } from '../support/team-offline';

/** Every process whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => {
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
        // The command name in parentheses may hold spaces; the parent pid is the second field after it.
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return ppid === pid ? [Number(entry)] : [];
      } catch {
        return [];
      }
    });
}

function descendantsOf(pid: number): number[] {
  return childrenOf(pid).flatMap((child) => [child, ...descendantsOf(child)]);
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const refusesConnections = async (origin: string) => {
  try {
    await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return false;
  } catch {
    return true;
  }
};

/** Starts `command args` and resolves with the origin from the URL line the server prints. */
function startAndReadOrigin(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+)\/#token=/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}:\n${output}`)));
  });
}

describe.skipIf(!fs.existsSync('/proc/self/stat'))('stopping serve with a plain kill', () => {
  const started: number[] = [];
  const dataDirs: string[] = [];
  const freshDataDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metalytics-serve-stop-'));
    dataDirs.push(dir);
    return dir;
  };

  afterEach(() => {
    // A failed expectation must not leave a server running on the machine.
    for (const pid of started.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    for (const dir of dataDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('metalytics serve is one process, and SIGTERM to it closes its port', async () => {
    const dataDir = freshDataDir();
    const child = spawn(process.execPath, [CLI_BIN, 'serve', '--port', '0'], { env: cliEnv(dataDir), stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child.pid!);
    const origin = await startAndReadOrigin(child);
    expect(childrenOf(child.pid!)).toEqual([]);

    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    process.kill(child.pid!, 'SIGTERM');
    expect(await exited).toBe(0);
    expect(await refusesConnections(origin)).toBe(true);
  });

  it('killing npm run serve stops the server it started', async () => {
    const dataDir = freshDataDir();
    // --ignore-scripts skips the preserve build (the test runs on the build already there), not the script itself.
    const npm = spawn('npm', ['run', 'serve', '--ignore-scripts', '--', '--port', '0'], {
      cwd: repoRoot,
      env: cliEnv(dataDir),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(npm.pid!);
    const origin = await startAndReadOrigin(npm);
    const tree = descendantsOf(npm.pid!);
    started.push(...tree);
    expect(tree.length).toBeGreaterThan(0);

    process.kill(npm.pid!, 'SIGTERM');
    await waitFor('every process npm started to exit', async () => tree.every((pid) => !isAlive(pid)), 15_000);
    expect(await refusesConnections(origin)).toBe(true);
  });
});
