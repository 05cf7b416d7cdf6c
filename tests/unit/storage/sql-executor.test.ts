import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteExecutor, type SqlExecutor } from '../../../src/core/storage/sql-executor';
import { SqliteConnectionLock } from '../../../src/core/storage/sqlite-connection';

describe('the SQLite executor’s transactions', () => {
  let client: Database.Database;
  let sql: SqlExecutor;
  const names = async () => (await sql.query('SELECT name FROM t ORDER BY rowid')).map((row) => row.name);

  beforeEach(() => {
    client = new Database(':memory:');
    client.exec('CREATE TABLE t (name TEXT NOT NULL)');
    sql = sqliteExecutor(client, new SqliteConnectionLock());
  });
  afterEach(() => client.close());

  it('refuses a transaction inside a transaction, rolling the outer one back', async () => {
    const work = sql.transaction(async (tx) => {
      await tx.execute("INSERT INTO t (name) VALUES ('outer')");
      await tx.transaction(async () => undefined);
    });
    await expect(work).rejects.toThrow(/already open/);
    expect(await names()).toEqual([]);
    expect(client.inTransaction).toBe(false);
  });

  it('refuses the base executor inside the work instead of waiting for itself forever', async () => {
    const work = sql.transaction(async (tx) => {
      await tx.execute("INSERT INTO t (name) VALUES ('inside')");
      await sql.execute("INSERT INTO t (name) VALUES ('beside')");
    });
    await expect(work).rejects.toThrow(/held by this transaction/);
    expect(await names()).toEqual([]);
  });

  it('runs calls made while a transaction is open after it, in the order they were made', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    const work = sql.transaction(async (tx) => {
      await tx.execute("INSERT INTO t (name) VALUES ('first')");
      opened();
      await gate;
      await tx.execute("INSERT INTO t (name) VALUES ('second')");
    });
    await open;
    const later = [sql.execute("INSERT INTO t (name) VALUES ('third')"), sql.execute("INSERT INTO t (name) VALUES ('fourth')")];
    release();
    await work;
    await Promise.all(later);
    expect(await names()).toEqual(['first', 'second', 'third', 'fourth']);
  });

  it('keeps the connection usable after a statement inside fails', async () => {
    await expect(sql.transaction((tx) => tx.execute('INSERT INTO t (name) VALUES (NULL)'))).rejects.toThrow(/NOT NULL/);
    expect(client.inTransaction).toBe(false);
    await sql.execute("INSERT INTO t (name) VALUES ('after')");
    expect(await names()).toEqual(['after']);
  });
});
