import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openStorage } from '../../src/core/storage/open-storage';
import { createPool } from '../../src/core/storage/pg-connection';
import { pgExecutor, type SqlExecutor } from '../../src/core/storage/sql-executor';
import type { Storage } from '../../src/core/storage/types';
import { silentLogger } from '../support/silent-logger';
import { freePort, TEST_POSTGRES_PASSWORD, useTestPostgres } from '../support/postgres';
import { describeStorageContract } from './storage-contract';

const postgres = useTestPostgres();

describeStorageContract(
  'Postgres',
  async () => {
    const databaseUrl = await postgres.createDatabaseUrl();
    const raw = new pg.Client({ connectionString: databaseUrl });
    await raw.connect();
    return {
      open: (options) => openStorage({ dataDir: '/nonexistent', databaseUrl, logger: silentLogger(), ...options }),
      sql: async (text, params = []) => {
        let n = 0;
        return (await raw.query(text.replace(/\?/g, () => `$${++n}`), [...params])).rows as Record<string, unknown>[];
      },
      dispose: () => raw.end(),
    };
  },
  {
    mode: 'postgres',
    migrationsDialect: 'pg',
    location: /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/metalytics_test_\d+$/,
    password: TEST_POSTGRES_PASSWORD,
  },
);

describe('Postgres executor transactions', () => {
  let pool: pg.Pool;
  let sql: SqlExecutor;

  beforeAll(async () => {
    const databaseUrl = await postgres.createDatabaseUrl();
    pool = await createPool(databaseUrl, silentLogger(), 'test');
    sql = pgExecutor(pool);
    await sql.execute('CREATE TABLE t (name text NOT NULL)');
  });
  afterAll(() => pool.end());

  it('refuses a transaction inside a transaction, rolling the outer one back', async () => {
    const work = sql.transaction(async (tx) => {
      await tx.execute("INSERT INTO t (name) VALUES ('outer')");
      await tx.transaction(async () => undefined);
    });
    await expect(work).rejects.toThrow(/already open/);
    expect(await sql.query('SELECT name FROM t')).toEqual([]);
  });

  it('runs the work on one connection of its own and gives it back', async () => {
    const [inside] = await sql.transaction(async (tx) => {
      await tx.execute("INSERT INTO t (name) VALUES ('mine')");
      return tx.query("SELECT count(*) AS n FROM t");
    });
    expect(Number(inside!.n)).toBe(1);
    expect(pool.idleCount).toBe(pool.totalCount);
  });

  it('discards a connection that died inside the transaction, and keeps working', async () => {
    const work = sql.transaction((tx) => tx.query('SELECT pg_terminate_backend(pg_backend_pid())'));
    await expect(work).rejects.toThrow();
    expect(await sql.query("SELECT count(*) AS n FROM t WHERE name = 'mine'")).toEqual([{ n: 1 }]);
  });
});

// Runs after the shared suite: the last test stops the file's server.
describe('Postgres that is unreachable or goes away', () => {
  const logger = silentLogger();
  let storage: Storage;
  let databaseUrl: string;

  beforeAll(async () => {
    databaseUrl = await postgres.createDatabaseUrl();
    storage = await openStorage({ dataDir: '/nonexistent', databaseUrl, logger });
  });
  afterAll(() => storage.close());

  it('refuses to open an address nobody listens on, without showing the password', async () => {
    const port = await freePort();
    const opening = openStorage({ dataDir: '/nonexistent', databaseUrl: `postgres://postgres:${TEST_POSTGRES_PASSWORD}@127.0.0.1:${port}/db`, logger });
    await expect(opening).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(opening).rejects.not.toThrow(TEST_POSTGRES_PASSWORD);
  });

  it('refuses a wrong password with a sentence about the settings', async () => {
    const wrong = databaseUrl.replace(TEST_POSTGRES_PASSWORD, 'not-the-password');
    await expect(openStorage({ dataDir: '/nonexistent', databaseUrl: wrong, logger })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringMatching(/password/),
    });
  });

  it('rejects an address that is not a postgres URL', async () => {
    await expect(openStorage({ dataDir: '/nonexistent', databaseUrl: 'mysql://u:secret@h/db', logger })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });

  it('carries on when the server drops its idle connections', async () => {
    await Promise.all([storage.marketData.countBars(), storage.instruments.list()]);
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    let terminated = 0;
    try {
      const { rows } = await admin.query(
        "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'metalytics' AND pid <> pg_backend_pid()",
      );
      terminated = rows.length;
    } finally {
      await admin.end();
    }
    expect(terminated).toBeGreaterThan(0);
    const lost = () => logger.warnings.filter((w) => /idle Postgres connection/.test(w.message)).length;
    await vi.waitFor(() => expect(lost()).toBe(terminated));
    expect(await storage.marketData.countBars()).toBe(0);
    expect(await storage.ping()).toBe(true);
  });

  it('answers UNAVAILABLE from every method once the server is gone, and ping is false', async () => {
    await storage.instruments.list();
    await postgres.stop();

    expect(await storage.ping()).toBe(false);
    const bar = { time: 0, open: 1, high: 1, low: 1, close: 1, volume: 1 };
    const calls: [string, () => Promise<unknown>][] = [
      ['instruments.list', () => storage.instruments.list()],
      ['instruments.get', () => storage.instruments.get('XAUUSD')],
      ['instruments.seed', () => storage.instruments.seed([{ symbol: 'X', name: 'X', kind: 'spot', unit: 'u', currency: 'USD', providerSymbols: {} }])],
      ['marketData.upsertBars', () => storage.marketData.upsertBars({ symbol: 'X', timeframe: '1m', source: 's', bars: [bar] })],
      ['marketData.queryBars', () => storage.marketData.queryBars({ symbol: 'X', timeframe: '1d', limit: 10 })],
      ['marketData.coverage', () => storage.marketData.coverage()],
      ['marketData.countBars', () => storage.marketData.countBars()],
      ['jobRuns.start', () => storage.jobRuns.start({ id: 'j', kind: 'import', description: 'd', startedAt: 1, owner: 'o' })],
      ['jobRuns.finish', () => storage.jobRuns.finish('j', { status: 'failed', finishedAt: 2, rows: 0, error: null })],
      ['jobRuns.list', () => storage.jobRuns.list({ limit: 5 })],
      ['jobRuns.get', () => storage.jobRuns.get('j')],
      ['jobRuns.heartbeat', () => storage.jobRuns.heartbeat('o', 2)],
      ['jobRuns.failInterrupted', () => storage.jobRuns.failInterrupted({ now: 3, staleBefore: 2, exceptOwner: 'o' })],
      ['ingestJobs.list', () => storage.ingestJobs.list()],
      ['alerts.countUnacknowledged', () => storage.alerts.countUnacknowledged()],
      ['spotPrices.insert', () => storage.spotPrices.insert({ metal: 'XAUUSD', price: 1, timestamp: 1, source: 's' })],
      ['news.latestPublishedAt', () => storage.news.latestPublishedAt('polygon')],
      ['auditLog.record', () => storage.auditLog.record({ at: 1, actor: 'a', action: 'b' })],
      ['instruments.create', () => storage.instruments.create({ symbol: 'X', name: 'X', kind: 'spot', unit: 'u', currency: 'USD', providerSymbols: {} })],
      ['transaction', () => storage.transaction((tx) => tx.auditLog.record({ at: 1, actor: 'a', action: 'b' }))],
    ];
    for (const [name, call] of calls) {
      const error = await call().then(
        () => new Error(`${name} resolved`),
        (e: unknown) => e,
      );
      expect(error, name).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/cannot be reached/) });
      expect(String((error as Error).message), name).not.toContain(TEST_POSTGRES_PASSWORD);
    }
  });
});
