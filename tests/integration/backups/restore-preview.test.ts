/**
 * `backups.preview` on real data: what a restore would lose or gain per instrument and
 * timeframe, rows per table, and what else comes with the archive; and the sentences alone.
 */
import { copyFile, truncate } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeChange, describeSpan } from '../../../src/core/backups/restore/preview';
import { createTestCore, invokeFailure, type TestCore } from '../../support/test-core';

const DAY = 86_400_000;

describe('the sentences', () => {
  const extent = (first: string, last: string, count: number) => ({ first: Date.parse(first), last: Date.parse(last), count });

  it('says what is lost or gained at either end, or within the same span', () => {
    const now = extent('2020-01-01', '2026-12-04', 1000);
    expect(describeChange('XAUUSD', '1m', now, extent('2020-01-01', '2026-12-01', 990))).toBe('you lose 3 days of XAUUSD 1m bars');
    expect(describeChange('BTCUSD', '1d', now, extent('2014-09-17', '2026-12-04', 3000))).toBe('you gain 2014–2020 of BTCUSD 1d bars');
    expect(describeChange('BTCUSD', '1d', now, extent('2014-09-17', '2026-12-01', 3000))).toBe(
      'you gain 2014–2020 of BTCUSD 1d bars at the start and lose 3 days at the end',
    );
    expect(describeChange('XAUUSD', '1h', now, extent('2020-01-01', '2026-12-04', 880))).toBe('you lose 120 bars of XAUUSD 1h within 2020–2026');
    expect(describeChange('XAUUSD', '1h', now, extent('2020-01-01', '2026-12-04', 1001))).toBe('you gain 1 bar of XAUUSD 1h within 2020–2026');
    expect(describeChange('XAUUSD', '1h', now, now)).toBeNull();
    expect(describeChange('GOLD', '1M', now, null)).toBe('you lose all 1,000 bars of GOLD 1M (2020–2026)');
    expect(describeChange('GOLD', '1M', null, now)).toBe('you gain 2020–2026 of GOLD 1M bars (1,000 bars)');
  });

  it('gives short spans in days, hours or minutes', () => {
    expect(describeSpan(0, 2 * DAY)).toBe('2 days');
    expect(describeSpan(0, 5 * 3_600_000)).toBe('5 hours');
    expect(describeSpan(0, 60_000)).toBe('1 minute');
    expect(describeSpan(Date.parse('2017-01-01'), Date.parse('2017-12-31T12:00:00Z') + 2 * DAY)).toBe('2017–2018');
  });
});

describe('backups.preview on real data', () => {
  let test: TestCore;
  let btcBars: number;
  let backupId: string;

  beforeAll(async () => {
    test = await createTestCore();
    await test.importRealFile('xauusd-1d-mt4.csv', 'XAUUSD');
    backupId = (await test.call('backups.create', { wait: true })).backupId;
    btcBars = (await test.importRealFile('btc-usd-1d-yahoo.csv', 'BTCUSD')).inserted;
    const [gold] = await test.core.storage.marketData.coverage('XAUUSD');
    const bars = [1, 2, 3].map((n) => ({ time: gold!.last + n * DAY, open: 2000, high: 2001, low: 1999, close: 2000, volume: 1 }));
    await test.core.storage.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1d', source: 'test', bars });
  }, 120_000);
  afterAll(() => test?.cleanup());

  it('says what restoring the backup would lose, per series and table, and changes nothing', async () => {
    const before = await test.core.storage.marketData.coverage();
    const preview = await test.call('backups.preview', { id: backupId });
    expect(preview.report.ok).toBe(true);
    expect(preview.changes.map((c) => [c.symbol, c.timeframe, c.sentence])).toEqual([
      ['BTCUSD', '1d', expect.stringMatching(new RegExp(`^you lose all ${btcBars.toLocaleString('en-US')} bars of BTCUSD 1d \\(2014–20\\d\\d\\)$`))],
      ['XAUUSD', '1d', 'you lose 3 days of XAUUSD 1d bars'],
    ]);
    const gold = preview.changes.find((c) => c.symbol === 'XAUUSD')!;
    expect(gold.current!.count - gold.archive!.count).toBe(3);
    expect(gold.current!.first).toBe(gold.archive!.first);
    expect(preview.tables.find((t) => t.name === 'market_data')).toEqual({ name: 'market_data', current: expect.any(Number), archive: expect.any(Number) });
    const marketData = preview.tables.find((t) => t.name === 'market_data')!;
    expect(marketData.current - marketData.archive).toBe(btcBars + 3);
    expect(preview.tables.map((t) => t.name)).not.toContain('backups');
    expect(preview.alsoRestored).toEqual(['no model files', 'settings', 'no secrets']);
    expect(await test.core.storage.marketData.coverage()).toEqual(before);
  }, 120_000);

  it('says what a restore would gain back', async () => {
    const later = (await test.call('backups.create', { wait: true, passphrase: 'a passphrase of length' })).backupId;
    const [btc] = await test.core.storage.marketData.coverage('BTCUSD');
    await test.call('instruments.delete', { symbol: 'BTCUSD', deleteBars: true });
    const preview = await test.call('backups.preview', { id: later });
    const years = `${new Date(btc!.first).getUTCFullYear()}–${new Date(btc!.last).getUTCFullYear()}`;
    expect(years).toMatch(/^2014–20\d\d$/);
    expect(preview.changes.map((c) => c.sentence)).toEqual([`you gain ${years} of BTCUSD 1d bars (${btcBars.toLocaleString('en-US')} bars)`]);
    expect(preview.alsoRestored).toEqual(['no model files', 'settings', 'secrets (sealed)']);
  }, 120_000);

  it('answers a damaged archive with its report, and an unknown backup with NOT_FOUND', async () => {
    const backup = await test.core.storage.backups.get(backupId);
    const damaged = path.join(test.dataDir, 'truncated.mlbackup');
    await copyFile(backup!.path, damaged);
    await truncate(damaged, 1000);
    const preview = await test.call('backups.preview', { path: damaged });
    expect(preview).toMatchObject({ report: { ok: false, manifest: null }, changes: [], tables: [], alsoRestored: [] });
    expect(preview.report.problems[0]!.message).toMatch(/truncated or unfinished/);
    expect(await invokeFailure(test.core, 'backups.preview', { id: 'no-such-backup' })).toMatchObject({ code: 'NOT_FOUND' });
  }, 120_000);
});
