import type { Logger } from '../ports';
import { isConnectionError } from './pg-connection';

/** Runs one SQL statement on a single connection and returns its rows. */
export type RunSql = (text: string) => Promise<unknown[]>;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * One year of epoch ms per chunk. Every chunk a query's time range touches is planned,
 * and `market_data` mixes 1m series with daily and monthly ones reaching back to 1833, so
 * the chunk count, not the row count, decides query time: with 7-day chunks 21 years of
 * daily bars were 1,098 chunks and 1-2 s per chart, and 30-day chunks still plan 257
 * chunks for a monthly series since 1833. A year holds 525,600 minute bars per series,
 * small enough to compress and drop a year at a time (README, "Database").
 */
export const CHUNK_INTERVAL_MS = 365 * DAY_MS;

/** Chunks whose whole year ended this long ago are compressed: late repairs of last month stay cheap. */
export const COMPRESS_AFTER_MS = 30 * DAY_MS;

/**
 * Compression merges yearly chunks into chunks of up to ten years. Compressed history is
 * read, rarely written, and each compressed chunk costs planning and a scan start of its
 * own: a daily series' whole history read 2x slower than plain Postgres over 22 compressed
 * yearly chunks.
 */
export const COMPRESSED_CHUNK_INTERVAL_MS = 10 * CHUNK_INTERVAL_MS;

/**
 * Turns `market_data` into a TimescaleDB hypertable with compression when the server
 * offers the extension, and reports the mode the database is in. Any failure (the
 * extension is listed but not preloaded, the role may not create extensions, an old
 * TimescaleDB without `by_range`) rolls back and leaves plain Postgres, which answers
 * every query the same way. A hypertable made with an earlier chunk interval is rebuilt
 * in the current layout. Call it on one connection, after migrations, under the
 * migration lock.
 */
export async function setUpTimescale(
  run: RunSql,
  logger: Logger,
  {
    extensionSchema,
    compressionPolicy = true,
  }: {
    extensionSchema?: string;
    /**
     * False for a restore's staging schema: it lives only until the switch, and a policy job
     * compressing its chunks while rows are loaded and digested deadlocks with them.
     */
    compressionPolicy?: boolean;
  } = {},
): Promise<'timescaledb' | 'postgres'> {
  const available = await run(`SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'`);
  if (available.length === 0) return 'postgres';

  let interval: number | undefined;
  await run('BEGIN');
  try {
    // A database's one copy of the extension: in a restore's schema it would be dropped with that schema.
    await run(`CREATE EXTENSION IF NOT EXISTS timescaledb${extensionSchema === undefined ? '' : ` SCHEMA ${extensionSchema}`}`);
    // Retention and compression policies ask this function how old a chunk is, since
    // `time` is epoch ms rather than a timestamp. STABLE: evaluated per query.
    await run(
      `CREATE OR REPLACE FUNCTION metalytics_now_ms() RETURNS bigint LANGUAGE sql STABLE
       AS $$ SELECT (extract(epoch FROM now()) * 1000)::bigint $$`,
    );
    interval = await chunkInterval(run);
    if (interval === undefined) await makeHypertable(run, logger, 'market_data', true, compressionPolicy);
    await run('COMMIT');
  } catch (error) {
    await run('ROLLBACK').catch(() => undefined);
    if (isConnectionError(error)) throw error;
    logger.warn('TimescaleDB is installed on the server but could not be enabled; continuing on plain Postgres', {
      error: error instanceof Error ? error.message : String(error),
    });
    return 'postgres';
  }
  if (interval !== undefined && interval !== CHUNK_INTERVAL_MS) await relayout(run, logger, interval);
  return 'timescaledb';
}

async function chunkInterval(run: RunSql): Promise<number | undefined> {
  const [row] = (await run(
    `SELECT integer_interval FROM timescaledb_information.dimensions
     WHERE hypertable_schema = current_schema() AND hypertable_name = 'market_data' AND column_name = 'time'`,
  )) as { integer_interval: string | number | null }[];
  return row === undefined ? undefined : Number(row.integer_interval);
}

/**
 * The layout on `table`: yearly chunks, no extra index on time alone (every query leads
 * with symbol and timeframe, so the primary key serves them and a second index only
 * slows writes), compressed per series in time order.
 */
async function makeHypertable(run: RunSql, logger: Logger, table: string, migrateData: boolean, compressionPolicy = true): Promise<void> {
  await run(
    `SELECT create_hypertable('${table}', by_range('time', ${CHUNK_INTERVAL_MS}::bigint), create_default_indexes => FALSE, migrate_data => ${migrateData ? 'TRUE' : 'FALSE'})`,
  );
  await run(`SELECT set_integer_now_func('${table}', 'metalytics_now_ms')`);
  // TimescaleDB reads compress_chunk_time_interval as an interval and keeps microseconds,
  // for an integer time column too: N ms of `time` are written as N / 10^6 seconds.
  // Compression is in TimescaleDB's community edition; an Apache-only build (some managed
  // services) still gets the hypertable, uncompressed.
  await run('SAVEPOINT compression');
  try {
    await run(
      `ALTER TABLE ${table} SET (timescaledb.compress, timescaledb.compress_segmentby = 'symbol, timeframe', timescaledb.compress_orderby = 'time', timescaledb.compress_chunk_time_interval = '${COMPRESSED_CHUNK_INTERVAL_MS / 1_000_000} seconds')`,
    );
    if (compressionPolicy) await run(`SELECT add_compression_policy('${table}', compress_after => ${COMPRESS_AFTER_MS}::bigint)`);
    await run('RELEASE SAVEPOINT compression');
  } catch (error) {
    if (isConnectionError(error)) throw error;
    await run('ROLLBACK TO SAVEPOINT compression');
    logger.warn('TimescaleDB on this server cannot compress; market_data stays uncompressed', {
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

/**
 * Earlier versions made `market_data` a hypertable with 7-day chunks and no compression.
 * TimescaleDB cannot change the interval of chunks that exist, so the bars are copied
 * into a table in the current layout that then takes the old one's name, in one
 * transaction: a failure leaves the old table as it was, and queries stay correct on it.
 */
async function relayout(run: RunSql, logger: Logger, oldInterval: number): Promise<void> {
  const started = Date.now();
  await run('BEGIN');
  try {
    await run('ALTER TABLE market_data RENAME TO market_data_relayout');
    await run('ALTER TABLE market_data_relayout RENAME CONSTRAINT market_data_symbol_timeframe_time_pk TO market_data_relayout_pk');
    await run('CREATE TABLE market_data (LIKE market_data_relayout INCLUDING DEFAULTS INCLUDING CONSTRAINTS)');
    await run('ALTER TABLE market_data ADD CONSTRAINT market_data_symbol_timeframe_time_pk PRIMARY KEY (symbol, timeframe, time)');
    await makeHypertable(run, logger, 'market_data', false);
    await run('INSERT INTO market_data SELECT * FROM market_data_relayout');
    await run('DROP TABLE market_data_relayout');
    await run('COMMIT');
    logger.info('rebuilt the TimescaleDB market_data table in yearly chunks', { oldIntervalDays: oldInterval / DAY_MS, ms: Date.now() - started });
  } catch (error) {
    await run('ROLLBACK').catch(() => undefined);
    if (isConnectionError(error)) throw error;
    logger.warn(
      'market_data keeps its old TimescaleDB chunk interval, so charts stay slow. Raise max_locks_per_transaction on the server ' +
        '(the rebuild locks every old chunk at once), restart Postgres and then Metalytics; the bars are unchanged.',
      { oldIntervalDays: oldInterval / DAY_MS, error: error instanceof Error ? error.message : String(error) },
    );
  }
}
