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
import { toPgSql, toSqliteSql } from './bar-sql';

export type Row = Record<string, unknown>;

/** One dialect's way to run a statement with `{name}` parameters. */
export interface SqlExecutor {
  /** The rows a statement returns (SELECT, or RETURNING). */
  query(text: string, params?: Row): Promise<Row[]>;
  /** How many rows a statement changed. */
  execute(text: string, params?: Row): Promise<number>;
}

export function sqliteExecutor(client: Database.Database): SqlExecutor {
  return {
    query: async (text, params = {}) => client.prepare(toSqliteSql(text)).all(params) as Row[],
    execute: async (text, params = {}) => client.prepare(toSqliteSql(text)).run(params).changes,
  };
}

export function pgExecutor(pool: pg.Pool): SqlExecutor {
  const run = (text: string, params: Row = {}) => {
    const compiled = toPgSql(text);
    return pool.query<Row>(compiled.text, compiled.names.map((name) => params[name]));
  };
  return {
    query: async (text, params) => (await run(text, params)).rows,
    execute: async (text, params) => (await run(text, params)).rowCount ?? 0,
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
