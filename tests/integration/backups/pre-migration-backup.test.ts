/** A database with pending migrations gets a safety backup before start-up migrates it, and that backup restores its state. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../src/core/create-core';
import { buildOlderSqlite } from '../../support/older-database';
import { realDataPath } from '../../support/real-data';
import { workspaceDigests } from '../../support/restore-switch-checks';
import { metaTraderDailyBars } from '../../support/shared-data';
import { invokeOk, testPorts, type TestCore } from '../../support/test-core';

const OLDER = '0007_live_jobs';
const goldBars = metaTraderDailyBars();
const IMPORTED_AT = Date.UTC(2026, 5, 1);

/**
 * What an app at OLDER kept after importing the gold file: the built-in gold instruments, the
 * daily bars with their series summary, and the audit record, written for the tables as they
 * were then (the 1d base has no rollups).
 */
const seedAtOlder = [
  {
    text: 'INSERT INTO instruments (symbol, name, kind, unit, currency, provider_symbols) VALUES (?, ?, ?, ?, ?, ?)',
    rows: [
      ['XAUUSD', 'Gold spot', 'spot', 'USD per troy ounce', 'USD', '{"polygon":"C:XAUUSD","twelvedata":"XAU/USD","metalsapi":"XAU"}'],
      ['GC=F', 'Gold futures (COMEX, front month)', 'future', 'USD per troy ounce', 'USD', '{"yahoo":"GC=F"}'],
    ],
  },
  {
    text: `INSERT INTO market_data (symbol, timeframe, time, open, high, low, close, volume, source, ingested_at) VALUES ('XAUUSD', '1d', ?, ?, ?, ?, ?, ?, 'csv', ?)`,
    rows: goldBars.map((bar) => [bar.time, bar.open, bar.high, bar.low, bar.close, bar.volume, IMPORTED_AT]),
  },
  {
    text: `INSERT INTO market_data_series (symbol, timeframe, source, first_time, last_time, bar_count) VALUES ('XAUUSD', '1d', 'csv', ?, ?, ?)`,
    rows: [[goldBars[0]!.time, goldBars.at(-1)!.time, goldBars.length]],
  },
  {
    text: `INSERT INTO audit_log (at, actor, action, details) VALUES (?, 'user', 'import.csv', ?)`,
    rows: [[IMPORTED_AT, JSON.stringify({ symbol: 'XAUUSD', rows: goldBars.length })]],
  },
];

describe('a safety backup before start-up migrations', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'metalytics-premigration-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('backs up a non-empty database at its older schema before migrating it, and restoring that backup gives its data back', async () => {
    buildOlderSqlite(path.join(dataDir, 'metalytics.db'), OLDER, seedAtOlder);

    let core: Core | undefined;
    try {
      core = await createCore(testPorts(dataDir), { validateOutput: true });
      expect(core.storage.schemaVersion).not.toBe(OLDER);
      const view = { dataDir } as TestCore;
      const asBefore = await workspaceDigests(view);
      const { backups } = await invokeOk(core, 'backups.list', {});
      expect(backups).toHaveLength(1);
      expect(backups[0]).toMatchObject({ kind: 'safety', status: 'verified', schemaVersion: OLDER });
      // The migrated workspace reads what the older one held.
      const { bars } = await invokeOk(core, 'bars.query', { symbol: 'XAUUSD', timeframe: '1d', limit: goldBars.length + 1 });
      expect(bars.map((bar) => bar.close)).toEqual(goldBars.map((bar) => bar.close));

      await invokeOk(core, 'import.csv', { source: { kind: 'path', path: realDataPath('btc-usd-1d-yahoo.csv') }, symbol: 'BTCUSD' });
      expect(await workspaceDigests(view)).not.toEqual(asBefore);
      await invokeOk(core, 'backups.restore', { id: backups[0]!.id, wait: true });
      expect(await workspaceDigests(view)).toEqual(asBefore);
    } finally {
      await core?.close();
    }
    // A database already up to date takes no such backup.
    const again = await createCore(testPorts(dataDir), { validateOutput: true });
    try {
      expect((await invokeOk(again, 'backups.list', {})).backups.filter((b) => b.schemaVersion === OLDER)).toHaveLength(1);
    } finally {
      await again.close();
    }
  }, 240_000);
});
