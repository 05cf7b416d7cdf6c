import type pg from 'pg';
import { AppError, isAppError } from '../../shared/errors';
import type { Logger } from '../ports';
import { causes, codeOf, mapErrors } from './map-errors';

/** Node socket errors and Postgres SQLSTATEs that mean "the server is not there (any more)". */
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down, recovering)
  '53300', // too_many_connections
  '08000', // connection_exception
  '08001', // sqlclient_unable_to_establish_sqlconnection
  '08003', // connection_does_not_exist
  '08004', // sqlserver_rejected_establishment_of_sqlconnection
  '08006', // connection_failure
]);

/** node-postgres reports a dropped or timed-out connection without a code. */
const CONNECTION_ERROR_MESSAGES = [
  'Connection terminated',
  'connection error and is not queryable',
  'timeout exceeded when trying to connect',
  'Client was closed and is not queryable',
  'Cannot use a pool after calling end',
];

const ACCESS_ERROR_CODES = new Set(['28P01', '28000', '3D000']);


export function isConnectionError(error: unknown): boolean {
  for (const e of causes(error)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) return true;
    // Node reports every address it tried (::1, 127.0.0.1) in an AggregateError.
    if (e instanceof AggregateError && e.errors.some(isConnectionError)) return true;
    if (CONNECTION_ERROR_MESSAGES.some((text) => e.message.includes(text))) return true;
  }
  return false;
}

/** The error a caller of the storage sees: UNAVAILABLE for a server that is away or refuses us. */
export function toStorageError(error: unknown): unknown {
  if (isAppError(error)) return error;
  if (isConnectionError(error)) {
    return new AppError(
      'UNAVAILABLE',
      'The Postgres database cannot be reached, so prices cannot be read or saved right now. Check that the server is running and reachable; nothing stored has been lost.',
      { code: codeOf(error) ?? 'CONNECTION_LOST' },
    );
  }
  const code = codeOf(error);
  if (code !== undefined && ACCESS_ERROR_CODES.has(code)) {
    return new AppError(
      'UNAVAILABLE',
      'The Postgres server refused the connection: check the database name, user name and password in Settings.',
      { code },
    );
  }
  return error;
}

/** Wraps every method of a repository so Postgres failures reach callers as contract errors (see mapErrors). */
export function mappingErrors<T extends object>(repository: T): T {
  return mapErrors(repository, toStorageError);
}

/** `location` for status and logs: the URL without its password. */
export function redactDatabaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Never echo the text: it may hold the password.
    throw new AppError('VALIDATION', 'The database address is not a valid postgres:// URL.');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new AppError('VALIDATION', 'The database address must start with postgres://.');
  }
  parsed.password = '';
  for (const key of [...parsed.searchParams.keys()]) {
    if (/pass/i.test(key)) parsed.searchParams.delete(key);
  }
  return parsed.toString();
}

/** A schema name used unquoted in search_path and statements: lower-case letters, digits and underscores. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function requireSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new AppError('VALIDATION', `"${schema}" cannot name a database schema: use lower-case letters, digits and underscores.`);
  return schema;
}

/**
 * node-postgres, loaded on first use: a desktop on SQLite never talks to Postgres, and
 * evaluating the driver (whose runtime check also wakes Node's fetch machinery) made up
 * about a sixth of `serve`'s start-up.
 */
export async function loadPg(): Promise<typeof pg> {
  return (await import('pg')).default;
}

/** bigint (int8) columns hold epoch ms and counts, all within 2^53: read them as numbers. */
function int8AsNumber(types: typeof pg.types): { getTypeParser: typeof pg.types.getTypeParser } {
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === types.builtins.INT8 ? (value: string) => Number(value) : types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
}

/** With `schema` (a plain name, see requireSchemaName), every connection resolves names there first, then in `public`. */
export async function createPool(url: string, logger: Logger, location: string, schema?: string): Promise<pg.Pool> {
  const { Pool, types } = await loadPg();
  const pool = new Pool({
    connectionString: url,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema},public` }),
    max: 8,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'metalytics',
    types: int8AsNumber(types),
  });
  // An idle connection that drops (server restart, network) must not crash the process;
  // the pool discards it and the next query opens a new one.
  pool.on('error', (error) => logger.warn('lost an idle Postgres connection', { location, error: error.message }));
  return pool;
}

/**
 * Runs `work` on one checked-out connection. A connection that drops while checked out
 * emits 'error' with no pool listener attached; the listener here keeps that from
 * crashing the process (the pending query rejects on its own). A broken connection, or one
 * `work` hands to `discard`, is released with the error so the pool closes it.
 */
export async function withClient<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient, discard: (error: Error) => void) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  const ignore = () => undefined;
  client.on('error', ignore);
  let failure: Error | undefined;
  const discard = (error: Error) => {
    failure ??= error;
  };
  try {
    return await work(client, discard);
  } catch (error) {
    if (isConnectionError(error)) discard(error as Error);
    throw error;
  } finally {
    client.off('error', ignore);
    client.release(failure);
  }
}

/** `work` inside BEGIN … COMMIT on one connection, rolled back on any failure. */
export function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client, discard) => {
    await client.query('BEGIN');
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A connection whose ROLLBACK failed may still be inside the transaction: never lend it out again.
      await client.query('ROLLBACK').catch(discard);
      throw error;
    }
  });
}

/** Postgres' deadlock_detected. */
const DEADLOCK_DETECTED = '40P01';

/**
 * Runs a whole transaction again when Postgres chose it as a deadlock's victim, as its manual
 * advises: the transaction was rolled back, so trying again is safe. TimescaleDB's background
 * jobs take catalogue locks too, which is where restores and switches meet them.
 */
export async function retryOnDeadlock<T>(transaction: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      if ((error as { code?: unknown }).code !== DEADLOCK_DETECTED || attempt >= attempts) throw error;
    }
  }
}
