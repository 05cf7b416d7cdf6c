/**
 * The SQLite checksums computed by several threads over key-range segments equal the
 * independent digest of the same file, whatever the segment size: one segment per table, a
 * table cut mid-symbol, a segment that ends exactly at a table's end.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backedUpTables } from '../../../src/core/backups/archive/table-digest';
import { digestSqliteCopy } from '../../../src/core/backups/database-digest';
import { openStorage } from '../../../src/core/storage/open-storage';
import { independentDigests } from '../../support/backup-checks';
import { silentLogger } from '../../support/silent-logger';
import { syntheticMinuteBars } from '../../bench/stats';

const BARS_PER_SYMBOL = 1_500;
const SYMBOLS = ['XAUUSD', 'XAGUSD', 'BTCUSD'];

describe('SQLite table checksums on several threads', () => {
  let dir: string;
  let file: string;
  let expected: Map<string, { rows: number; checksum: string }>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'metalytics-digest-'));
    const storage = await openStorage({ dataDir: dir, logger: silentLogger() });
    for (const symbol of SYMBOLS) {
      for (const bars of syntheticMinuteBars(Date.UTC(2024, 0, 1), BARS_PER_SYMBOL, 500)) {
        await storage.marketData.upsertBars({ symbol, timeframe: '1m', source: 'test', bars });
      }
    }
    await storage.close();
    file = path.join(dir, 'metalytics.db');
    const db = new Database(file, { readonly: true });
    try {
      expected = independentDigests(new Map(backedUpTables.map((shape) => [shape.name, db.prepare(`SELECT * FROM "${shape.name}"`).all() as Record<string, unknown>[]])));
    } finally {
      db.close();
    }
    expect(expected.get('market_data')!.rows).toBe(SYMBOLS.length * BARS_PER_SYMBOL);
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  const tables = backedUpTables.map((shape) => shape.name);

  it.each([
    ['one segment per table', undefined],
    ['segments cutting every symbol', 700],
    ['segments ending exactly at the table end', 1_500],
    ['one-row segments in the small tables too', 1],
  ])('%s', async (_, segmentRows) => {
    const result = await digestSqliteCopy({ file, nativeBinding: undefined, integrityCheck: false, tables, segmentRows });
    expect(result.missing).toEqual([]);
    expect(Object.fromEntries(result.digests.map((d) => [d.name, { rows: d.rows, checksum: d.checksum }]))).toEqual(Object.fromEntries(expected));
  });

  it('names a table of the schema the file does not have, and digests the rest', async () => {
    const older = path.join(dir, 'older.db');
    await copyFile(file, older);
    const db = new Database(older);
    db.exec('DROP TABLE news');
    db.close();
    const result = await digestSqliteCopy({ file: older, nativeBinding: undefined, integrityCheck: false, tables: ['market_data', 'news'], segmentRows: 1_000 });
    expect(result.missing).toEqual(['news']);
    expect(result.digests).toEqual([{ name: 'market_data', ...expected.get('market_data')! }]);
  });
});
