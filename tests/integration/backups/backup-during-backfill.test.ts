/**
 * A backup taken while a backfill from the fake Polygon server writes restores to a state that
 * existed: its minute bars are a prefix of the backfill's sequence, and the coverage agrees.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bar } from '../../../src/shared/domain';
import { FakeProviderServer, syntheticBar } from '../../support/fake-provider-server';
import { createTestCore, type TestCore } from '../../support/test-core';

const MINUTE = 60_000;
const NOW = Date.UTC(2025, 1, 20, 12);
const FROM = Date.UTC(2025, 0, 1);
const TO = Date.UTC(2025, 1, 10);

describe('a backup while a backfill writes', () => {
  let fake: FakeProviderServer;
  let source: TestCore;
  let restored: TestCore;
  beforeAll(async () => {
    fake = await FakeProviderServer.start({ now: NOW, polygonPageSize: 1000 });
    source = await createTestCore({ now: () => NOW, environment: fake.environment('polygon') });
    restored = await createTestCore();
  });
  afterAll(async () => {
    await source?.cleanup();
    await restored?.cleanup();
    await fake?.close();
  });

  it('restores to a prefix of the backfill with coverage that agrees', async () => {
    const firstPage = new Promise<void>((resolve) => {
      const stop = source.core.events.subscribe((message) => {
        if (message.name === 'bars.changed') {
          stop();
          resolve();
        }
      });
    });
    const started = await source.call('backfill.start', { provider: 'polygon', symbol: 'XAUUSD', timeframe: '1m', from: FROM, to: TO });
    await firstPage;
    const { backup } = await source.call('backups.create', { wait: true });
    const stillRunning = (await source.call('jobs.runs', { kind: 'backfill' })).runs.find((r) => r.id === started.jobId)?.status === 'running';

    await restored.call('backups.restore', { path: backup!.path, wait: true });
    const { bars } = await restored.call('bars.query', { symbol: 'XAUUSD', timeframe: '1m', from: FROM, to: TO });
    const expected: Bar[] = [];
    for (let time = FROM; time < FROM + bars.length * MINUTE; time += MINUTE) expected.push({ time, ...syntheticBar('C:XAUUSD', time, MINUTE) });
    expect(bars.length).toBeGreaterThan(0);
    expect(bars).toEqual(expected);
    const { coverage } = await restored.call('bars.coverage', { symbol: 'XAUUSD' });
    expect(coverage.find((c) => c.timeframe === '1m')).toMatchObject({ count: bars.length, first: FROM, last: FROM + (bars.length - 1) * MINUTE });
    // Taken mid-way, it holds fewer bars than the backfill ends with.
    if (stillRunning) expect(bars.length).toBeLessThan((TO - FROM) / MINUTE);
  }, 240_000);
});
