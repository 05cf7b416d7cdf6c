/**
 * What a repository needs of a database, whichever it is: each statement exists once with
 * `{name}` parameters and each dialect's executor compiles it for its driver (toSqliteSql /
 * toPgSql, as the bar SQL is). Values cross as portable types only: booleans as 1/0
 * (Postgres reads '1' as true), JSON as text (Postgres casts it to jsonb), absent values as
 * null. Rows come back with SQLite's text JSON or Postgres's parsed jsonb; the readers below
 * accept both.
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { toPgSql, toSqliteSql, type BarDialect } from './bar-sql';
import { inTransaction } from './pg-connection';
import type { SqliteConnectionLock } from './sqlite-connection';

export type Row = Record<string, unknown>;

/** One dialect's way to run a statement with `{name}` parameters. */
export interface SqlExecutor {
  /** For the rare statement only one dialect has (Postgres's advisory locks). */
  readonly dialect: BarDialect;
  /** The rows a statement returns (SELECT, or RETURNING). */
  query(text: string, params?: Row): Promise<Row[]>;
  /** How many rows a statement changed. */
  execute(text: string, params?: Row): Promise<number>;
  /**
   * `work` in one transaction on `tx`: committed when it resolves, rolled back when it throws,
   * the error rethrown. `work` uses `tx` only. A transaction on `tx` is refused rather than
   * made a savepoint: nothing needs one, and a refusal keeps every transaction one
   * BEGIN … COMMIT that either all happens or none of it.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}

const refuseNested = (): Promise<never> =>
  Promise.reject(new Error('A transaction is already open on this executor; run the work on it instead of opening another.'));

function sqliteStatements(client: Database.Database): SqlExecutor {
  return {
    dialect: 'sqlite',
    query: async (text, params = {}) => client.prepare(toSqliteSql(text)).all(params) as Row[],
    execute: async (text, params = {}) => client.prepare(toSqliteSql(text)).run(params).changes,
    transaction: refuseNested,
  };
}

/**
 * better-sqlite3 has one synchronous connection, so every call takes its turn on `lock`
 * (shared with market data), and a transaction keeps the turn until it ends: nothing else
 * can slip a write into it between its awaits and lose it to its rollback.
 */
export function sqliteExecutor(client: Database.Database, lock: SqliteConnectionLock): SqlExecutor {
  const tx = sqliteStatements(client);
  return {
    dialect: 'sqlite',
    query: (text, params) => lock.run(() => tx.query(text, params)),
    execute: (text, params) => lock.run(() => tx.execute(text, params)),
    transaction: (work) =>
      lock.run(async () => {
        // IMMEDIATE takes the write lock now, so another process's writer cannot make COMMIT fail with BUSY.
        client.exec('BEGIN IMMEDIATE');
        try {
          const result = await work(tx);
          client.exec('COMMIT');
          return result;
        } catch (error) {
          // After some failures (a full disk) SQLite has rolled back already; a second ROLLBACK would hide the cause.
          if (client.inTransaction) client.exec('ROLLBACK');
          throw error;
        }
      }),
  };
}

function pgStatements(db: pg.Pool | pg.PoolClient): SqlExecutor {
  const run = (text: string, params: Row = {}) => {
    const compiled = toPgSql(text);
    return db.query<Row>(compiled.text, compiled.names.map((name) => params[name]));
  };
  return {
    dialect: 'postgres',
    query: async (text, params) => (await run(text, params)).rows,
    execute: async (text, params) => (await run(text, params)).rowCount ?? 0,
    transaction: refuseNested,
  };
}

/** Statements go to any pooled connection; a transaction has one connection of its own until it ends. */
export function pgExecutor(pool: pg.Pool): SqlExecutor {
  return {
    ...pgStatements(pool),
    transaction: (work) => inTransaction(pool, (client) => work(pgStatements(client))),
  };
}

/** A value for a JSON column. */
export const json = (value: unknown) => JSON.stringify(value);
/** A JSON column as read: text from SQLite, already parsed from Postgres. */
export const parseJson = <T>(value: unknown): T => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T));
/** A nullable JSON column as read, keeping null. */
export const parseNullableJson = <T>(value: unknown): T | null => (value === null || value === undefined ? null : parseJson<T>(value));
/** A value for a boolean column, which both dialects accept. */
export const sqlBoolean = (value: boolean) => (value ? 1 : 0);
/** A boolean column as read: 0/1 from SQLite, true/false from Postgres. */
export const parseBoolean = (value: unknown) => value === true || Number(value) === 1;
export const nullableNumber = (value: unknown) => (value === null || value === undefined ? null : Number(value));
export const nullableString = (value: unknown) => (value === null || value === undefined ? null : String(value));
