import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type pg from 'pg';
import type { Logger } from '../ports';
import { migrationsFolder, migrationTag } from './migrations';
import { createPool, inTransaction, mappingErrors, redactDatabaseUrl, toStorageError, withClient } from './pg-connection';
import { PgMarketData } from './pg-market-data';
import { sqlRepositories } from './repositories';
import { pgExecutor } from './sql-executor';
import { setUpTimescale } from './timescale';
import type { Storage } from './types';

/** Serialises start-up schema work when several desktops share one server. */
const MIGRATION_LOCK_KEY = 7_262_017_001;

/** Migrations, then TimescaleDB, on one connection holding the migration lock. */
async function prepareSchema(pool: pg.Pool, logger: Logger, migrationsDir: string | undefined): Promise<{ schemaVersion: string; mode: Storage['mode'] }> {
  const folder = migrationsFolder('pg', migrationsDir);
  return withClient(pool, async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle({ client }), { migrationsFolder: folder });
      const { rows } = await client.query<{ created_at: number }>(
        'SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1',
      );
      const mode = await setUpTimescale(async (text) => (await client.query(text)).rows, logger);
      return { schemaVersion: migrationTag(folder, rows[0] === undefined ? undefined : Number(rows[0].created_at)), mode };
    } finally {
      // The lock also ends with the session, so a failed unlock on a dead connection is harmless.
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  });
}

/**
 * Connects to Postgres at `url`, brings its schema up to date (with the migrations in
 * `migrationsDir` when given) and reports plain Postgres or TimescaleDB.
 */
export async function openPostgresStorage(url: string, logger: Logger, { migrationsDir }: { migrationsDir?: string } = {}): Promise<Storage> {
  const location = redactDatabaseUrl(url);
  const pool = createPool(url, logger, location);
  let prepared: { schemaVersion: string; mode: Storage['mode'] };
  try {
    prepared = await prepareSchema(pool, logger, migrationsDir);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw toStorageError(error);
  }
  logger.info('opened Postgres database', { location, ...prepared });

  let closed = false;
  return {
    mode: prepared.mode,
    location,
    schemaVersion: prepared.schemaVersion,
    marketData: mappingErrors(new PgMarketData(pool, Date.now)),
    ...sqlRepositories(pgExecutor(pool), mappingErrors),
    snapshot: {
      dialect: 'postgres',
      // SET TRANSACTION must be the transaction's first statement: every read after it sees one snapshot.
      read: (work) =>
        inTransaction(pool, async (client) => {
          await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
          return work(async (text) => (await client.query<Record<string, unknown>>(text)).rows);
        }),
    },
    // The server guards its own files; a damaged table reaches callers as a query error.
    problem: () => null,
    ping: async () => {
      try {
        await pool.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
