/**
 * The baselines every write figure is set against: each engine's own fastest path for the
 * same synthetic minute bars, with no validation, rollups or bookkeeping.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Bar } from '../../src/shared/domain';
import { syntheticMinuteBars } from './stats';

const CHUNK = 5_000;
const START = Date.UTC(2005, 0, 3);
const SYMBOL = 'XAUUSD';

/** A temporary folder the embedded Postgres user can enter too. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** The engine's own fastest path for the same rows: one prepared INSERT in one transaction. */
export function rawSqliteInsertRate(count: number): number {
  const dir = tempDir('metalytics-bench-raw-');
  const db = new Database(path.join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE market_data (symbol TEXT NOT NULL, timeframe TEXT NOT NULL, time INTEGER NOT NULL,
    open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL, volume REAL NOT NULL,
    source TEXT NOT NULL, ingested_at INTEGER NOT NULL, PRIMARY KEY (symbol, timeframe, time)) WITHOUT ROWID`);
  const insert = db.prepare('INSERT INTO market_data VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const insertChunk = db.transaction((bars: Bar[]) => {
    const now = Date.now();
    for (const b of bars) insert.run(SYMBOL, '1m', b.time, b.open, b.high, b.low, b.close, b.volume, 'bench', now);
  });
  const started = performance.now();
  for (const bars of syntheticMinuteBars(START, count, CHUNK)) insertChunk(bars);
  const seconds = (performance.now() - started) / 1000;
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return count / seconds;
}

/** Postgres's bulk path for the same rows: multi-row INSERT from arrays, one statement per chunk. */
export async function rawPostgresInsertRate(url: string, count: number): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE TABLE raw_market_data (symbol text NOT NULL, timeframe text NOT NULL, time bigint NOT NULL,
    open double precision NOT NULL, high double precision NOT NULL, low double precision NOT NULL, close double precision NOT NULL,
    volume double precision NOT NULL, source text NOT NULL, ingested_at bigint NOT NULL, PRIMARY KEY (symbol, timeframe, time))`);
  const started = performance.now();
  for (const bars of syntheticMinuteBars(START, count, CHUNK)) {
    await client.query(
      `INSERT INTO raw_market_data SELECT $1, '1m', t, o, h, l, c, v, 'bench', $2
       FROM unnest($3::bigint[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[]) AS u(t, o, h, l, c, v)`,
      [SYMBOL, Date.now(), bars.map((b) => b.time), bars.map((b) => b.open), bars.map((b) => b.high), bars.map((b) => b.low), bars.map((b) => b.close), bars.map((b) => b.volume)],
    );
  }
  const seconds = (performance.now() - started) / 1000;
  await client.query('DROP TABLE raw_market_data');
  await client.end();
  return count / seconds;
}
