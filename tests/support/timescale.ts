/**
 * A real TimescaleDB server for one test file: Debian's PostgreSQL 15 with the extension
 * built by ../shared/tools/timescaledb/install.sh, started by its start-cluster.sh in a
 * temporary folder. Like postgres.ts, one server per file and a fresh database per suite.
 *
 *   describe.skipIf(!timescaleRunnable())('…', () => {
 *     const timescale = useTestTimescale();
 *     …
 *   });
 *
 * Without the extension the suite is skipped with a message locally; in CI (CI=true) it
 * is not skipped, and the server's start fails the file, because .ci/run installs it.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort, useTestServer, type RestartablePostgres } from './postgres';

const run = promisify(execFile);
const TOOLS_DIR = fileURLToPath(new URL('../../../shared/tools/timescaledb/', import.meta.url));
const PG_BIN = '/usr/lib/postgresql/15/bin';
/** The loader library install.sh puts beside PostgreSQL 15's own. */
const EXTENSION_LIBRARY = '/usr/lib/postgresql/15/lib/timescaledb.so';
const START_ATTEMPTS = 3;

export function timescaleInstalled(): boolean {
  return fs.existsSync(EXTENSION_LIBRARY) && fs.existsSync(path.join(PG_BIN, 'postgres'));
}

/** Whether a TimescaleDB suite should run: always in CI, where a missing extension must fail. */
export function timescaleRunnable(): boolean {
  if (timescaleInstalled() || process.env.CI === 'true') return true;
  console.warn(
    `TimescaleDB suites skipped: ${EXTENSION_LIBRARY} is missing. Install it with \`bash ../shared/tools/timescaledb/install.sh\` (as root).`,
  );
  return false;
}

/** Runs pg_ctl as the user owning the cluster (postgres, when the tests run as root). */
async function pgCtl(dir: string, action: string): Promise<void> {
  const command = `'${PG_BIN}/pg_ctl' -D '${dir}/data' ${action}`;
  if (process.getuid?.() === 0) await run('su', ['postgres', '-s', '/bin/bash', '-c', command]);
  else await run('bash', ['-c', command]);
}

function stopCluster(dir: string): Promise<void> {
  return pgCtl(dir, 'stop -m fast');
}

/** Starts a cluster in a fresh temporary folder; `stop` removes everything. For benches too. */
export async function startTestTimescale(): Promise<RestartablePostgres> {
  if (!timescaleInstalled()) {
    throw new Error(`TimescaleDB is not installed (${EXTENSION_LIBRARY} is missing): run \`bash ../shared/tools/timescaledb/install.sh\` as root.`);
  }
  let dir = '';
  let url = '';
  for (let attempt = 1; !url; attempt++) {
    // mkdtemp makes a 0700 folder; the script opens it to the postgres user.
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'metalytics-tsdb-'));
    fs.chmodSync(parent, 0o755);
    dir = path.join(parent, 'cluster');
    try {
      // Another process may take the free port between the probe and the start; try another.
      const { stdout } = await run('bash', [path.join(TOOLS_DIR, 'start-cluster.sh'), dir, String(await freePort())]);
      url = stdout.trim().split('\n').at(-1)!;
    } catch (error) {
      fs.rmSync(parent, { recursive: true, force: true });
      if (attempt >= START_ATTEMPTS) throw new Error('TimescaleDB test cluster did not start', { cause: error });
    }
  }
  let admin = new pg.Client({ connectionString: url });
  await admin.connect();
  // Test data is disposable: skip durability work, as postgres.ts does for embedded Postgres.
  for (const setting of ['fsync = off', 'synchronous_commit = off', 'full_page_writes = off']) await admin.query(`ALTER SYSTEM SET ${setting}`);
  await admin.query('SELECT pg_reload_conf()');
  let databases = 0;
  let running = true;
  let paused = false;
  return {
    async createDatabaseUrl() {
      if (!running) throw new Error('the test TimescaleDB is not running');
      const name = `metalytics_test_${++databases}`;
      await admin.query(`CREATE DATABASE ${name}`);
      return url.replace(/\/metalytics$/, `/${name}`);
    },
    async stop() {
      if (!running) return;
      running = false;
      try {
        await admin.end().catch(() => undefined);
        if (!paused) await stopCluster(dir);
      } finally {
        fs.rmSync(path.dirname(dir), { recursive: true, force: true });
      }
    },
    async pause() {
      await admin.end().catch(() => undefined);
      await stopCluster(dir);
      paused = true;
    },
    async resume() {
      await pgCtl(dir, `-l '${dir}/server.log' -w start`);
      paused = false;
      admin = new pg.Client({ connectionString: url });
      await admin.connect();
    },
  };
}

/** One TimescaleDB cluster for the test file, as `useTestPostgres` gives a Postgres. */
export function useTestTimescale(): RestartablePostgres {
  return useTestServer('TimescaleDB', startTestTimescale);
}
