import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type pg from 'pg';
import type { Logger } from '../ports';
import { migrationsFolder, migrationTag } from './migrations';
import { createPool, inTransaction, mappingErrors, redactDatabaseUrl, requireSchemaName, toStorageError, withClient } from './pg-connection';
import { PgMarketData } from './pg-market-data';
import { sqlRepositories } from './repositories';
import { pgExecutor } from './sql-executor';
import { setUpTimescale } from './timescale';
import type { Storage } from './types';

/** Serialises start-up schema work when several desktops share one server. */
const MIGRATION_LOCK_KEY = 7_262_017_001;

/**
 * The generated migrations name `public` in foreign keys and views; inside another schema
 * they must name that one, or its tables would point at the live ones. A rewritten copy in
 * a temporary folder, removed by `cleanup`.
 */
function migrationsForSchema(folder: string, schema: string): { folder: string; cleanup: () => void } {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'metalytics-migrations-'));
  fs.cpSync(folder, copy, { recursive: true });
  for (const name of fs.readdirSync(copy).filter((file) => file.endsWith('.sql'))) {
    const file = path.join(copy, name);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replaceAll('"public".', `"${schema}".`));
  }
  return { folder: copy, cleanup: () => fs.rmSync(copy, { recursive: true, force: true }) };
}

/** Migrations, then TimescaleDB, on one connection holding the migration lock. */
async function prepareSchema(
  pool: pg.Pool,
  logger: Logger,
  migrationsDir: string | undefined,
  schema: string | undefined,
): Promise<{ schemaVersion: string; mode: Storage['mode'] }> {
  const folder = migrationsFolder('pg', migrationsDir);
  // Inside a schema of its own the migration record lives there too, so each schema knows its own version.
  const migrationsSchema = schema ?? 'drizzle';
  const rewritten = schema === undefined ? null : migrationsForSchema(folder, schema);
  try {
    return await withClient(pool, async (client) => {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      try {
        await migrate(drizzle({ client }), { migrationsFolder: rewritten?.folder ?? folder, migrationsSchema });
        const { rows } = await client.query<{ created_at: number }>(
          `SELECT created_at FROM "${migrationsSchema}".__drizzle_migrations ORDER BY created_at DESC LIMIT 1`,
        );
        const mode = await setUpTimescale(async (text) => (await client.query(text)).rows, logger, {
          extensionSchema: schema === undefined ? undefined : 'public',
          compressionPolicy: schema === undefined,
        });
        return { schemaVersion: migrationTag(folder, rows[0] === undefined ? undefined : Number(rows[0].created_at)), mode };
      } finally {
        // The lock also ends with the session, so a failed unlock on a dead connection is harmless.
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      }
    });
  } finally {
    rewritten?.cleanup();
  }
}

/**
 * Connects to Postgres at `url`, brings its schema up to date (with the migrations in
 * `migrationsDir` when given) and reports plain Postgres or TimescaleDB. With `schema`, every
 * table lives in that schema of the database (created if missing; a restore builds one there)
 * and `public` stays on the search path for the extensions installed in it.
 */
export async function openPostgresStorage(
  url: string,
  logger: Logger,
  { migrationsDir, schema }: { migrationsDir?: string; schema?: string } = {},
): Promise<Storage> {
  const location = redactDatabaseUrl(url);
  const pool = await createPool(url, logger, location, schema === undefined ? undefined : requireSchemaName(schema));
  let prepared: { schemaVersion: string; mode: Storage['mode'] };
  try {
    if (schema !== undefined) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    prepared = await prepareSchema(pool, logger, migrationsDir, schema);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw toStorageError(error);
  }
  logger.info('opened Postgres database', { location, schema, ...prepared });

  let closed = false;
  const sql = pgExecutor(pool);
  return {
    mode: prepared.mode,
    location,
    schemaVersion: prepared.schemaVersion,
    marketData: mappingErrors(new PgMarketData(pool, Date.now)),
    ...sqlRepositories(sql, mappingErrors),
    sql: mappingErrors(sql),
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
