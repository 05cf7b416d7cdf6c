import type { Logger } from '../ports';
import { isConnectionError } from './pg-connection';

/** Runs one SQL statement on a single connection and returns its rows. */
export type RunSql = (text: string) => Promise<unknown[]>;

/** One week of epoch ms per chunk: a year of minute bars is ~10k rows a chunk per symbol. */
const CHUNK_INTERVAL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Turns `market_data` into a TimescaleDB hypertable when the server offers the extension,
 * and reports the mode the database is in. Any failure (the extension is listed but not
 * preloaded, the role may not create extensions, an old TimescaleDB without `by_range`)
 * rolls back and leaves plain Postgres, which answers every query the same way.
 * Call it on one connection, after migrations, under the migration lock.
 */
export async function setUpTimescale(run: RunSql, logger: Logger): Promise<'timescaledb' | 'postgres'> {
  const available = await run(`SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'`);
  if (available.length === 0) return 'postgres';

  await run('BEGIN');
  try {
    await run('CREATE EXTENSION IF NOT EXISTS timescaledb');
    // Retention and continuous-aggregate policies ask this function how old a chunk is,
    // since `time` is epoch ms rather than a timestamp. STABLE: evaluated per query.
    await run(
      `CREATE OR REPLACE FUNCTION metalytics_now_ms() RETURNS bigint LANGUAGE sql STABLE
       AS $$ SELECT (extract(epoch FROM now()) * 1000)::bigint $$`,
    );
    await run(
      `SELECT create_hypertable('market_data', by_range('time', ${CHUNK_INTERVAL_MS}::bigint), if_not_exists => TRUE, migrate_data => TRUE)`,
    );
    await run(`SELECT set_integer_now_func('market_data', 'metalytics_now_ms', replace_if_exists => TRUE)`);
    await run('COMMIT');
    return 'timescaledb';
  } catch (error) {
    await run('ROLLBACK').catch(() => undefined);
    if (isConnectionError(error)) throw error;
    logger.warn('TimescaleDB is installed on the server but could not be enabled; continuing on plain Postgres', {
      error: error instanceof Error ? error.message : String(error),
    });
    return 'postgres';
  }
}
