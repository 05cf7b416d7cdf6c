import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EventBus } from '../../src/core/events';
import { Backfills } from '../../src/core/backfill/backfill';
import { instrumentCatalogue } from '../../src/core/instruments/catalogue';
import { JobRunner } from '../../src/core/jobs/job-runner';
import { ProviderTurns } from '../../src/core/jobs/provider-turns';
import { createPolygonAdapter } from '../../src/core/providers/polygon';
import { openStorage } from '../../src/core/storage/open-storage';
import type { MarketDataRepository, Storage } from '../../src/core/storage/types';
import { FakeProviderServer, syntheticBar } from '../support/fake-provider-server';
import { silentLogger } from '../support/silent-logger';

const MINUTE = 60_000;
const NOW = Date.UTC(2025, 1, 20, 12);
const FROM = Date.UTC(2025, 0, 1);
/** One Polygon page (up to 50,000 bars), so the backfill writes it in batches. */
const BARS = 12_000;

let fake: FakeProviderServer;
let dataDir: string;
let storage: Storage;

beforeAll(async () => {
  fake = await FakeProviderServer.start({ now: NOW, polygonPageSize: 50_000 });
  dataDir = await mkdtemp(path.join(tmpdir(), 'metalytics-batches-'));
  storage = await openStorage({ dataDir, logger: silentLogger() });
});

afterAll(async () => {
  await storage?.close();
  await fake?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it('writes a large page in batches, each with its checkpoint, and resumes after the last batch that committed', async () => {
  const writes: { bars: number; resumeFrom: number }[] = [];
  let failingWrite: number | undefined = 3;
  // The storage fails the third write of the page, as a full disk would.
  const marketData = new Proxy(storage.marketData, {
    get(target, name, receiver) {
      if (name !== 'upsertBarsWithCheckpoint') return Reflect.get(target, name, receiver);
      const write: MarketDataRepository['upsertBarsWithCheckpoint'] = async (input, checkpoint) => {
        writes.push({ bars: input.bars.length, resumeFrom: checkpoint.resumeFrom });
        if (writes.length === failingWrite) throw new Error('disk full');
        return target.upsertBarsWithCheckpoint(input, checkpoint);
      };
      return write;
    },
  });
  const logger = silentLogger();
  const events = new EventBus();
  const now = () => NOW;
  const backfills = new Backfills({
    storage: { ...storage, marketData },
    jobs: new JobRunner(storage.jobRuns, events, logger, now, { owner: 'write-batches-test' }),
    events,
    logger,
    now,
    turns: new ProviderTurns(),
  });
  const adapter = createPolygonAdapter({
    config: { apiKey: fake.state.keys.polygon, baseUrl: fake.baseUrl('polygon'), rateLimitPerMinute: 0 },
    logger,
  });
  const request = { adapter, instrument: instrumentCatalogue.find((i) => i.symbol === 'XAUUSD')!, timeframe: '1m' as const, from: FROM, to: FROM + BARS * MINUTE };

  const first = await backfills.backfillRange(request);
  await expect(first.finished).rejects.toThrow('disk full');
  expect(writes).toEqual([
    { bars: 5000, resumeFrom: FROM + 4999 * MINUTE + 1 },
    { bars: 5000, resumeFrom: FROM + 9999 * MINUTE + 1 },
    { bars: 2000, resumeFrom: FROM + (BARS - 1) * MINUTE + 1 },
  ]);
  expect(await storage.backfillCheckpoints.get(first.checkpointId)).toMatchObject({ resumeFrom: FROM + 9999 * MINUTE + 1, rowsWritten: 10_000 });
  expect(await storage.marketData.countBars()).toBe(10_000);

  failingWrite = undefined;
  const second = await backfills.backfillRange(request);
  expect(await second.finished).toMatchObject({ resumed: true, received: 2000, inserted: 2000, unchanged: 0 });
  expect(fake.requestsTo('polygon').at(-1)!.path).toMatch(new RegExp(`/range/1/minute/${FROM + 9999 * MINUTE + 1}/`));
  expect(await storage.backfillCheckpoints.get(first.checkpointId)).toMatchObject({ status: 'done', rowsWritten: BARS });
  const { bars } = await storage.marketData.queryBars({ symbol: 'XAUUSD', timeframe: '1m' });
  expect(bars).toEqual(Array.from({ length: BARS }, (_, i) => ({ time: FROM + i * MINUTE, ...syntheticBar('C:XAUUSD', FROM + i * MINUTE, MINUTE) })));
});
