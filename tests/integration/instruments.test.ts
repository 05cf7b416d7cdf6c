/**
 * Instruments are the user's (issue #9 §1): created, edited and deleted through a real core
 * on SQLite and on a real Postgres, kept across a restart, each change audited and announced,
 * and the built-in catalogue seeding neither over an edit nor back over a deletion.
 */
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/core/create-core';
import { instrumentCatalogue } from '../../src/core/instruments/catalogue';
import type { EventMessage } from '../../src/shared/contract';
import { goldInEuro } from '../support/instruments';
import { useTestPostgres } from '../support/postgres';
import { invokeFailure as failure, invokeOk as ok, testPorts } from '../support/test-core';

const postgres = useTestPostgres();

const csv = (days: number) =>
  ['time,open,high,low,close', ...Array.from({ length: days }, (_, i) => `2025-02-${String(i + 3).padStart(2, '0')},10,12,9,11`)].join('\n');
const hourlyCsv = (hours: number) =>
  ['time,open,high,low,close', ...Array.from({ length: hours }, (_, i) => `2025-02-03 ${String(i + 10).padStart(2, '0')}:00,10,12,9,11`)].join('\n');

function describeInstruments(dialect: 'SQLite' | 'Postgres') {
  describe(`instruments on ${dialect}`, () => {
    let dataDir: string;
    let databaseUrl: string | undefined;
    let core: Core;
    const seen: EventMessage[] = [];

    const open = async () => {
      const opened = await createCore(testPorts(dataDir, { databaseUrl }), { validateOutput: true });
      opened.events.subscribe((message) => seen.push(message));
      return opened;
    };
    /** Closes the core and opens a new one on the same data, as a restart of the app does. */
    const restart = async () => {
      await core.close();
      core = await open();
    };
    const changes = () => seen.filter((m) => m.name === 'instruments.changed').map((m) => m.payload);
    const symbols = async () => (await ok(core, 'instruments.list')).instruments.map((i) => i.symbol);

    async function auditActions(): Promise<string[]> {
      const text = 'SELECT action FROM audit_log ORDER BY id';
      if (databaseUrl === undefined) {
        const db = new Database(path.join(dataDir, 'metalytics.db'), { readonly: true });
        try {
          return (db.prepare(text).all() as { action: string }[]).map((row) => row.action);
        } finally {
          db.close();
        }
      }
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        return (await client.query<{ action: string }>(text)).rows.map((row) => row.action);
      } finally {
        await client.end();
      }
    }

    beforeAll(async () => {
      dataDir = await mkdtemp(path.join(tmpdir(), 'metalytics-instruments-'));
      databaseUrl = dialect === 'Postgres' ? await postgres.createDatabaseUrl() : undefined;
      core = await open();
    });

    afterAll(async () => {
      await core?.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it('starts with the built-in catalogue', async () => {
      expect(await symbols()).toEqual(instrumentCatalogue.map((i) => i.symbol).sort());
    });

    it('creates, edits and keeps a user instrument across a restart, audited and announced', async () => {
      const created = await ok(core, 'instruments.create', {
        symbol: ' xaueur ',
        name: 'Gold in euro',
        kind: 'spot',
        unit: 'EUR per troy ounce',
        currency: 'eur',
        providerSymbols: { polygon: 'C:XAUEUR', twelvedata: 'XAU/EUR' },
      });
      const gold = goldInEuro;
      expect(created).toEqual(gold);
      expect(await ok(core, 'instruments.create', { symbol: 'MINE', kind: 'stock' })).toEqual({
        symbol: 'MINE',
        name: 'MINE',
        kind: 'stock',
        unit: 'USD per unit',
        currency: 'USD',
        providerSymbols: {},
      });

      const edited = await ok(core, 'instruments.update', { symbol: 'XAUEUR', name: 'Gold (EUR)', providerSymbols: { twelvedata: 'XAU/EUR' } });
      expect(edited).toEqual({ ...gold, name: 'Gold (EUR)', providerSymbols: { twelvedata: 'XAU/EUR' } });

      await restart();
      const listed = (await ok(core, 'instruments.list')).instruments;
      expect(listed.find((i) => i.symbol === 'XAUEUR')).toEqual(edited);
      expect(listed.map((i) => i.symbol)).toContain('MINE');
      expect(changes()).toEqual([
        { symbol: 'XAUEUR', change: 'created' },
        { symbol: 'MINE', change: 'created' },
        { symbol: 'XAUEUR', change: 'updated' },
      ]);
      expect(await auditActions()).toEqual(['instruments.create', 'instruments.create', 'instruments.update']);
    });

    it('keeps the exchange time zone of the built-in listings and of an edited instrument, and refuses an unknown zone', async () => {
      const listed = (await ok(core, 'instruments.list')).instruments;
      expect(listed.find((i) => i.symbol === 'GC=F')?.exchangeTimeZone).toBe('America/New_York');
      expect(listed.find((i) => i.symbol === 'XAUUSD')).not.toHaveProperty('exchangeTimeZone');

      const london = await ok(core, 'instruments.update', { symbol: 'XAUUSD', exchangeTimeZone: 'Europe/London' });
      expect(london.exchangeTimeZone).toBe('Europe/London');
      expect((await ok(core, 'instruments.update', { symbol: 'XAUUSD', name: 'Gold spot' })).exchangeTimeZone).toBe('Europe/London');
      await restart();
      expect((await ok(core, 'instruments.list')).instruments.find((i) => i.symbol === 'XAUUSD')?.exchangeTimeZone).toBe('Europe/London');
      expect(await ok(core, 'instruments.update', { symbol: 'XAUUSD', exchangeTimeZone: null })).not.toHaveProperty('exchangeTimeZone');
      expect(await failure(core, 'instruments.update', { symbol: 'XAUUSD', exchangeTimeZone: 'Mars/Olympus' })).toMatchObject({
        code: 'VALIDATION',
        message: expect.stringContaining('“Mars/Olympus” is not a time zone; use an IANA name such as America/New_York'),
      });
    });

    it('refuses a duplicate, an unknown symbol and invalid fields, changing nothing', async () => {
      const before = await ok(core, 'instruments.list');
      const announced = changes().length;
      expect(await failure(core, 'instruments.create', { symbol: 'xaueur', kind: 'spot' })).toMatchObject({
        code: 'CONFLICT',
        message: expect.stringContaining('XAUEUR'),
      });
      expect(await failure(core, 'instruments.update', { symbol: 'NOPE', name: 'x' })).toMatchObject({ code: 'NOT_FOUND' });
      expect(await failure(core, 'instruments.delete', { symbol: 'NOPE' })).toMatchObject({ code: 'NOT_FOUND' });
      for (const input of [
        { symbol: 'BAD SYMBOL', kind: 'spot' },
        { symbol: 'OK', kind: 'bond' },
        { symbol: 'OK', kind: 'spot', name: '   ' },
        { symbol: 'OK', kind: 'spot', currency: 'US$' },
        { symbol: 'OK', kind: 'spot', providerSymbols: { nasdaq: 'OK' } },
        { symbol: 'OK', kind: 'spot', providerSymbols: { yahoo: '' } },
        { symbol: 'OK', kind: 'spot', colour: 'gold' },
      ]) {
        expect(await failure(core, 'instruments.create', input as never), JSON.stringify(input)).toMatchObject({ code: 'VALIDATION' });
      }
      expect(await failure(core, 'instruments.update', { symbol: 'XAUEUR', kind: 'bond' } as never)).toMatchObject({ code: 'VALIDATION' });
      expect(await ok(core, 'instruments.list')).toEqual(before);
      expect(changes()).toHaveLength(announced);
    });

    it('refuses to delete an instrument holding bars, saying how many, then deletes them when told', async () => {
      await ok(core, 'import.csv', { source: { kind: 'text', fileName: 'a.csv', text: csv(5) }, symbol: 'XAUEUR', timeframe: '1d' });
      await ok(core, 'import.csv', { source: { kind: 'text', fileName: 'b.csv', text: hourlyCsv(3) }, symbol: 'XAUEUR', timeframe: '1h' });
      await ok(core, 'import.csv', { source: { kind: 'text', fileName: 'c.csv', text: csv(2) }, symbol: 'MINE', timeframe: '1d' });
      await core.storage.backfillCheckpoints.save({
        id: 'polygon/XAUEUR/1m/r', provider: 'polygon', symbol: 'XAUEUR', timeframe: '1m', rangeFrom: 0, rangeTo: 86_400_000,
        resumeFrom: 0, rowsWritten: 0, status: 'running', jobRunId: 'run-1', updatedAt: 1,
      });
      const total = (await ok(core, 'system.status')).bars;

      const refused = await failure(core, 'instruments.delete', { symbol: 'XAUEUR' });
      expect(refused).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('8 stored bars'), details: { symbol: 'XAUEUR', bars: 8 } });
      expect(await symbols()).toContain('XAUEUR');
      expect((await ok(core, 'bars.coverage', { symbol: 'XAUEUR' })).coverage).toHaveLength(2);

      expect(await ok(core, 'instruments.delete', { symbol: 'xaueur', deleteBars: true })).toEqual({ symbol: 'XAUEUR', deletedBars: 8 });
      expect(await symbols()).not.toContain('XAUEUR');
      expect((await ok(core, 'bars.coverage')).coverage.map((c) => c.symbol)).not.toContain('XAUEUR');
      expect((await ok(core, 'system.status')).bars).toBe((total ?? 0) - 8);
      expect(await failure(core, 'bars.query', { symbol: 'XAUEUR', timeframe: '1d' })).toMatchObject({ code: 'NOT_FOUND' });
      expect((await ok(core, 'backfill.list')).checkpoints.map((c) => c.symbol)).not.toContain('XAUEUR');
      expect((await ok(core, 'bars.coverage', { symbol: 'MINE' })).coverage).toMatchObject([{ count: 2 }]);
      expect(changes().at(-1)).toEqual({ symbol: 'XAUEUR', change: 'deleted' });
      expect((await auditActions()).at(-1)).toBe('instruments.delete');

      // Its bars are gone for good: the symbol created again starts empty.
      await ok(core, 'instruments.create', { symbol: 'XAUEUR', kind: 'spot' });
      expect((await ok(core, 'bars.coverage', { symbol: 'XAUEUR' })).coverage).toEqual([]);
    });

    it('neither brings back a deleted built-in nor overwrites an edited one when the app starts again', async () => {
      await ok(core, 'instruments.delete', { symbol: 'AAPL' });
      await ok(core, 'instruments.update', { symbol: 'XAGUSD', name: 'Silver, my way', providerSymbols: { yahoo: 'SI=F' } });
      await restart();
      await restart();
      expect(await symbols()).not.toContain('AAPL');
      expect((await ok(core, 'instruments.list')).instruments.find((i) => i.symbol === 'XAGUSD')).toMatchObject({
        name: 'Silver, my way',
        providerSymbols: { yahoo: 'SI=F' },
      });
      // The user may still add it back, as their own.
      await ok(core, 'instruments.create', { symbol: 'AAPL', name: 'Apple', kind: 'stock', unit: 'USD per share' });
      expect(await symbols()).toContain('AAPL');
    });
  });
}

describeInstruments('SQLite');
describeInstruments('Postgres');
