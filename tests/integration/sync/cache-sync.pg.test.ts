import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../../src/core/storage/types';
import { pendingChanges } from '../../../src/core/sync/cache-sync';
import { useTestPostgres } from '../../support/postgres';
import { DAY, minuteBars, openDesktop, openPrimary, syncedContent, type Desktop } from '../../support/sync-desktops';

describe('cache sync on Postgres', () => {
  const postgres = useTestPostgres();
  let primary: Storage;
  let desk: Desktop;
  const start = Date.UTC(2024, 0, 2);
  const scope = [{ symbol: 'XAUUSD', timeframes: ['1m' as const], days: null }];

  beforeAll(async () => {
    primary = await openPrimary(await postgres.createDatabaseUrl());
    desk = await openDesktop('alpha');
  });
  afterAll(async () => {
    await desk?.close();
    await primary?.close();
  });

  it('pulls the primary, then pushes offline writes, and both converge', async () => {
    await primary.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1m', source: 'yahoo', bars: minuteBars(start, 3000, 7) });
    const first = await desk.sync(primary, scope);
    expect(first.pulledRows).toBeGreaterThanOrEqual(3000);
    expect(await pendingChanges(desk.cache)).toBe(0);
    await desk.cache.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1m', source: 'import', bars: minuteBars(start + 3 * DAY, 500, 9) });
    await desk.cache.alerts.raise({ createdAt: start, severity: 'info', source: 'test', message: 'offline' });
    expect(await pendingChanges(desk.cache)).toBe(501);
    const second = await desk.sync(primary, scope);
    expect(second.pushedRows).toBe(501);
    expect(await pendingChanges(desk.cache)).toBe(0);
    expect(await syncedContent(desk.cache)).toEqual(await syncedContent(primary));
  });
});
