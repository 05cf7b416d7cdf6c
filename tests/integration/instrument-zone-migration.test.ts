/**
 * Migration 0012 gives the built-in exchange listings of an existing workspace their exchange's
 * time zone, on SQLite and on a real Postgres: a database at the migration before it, seeded
 * with its own SQL, is opened by today's core.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCore } from '../../src/core/create-core';
import { buildOlderPostgres, buildOlderSqlite, migrationBefore } from '../support/older-database';
import { useTestPostgres } from '../support/postgres';
import { invokeOk, testPorts } from '../support/test-core';

const ZONE_MIGRATION = '0012_instrument_exchange_time_zone';
const USD_PER_OZ = 'USD per troy ounce';

/** Built-in rows as the catalogue wrote them, one the user renamed, one the user deleted, and the user's own listing. */
const instrumentRows = [
  ['GC=F', 'Gold futures (COMEX, front month)', 'future', USD_PER_OZ, 'USD', '{"yahoo":"GC=F"}', null],
  ['PA=F', 'Palladium futures (NYMEX, front month)', 'future', USD_PER_OZ, 'USD', '{"yahoo":"PA=F"}', null],
  ['GLD', 'SPDR Gold Shares', 'etf', 'USD per share', 'USD', '{"yahoo":"GLD"}', null],
  ['AAPL', 'Apple (my London listing)', 'stock', 'GBP per share', 'GBP', '{}', null],
  ['SLV', 'iShares Silver Trust', 'etf', 'USD per share', 'USD', '{}', Date.UTC(2026, 0, 5)],
  ['XAUUSD', 'Gold spot', 'spot', USD_PER_OZ, 'USD', '{}', null],
  ['MSFT', 'Microsoft', 'stock', 'USD per share', 'USD', '{}', null],
] as const;

const postgres = useTestPostgres();

describe.each(['SQLite', 'Postgres'] as const)('migration %s: the exchange time zone of existing instruments', (dialect) => {
  let dataDir: string | undefined;
  afterAll(() => (dataDir ? rm(dataDir, { recursive: true, force: true }) : undefined));

  it('sets New York on the built-in COMEX, NYMEX and NYSE Arca rows the user left alone, and on nothing else', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'metalytics-zone-migration-'));
    const databaseUrl = dialect === 'Postgres' ? await postgres.createDatabaseUrl() : undefined;
    const before = migrationBefore(dialect === 'Postgres' ? 'pg' : 'sqlite', ZONE_MIGRATION);
    if (databaseUrl === undefined) {
      buildOlderSqlite(path.join(dataDir, 'metalytics.db'), before, [
        { text: 'INSERT INTO instruments (symbol, name, kind, unit, currency, provider_symbols, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?)', rows: instrumentRows },
      ]);
    } else {
      await buildOlderPostgres(databaseUrl, before, [
        { text: 'INSERT INTO instruments (symbol, name, kind, unit, currency, provider_symbols, deleted_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', rows: instrumentRows },
      ]);
    }

    const core = await createCore(testPorts(dataDir, { databaseUrl }), { validateOutput: true });
    try {
      expect(core.storage.schemaVersion).toBe(ZONE_MIGRATION);
      const zones = Object.fromEntries((await invokeOk(core, 'instruments.list')).instruments.map((i) => [i.symbol, i.exchangeTimeZone ?? null]));
      expect(zones).toMatchObject({ 'GC=F': 'America/New_York', 'PA=F': 'America/New_York', GLD: 'America/New_York', AAPL: null, XAUUSD: null, MSFT: null });
      // Deleted stays deleted; built-in rows that were missing come from today's catalogue, zone included.
      expect(zones).not.toHaveProperty('SLV');
      expect(zones['SI=F']).toBe('America/New_York');
      expect(zones.BTCUSD).toBeNull();
      // Start-up backed the older schema up first, its tables and columns as they were.
      expect((await invokeOk(core, 'backups.list', {})).backups).toEqual([expect.objectContaining({ kind: 'safety', status: 'verified', schemaVersion: before })]);
    } finally {
      await core.close();
    }
  }, 120_000);
});
