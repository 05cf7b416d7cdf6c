/**
 * drizzle has no cross-dialect schema, so schema.pg.ts and schema.sqlite.ts are kept in step
 * by hand. This test holds them to it: the same tables and views, and per table the same
 * columns (name, nullability, default or not, a coarse type family), primary key, indexes,
 * unique constraints and foreign keys. A column added to one file and forgotten in the other
 * fails here, before a migration is generated for one dialect only.
 */
import { is } from 'drizzle-orm';
import { getTableConfig as pgTableConfig, getViewConfig as pgViewConfig, PgTable, PgView } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTableConfig, getViewConfig as sqliteViewConfig, SQLiteTable, SQLiteView } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as pgSchema from '../../../src/core/storage/schema.pg';
import * as sqliteSchema from '../../../src/core/storage/schema.sqlite';

/**
 * What the twins may differ in, each with its reason. Empty today: the dialects' real
 * differences (bigint vs integer, jsonb vs JSON text, identity vs autoincrement, a partial
 * index's WHERE written per dialect, TimescaleDB's hypertables and aggregates created in
 * SQL at start-up rather than in the schema) all lie below what is compared.
 * An entry that no longer matches a difference fails the test, so the list stays true.
 */
const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {};

type Family = 'integer' | 'real' | 'text' | 'boolean' | 'json' | 'timestamp' | 'bytes';

/** drizzle's column types of both dialects by what they hold; a type missing here fails the test so it gets a family. */
const FAMILIES: Readonly<Record<string, Family>> = {
  SQLiteInteger: 'integer',
  PgInteger: 'integer',
  PgSmallInt: 'integer',
  PgBigInt53: 'integer',
  PgBigInt64: 'integer',
  SQLiteReal: 'real',
  PgReal: 'real',
  PgDoublePrecision: 'real',
  SQLiteText: 'text',
  PgText: 'text',
  PgVarchar: 'text',
  SQLiteBoolean: 'boolean',
  PgBoolean: 'boolean',
  SQLiteTextJson: 'json',
  PgJson: 'json',
  PgJsonb: 'json',
  SQLiteTimestamp: 'timestamp',
  PgTimestamp: 'timestamp',
  SQLiteBlobBuffer: 'bytes',
  // schema.pg.ts's bytea: drizzle's pg-core has none of its own.
  PgCustomColumn: 'bytes',
};

interface ColumnLike {
  name: string;
  columnType: string;
  notNull: boolean;
  primary: boolean;
  hasDefault: boolean;
}

interface TableLike {
  name: string;
  columns: ColumnLike[];
  primaryKeys: { columns: { name: string }[] }[];
  indexes: { config: { name: string; unique: boolean; columns: unknown[]; where?: unknown } }[];
  uniqueConstraints: { getName(): string | undefined; columns: { name: string }[] }[];
  foreignKeys: {
    onDelete?: string;
    reference(): { columns: { name: string }[]; foreignTable: unknown; foreignColumns: { name: string }[] };
  }[];
}

/** One table as a flat map from a path (`table.column.family`) to what is there, comparable across dialects. */
function describeTable(table: TableLike, tableName: (t: unknown) => string): Map<string, string> {
  const facts = new Map<string, string>();
  const at = (path: string, value: unknown) => facts.set(`${table.name}.${path}`, JSON.stringify(value));
  for (const column of table.columns) {
    at(`column ${column.name}`, {
      family: FAMILIES[column.columnType] ?? `unknown drizzle type ${column.columnType}: give it a family in FAMILIES`,
      notNull: column.notNull,
      hasDefault: column.hasDefault,
    });
  }
  const primaryKey = table.columns.filter((c) => c.primary).map((c) => c.name);
  for (const key of table.primaryKeys) primaryKey.push(...key.columns.map((c) => c.name));
  at('primary key', primaryKey);
  for (const { config } of table.indexes) {
    at(`index ${config.name}`, {
      unique: config.unique,
      columns: config.columns.map((c) => (c as { name?: string }).name ?? 'an expression'),
      partial: config.where !== undefined,
    });
  }
  for (const constraint of table.uniqueConstraints) {
    at(`unique ${constraint.getName() ?? '(unnamed)'}`, constraint.columns.map((c) => c.name));
  }
  for (const foreignKey of table.foreignKeys) {
    const reference = foreignKey.reference();
    at(`foreign key ${reference.columns.map((c) => c.name).join(', ')}`, {
      table: tableName(reference.foreignTable),
      columns: reference.foreignColumns.map((c) => c.name),
      onDelete: foreignKey.onDelete ?? 'no action',
    });
  }
  return facts;
}

/** Every table and view one schema file exports, through its dialect's drizzle readers. */
function schemaFacts(
  schema: Record<string, unknown>,
  dialect: { tableConfig(value: unknown): TableLike | undefined; viewName(value: unknown): string | undefined },
): Map<string, string> {
  const facts = new Map<string, string>();
  for (const value of Object.values(schema)) {
    const table = dialect.tableConfig(value);
    if (table) {
      for (const [path, fact] of describeTable(table, (t) => dialect.tableConfig(t)!.name)) facts.set(path, fact);
    }
    const view = dialect.viewName(value);
    if (view !== undefined) facts.set(`view ${view}`, 'exists');
  }
  return facts;
}

const pgDialect = {
  tableConfig: (value: unknown) => (is(value, PgTable) ? (pgTableConfig(value) as TableLike) : undefined),
  viewName: (value: unknown) => (is(value, PgView) ? pgViewConfig(value).name : undefined),
};

const sqliteDialect = {
  tableConfig: (value: unknown) => (is(value, SQLiteTable) ? (sqliteTableConfig(value) as TableLike) : undefined),
  viewName: (value: unknown) => (is(value, SQLiteView) ? sqliteViewConfig(value).name : undefined),
};

/** Every path where the twins disagree, with what each side has. */
function differences(pg: Map<string, string>, sqlite: Map<string, string>): Record<string, string> {
  const found: Record<string, string> = {};
  for (const path of new Set([...pg.keys(), ...sqlite.keys()])) {
    const inPg = pg.get(path);
    const inSqlite = sqlite.get(path);
    if (inPg !== inSqlite) found[path] = `pg: ${inPg ?? 'missing'}; sqlite: ${inSqlite ?? 'missing'}`;
  }
  return found;
}

describe('the Postgres and SQLite schemas', () => {
  const pg = schemaFacts(pgSchema, pgDialect);
  const sqlite = schemaFacts(sqliteSchema, sqliteDialect);
  const found = differences(pg, sqlite);

  it('declare the same tables, views, columns, keys and indexes', () => {
    const unexpected = Object.fromEntries(Object.entries(found).filter(([path]) => !(path in KNOWN_DIFFERENCES)));
    expect(unexpected).toEqual({});
  });

  it('still differ wherever the known differences say they do', () => {
    expect(Object.keys(KNOWN_DIFFERENCES).filter((path) => !(path in found))).toEqual([]);
  });

  it('describe every table of both files, with a known type family for each column', () => {
    for (const table of ['market_data', 'instruments', 'job_runs', 'audit_log', 'backfill_checkpoints', 'model_registry']) {
      expect([...pg.keys()].some((path) => path.startsWith(`${table}.column `))).toBe(true);
    }
    expect(pg.has('view latest_12_hour_prices')).toBe(true);
    expect([...pg.values(), ...sqlite.values()].filter((fact) => fact.includes('unknown drizzle type'))).toEqual([]);
  });
});
