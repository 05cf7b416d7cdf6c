/**
 * What the backup tests hold archives to, computed apart from the product's code: every live
 * table read whole, each row normalised, sorted in JavaScript by its primary key (numbers by
 * value, text by UTF-8 bytes), and hashed. Only the column kinds come from the schema.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { expect, it } from 'vitest';
import { openArchive } from '../../src/core/backups/archive/archive-reader';
import { backedUpTables } from '../../src/core/backups/archive/table-digest';
import type { Core } from '../../src/core/create-core';
import type { ArchiveManifest } from '../../src/shared/backups';
import type { Bar } from '../../src/shared/domain';
import type { TestCore } from './test-core';

type Row = Record<string, unknown>;

function normalise(value: unknown, kind: string): unknown {
  if (value === null || value === undefined) return null;
  if (kind === 'boolean') return value === 1 || value === true;
  if (kind === 'number') return Number(value);
  if (kind === 'json') {
    const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
    const sortKeys = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(sortKeys)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => [k, sortKeys(x)]))
          : v;
    return sortKeys(parsed);
  }
  return String(value);
}

function compareKeys(a: unknown[], b: unknown[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : Buffer.compare(Buffer.from(String(x)), Buffer.from(String(y)));
    if (order !== 0) return order;
  }
  return 0;
}

/** Count and sha256 of every backed-up table's live rows, filtered by `keep` when given. */
export function independentDigests(rowsOf: Map<string, Row[]>, keep: (table: string, row: Row) => boolean = () => true): Map<string, { rows: number; checksum: string }> {
  const result = new Map<string, { rows: number; checksum: string }>();
  for (const shape of backedUpTables) {
    const rows = (rowsOf.get(shape.name) ?? []).filter((row) => keep(shape.name, row));
    const normalised = rows.map((row) => shape.columns.map((c) => normalise(row[c.name], c.kind)));
    const keyIndexes = shape.orderBy.map((name) => shape.columns.findIndex((c) => c.name === name));
    normalised.sort((a, b) => compareKeys(keyIndexes.map((i) => a[i]), keyIndexes.map((i) => b[i])));
    const hash = createHash('sha256');
    for (const row of normalised) hash.update(`${JSON.stringify(row)}\n`);
    result.set(shape.name, { rows: rows.length, checksum: hash.digest('hex') });
  }
  return result;
}

/** Every backed-up table's rows, read straight from the database the core uses. */
export async function liveRows(test: TestCore, databaseUrl?: string): Promise<Map<string, Row[]>> {
  const rows = new Map<string, Row[]>();
  if (databaseUrl) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      for (const shape of backedUpTables) rows.set(shape.name, (await client.query<Row>(`SELECT * FROM "${shape.name}"`)).rows);
    } finally {
      await client.end();
    }
    return rows;
  }
  const db = new Database(path.join(test.dataDir, 'metalytics.db'), { readonly: true });
  try {
    for (const shape of backedUpTables) rows.set(shape.name, db.prepare(`SELECT * FROM "${shape.name}"`).all() as Row[]);
  } finally {
    db.close();
  }
  return rows;
}

export function expectManifestMatches(manifest: ArchiveManifest, expected: Map<string, { rows: number; checksum: string }>) {
  expect(Object.fromEntries(manifest.tables.map((t) => [t.name, { rows: t.rows, checksum: t.checksum }]))).toEqual(Object.fromEntries(expected));
}

export const CONCURRENT_SYMBOL = 'XAUUSD';
const MINUTE = 60_000;
const BATCH = 50;
export const CONCURRENT_START = Date.UTC(2030, 0, 1);

/** Batch `n` of minute bars the concurrent writer upserts, each batch one transaction. */
function batchBars(n: number): Bar[] {
  return Array.from({ length: BATCH }, (_, i) => {
    const price = 2000 + n + i / 100;
    return { time: CONCURRENT_START + (n * BATCH + i) * MINUTE, open: price, high: price + 1, low: price - 1, close: price, volume: 1 };
  });
}

/** Writes batches of bars until stopped; resolves with how many were committed. */
export function writeBarsUntilStopped(core: Core): { stop: () => Promise<number> } {
  let stopped = false;
  let committed = 0;
  const loop = (async () => {
    while (!stopped) {
      await core.storage.marketData.upsertBars({ symbol: CONCURRENT_SYMBOL, timeframe: '1m', source: 'test', bars: batchBars(committed) });
      committed += 1;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return committed;
    },
  };
}

/** The market_data rows that existed after `batches` batches of the concurrent writer. */
export const existedAfter = (batches: number) => (table: string, row: Row) =>
  table !== 'market_data' || row.timeframe !== '1m' || Number(row.time) < CONCURRENT_START + batches * BATCH * MINUTE;

/**
 * The round trip every engine passes: a workspace with bars, jobs, alerts, a model file and
 * settings is backed up through `backups.create`, verified, and its manifest's checksums
 * equal the independent ones of the live tables; a backup taken while bars are written equals
 * one state the database was in.
 */
export function describeBackupRoundTrip(setup: () => { test: () => TestCore; databaseUrl: () => string | undefined }) {
  const { test, databaseUrl } = setup();

  it('backs up, verifies, and the manifest equals an independent digest of the live tables', async () => {
    const { core, call } = test();
    const created = await call('backups.create', { wait: true });
    expect(created.backup?.status).toBe('verified');
    const archive = await openArchive(created.backup!.path);
    expect(archive.manifest.database).toBe(core.storage.mode);
    expect(archive.manifest.schemaVersion).toBe(core.storage.schemaVersion);
    expect(archive.manifest.tables.find((t) => t.name === 'market_data')?.rows).toBeGreaterThan(1000);
    expect(archive.manifest.parts.map((p) => p.name)).toContain('models/demo-model/model.json');
    // The backup's own run is in job_runs as running; the live table has it finished, so it is compared apart.
    const runId = created.runId;
    const expected = independentDigests(await liveRows(test(), databaseUrl()), (table, row) => table !== 'job_runs' || row.id !== runId);
    const { job_runs: _runs, ...others } = Object.fromEntries(expected);
    const { job_runs: backedUpRuns, ...backedUpOthers } = Object.fromEntries(archive.manifest.tables.map((t) => [t.name, { rows: t.rows, checksum: t.checksum }]));
    expect(backedUpOthers).toEqual(others);
    expect(backedUpRuns?.rows).toBe(expected.get('job_runs')!.rows + 1);

    const listed = await call('backups.list', {});
    expect(listed.backups[0]).toMatchObject({ id: created.backupId, status: 'verified', sizeBytes: created.backup!.sizeBytes });
    expect((await call('backups.verify', { id: created.backupId })).ok).toBe(true);
  });

  it('a backup taken while bars are written holds one state the database was in', async () => {
    const { call } = test();
    const writer = writeBarsUntilStopped(test().core);
    await new Promise((resolve) => setTimeout(resolve, 30));
    let created;
    try {
      created = await call('backups.create', { wait: true });
    } finally {
      await writer.stop();
    }
    const manifest = (await openArchive(created.backup!.path)).manifest;
    const backedUp = manifest.tables.find((t) => t.name === 'market_data')!;
    const live = await liveRows(test(), databaseUrl());
    const concurrentRows = live.get('market_data')!.filter((r) => r.timeframe === '1m').length;
    const baseRows = live.get('market_data')!.length - concurrentRows;
    const batches = (backedUp.rows - baseRows) / BATCH;
    expect(Number.isInteger(batches)).toBe(true);
    // Bars were written both before the snapshot and after it, so the state it holds is one in the middle.
    expect(batches).toBeGreaterThan(0);
    expect(concurrentRows / BATCH).toBeGreaterThan(batches);
    expect(independentDigests(live, existedAfter(batches)).get('market_data')).toEqual({ rows: backedUp.rows, checksum: backedUp.checksum });
  });

  it('deletes a backup: its file and its row', async () => {
    const { call } = test();
    const created = await call('backups.create', { wait: true });
    expect(await call('backups.delete', { id: created.backupId })).toEqual({ id: created.backupId, deleted: true });
    await expect(openArchive(created.backup!.path)).rejects.toThrow(/no such file/);
    expect((await call('backups.list', {})).backups.map((b) => b.id)).not.toContain(created.backupId);
  });
}

/** Unique, letters and digits only, so any encoding of them is easy to search for. */
export const backupSecrets = { polygon: 'pkBackupScan7f3a9c2e1b', twelvedata: 'tdBackupScan4d8e2a6f0c', database: 'dbBackupScan9b1c5e7a3d' } as const;

/** A workspace worth backing up: real daily bars, an alert, settings, secrets and a model artifact. */
export async function seedWorkspace(test: TestCore): Promise<void> {
  await test.importRealFile('xauusd-1d-mt4.csv', 'XAUUSD');
  await test.call('settings.update', { theme: 'dark' });
  for (const [name, value] of Object.entries(backupSecrets)) await test.call('secrets.set', { name: name as keyof typeof backupSecrets, value });
  await test.core.storage.alerts.raise({ createdAt: Date.UTC(2026, 0, 1), severity: 'warning', source: 'test', message: 'ümlaut and "quotes"', details: { b: 1, a: [true, null] } });
  const model = path.join(test.dataDir, 'models', 'demo-model');
  await mkdir(model, { recursive: true });
  await writeFile(path.join(model, 'model.json'), JSON.stringify({ format: 'layers-model', weights: [0.5, -1.25] }));
}
