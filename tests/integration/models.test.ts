/**
 * The models service on a real core, on SQLite and on a real (embedded) Postgres: training as a
 * job into the registry, artifacts checked on every load, stage changes with their history,
 * export and import, forecasts that never see past asOf, and the refusals a user meets.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/core/create-core';
import type { EventMessage, MethodInput } from '../../src/shared/contract';
import { useTestPostgres } from '../support/postgres';
import { metaTraderDailyBars } from '../support/shared-data';
import { createTestCore, invokeFailure, invokeOk, testPorts, type TestCore } from '../support/test-core';

const DAY = 86_400_000;
const postgres = useTestPostgres();

const dialects: [string, () => Promise<string | undefined>][] = [
  ['SQLite', async () => undefined],
  ['Postgres', () => postgres.createDatabaseUrl()],
];

describe.each(dialects)('models on %s', (_name, databaseUrl) => {
  let test: TestCore;
  let url: string | undefined;
  let clock = Date.UTC(2026, 0, 1);
  const train = (input: Partial<MethodInput<'models.train'>> = {}) =>
    test.call('models.train', { symbol: 'XAUUSD', timeframe: '1d', modelType: 'naive', wait: true, ...input } as MethodInput<'models.train'>);

  beforeAll(async () => {
    url = await databaseUrl();
    test = await createTestCore({ databaseUrl: url, now: () => clock });
    await test.importRealFile('xauusd-1d-mt4.csv', 'XAUUSD');
  }, 120_000);
  afterAll(() => test?.cleanup());

  it('trains as a job in the worker into the registry: a version with its lineage, its run, its epochs and its first stage', async () => {
    const events: EventMessage[] = [];
    const unsubscribe = test.core.events.subscribe((message) => events.push(message));
    const bars = metaTraderDailyBars();
    const from = bars[bars.length - 400]!.time;
    const small = { modelType: 'lstm', from, epochs: 3, horizon: 2, lookback: 10, hiddenUnits: 4 } as const;
    const { runId, result } = await train(small);
    unsubscribe();
    expect(result).toMatchObject({ version: 1, modelType: 'lstm', evaluation: { horizon: 2, level: 0.9 } });
    expect(['tensorflow', 'wasm', 'cpu']).toContain(result!.backend);
    const detail = await test.call('models.get', { modelId: result!.modelId });
    expect(detail).toMatchObject({
      modelName: 'lstm-1d',
      stage: 'candidate',
      isActive: false,
      horizon: 2,
      backend: result!.backend,
      lineage: { trainingRunId: runId, dataFrom: from, dataTo: bars.at(-1)!.time, appVersion: '0.0.0-test' },
      stageHistory: [{ from: null, to: 'candidate', reason: `trained by run ${runId}` }],
    });
    expect(detail.lineage.dataFingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(detail.artifactPath).toBe(path.join(test.dataDir, 'models', result!.modelId, 'artifact.bin'));
    const epochs = events.filter((m) => m.name === 'training.epoch').map((m) => m.payload as { runId: string; epoch: number; loss: number });
    expect(epochs.map((e) => [e.runId, e.epoch])).toEqual([[runId, 1], [runId, 2], [runId, 3]]);
    expect(detail.lossHistory.map((p) => p.epoch)).toEqual([1, 2, 3]);
    expect(detail.lossHistory.map((p) => p.loss)).toEqual(epochs.map((e) => e.loss));
    expect(events.some((m) => m.name === 'job.progress' && m.payload.runId === runId && m.payload.kind === 'train')).toBe(true);
    expect(events.some((m) => m.name === 'job.finished' && m.payload.runId === runId && m.payload.status === 'succeeded')).toBe(true);
    expect(events.some((m) => m.name === 'models.changed' && m.payload.modelId === result!.modelId)).toBe(true);
    expect(await test.core.storage.trainingRuns.get(runId)).toMatchObject({ status: 'succeeded', epochs: 3, samples: expect.any(Number), backend: result!.backend });

    // The same bars give the same fingerprint, and the same seed the same metrics; the next version gets the next number.
    const again = await train(small);
    expect(again.result!.version).toBe(2);
    expect(again.result!.metrics).toEqual(result!.metrics);
    expect((await test.call('models.get', { modelId: again.result!.modelId })).lineage.dataFingerprint).toBe(detail.lineage.dataFingerprint);
  });

  it('forecasts the same from the artifact after the core is opened again', async () => {
    const { result } = await train({ modelType: 'mlp', from: Date.UTC(2018, 0, 1), to: Date.UTC(2020, 0, 1), epochs: 3, hiddenUnits: 8 });
    const asOf = Date.UTC(2020, 5, 1);
    const first = await test.call('predictions.make', { modelId: result!.modelId, asOf });
    expect(first.predictions).toHaveLength(1);
    const reopened: Core = await createCore(testPorts(test.dataDir, { databaseUrl: url }), { validateOutput: true });
    try {
      expect(await invokeOk(reopened, 'predictions.make', { modelId: result!.modelId, asOf })).toEqual(first);
    } finally {
      await reopened.close();
    }
  });

  it('refuses an artifact with one flipped byte, naming the file, and never uses it', async () => {
    const { result } = await train();
    const { artifactPath } = await test.call('models.get', { modelId: result!.modelId });
    const bytes = await readFile(artifactPath);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    await writeFile(artifactPath, bytes);
    for (const method of ['predictions.make', 'models.export'] as const) {
      const error = await invokeFailure(test.core, method, { modelId: result!.modelId });
      expect(error.code, method).toBe('CORRUPT');
      expect(error.message).toContain(artifactPath);
    }
  });

  it('activates one version per name and symbol, rolls back, archives and deletes, answering which was active on a date', async () => {
    const name = 'gold-naive';
    const v1 = (await train({ modelName: name })).result!;
    const v2 = (await train({ modelName: name })).result!;
    clock = Date.UTC(2026, 1, 1);
    expect(await test.call('models.activate', { modelId: v1.modelId })).toMatchObject({ stage: 'active', isActive: true });
    clock = Date.UTC(2026, 2, 1);
    await test.call('models.activate', { modelId: v2.modelId, reason: 'lower rel_mae' });
    expect(await test.call('models.get', { modelId: v1.modelId })).toMatchObject({ stage: 'candidate', isActive: false });
    clock = Date.UTC(2026, 3, 1);
    await test.call('models.activate', { modelId: v1.modelId, reason: 'roll back' });
    clock = Date.UTC(2026, 4, 1);
    await test.call('models.archive', { modelId: v1.modelId });
    expect((await test.call('models.list', { modelName: name, stage: 'active' })).models).toEqual([]);

    const activeOn = (date: string) => test.core.storage.modelStageHistory.activeAt(name, 'XAUUSD', Date.parse(date));
    expect(await activeOn('2026-01-15')).toBeUndefined();
    expect(await activeOn('2026-02-15')).toBe(v1.modelId);
    expect(await activeOn('2026-03-15')).toBe(v2.modelId);
    expect(await activeOn('2026-04-15')).toBe(v1.modelId);
    expect(await activeOn('2026-05-15')).toBeUndefined();
    const v1History = (await test.call('models.get', { modelId: v1.modelId })).stageHistory.map(({ from, to, reason }) => [from, to, reason]);
    expect(v1History).toEqual([
      [null, 'candidate', expect.stringMatching(/^trained by run /)],
      ['candidate', 'active', 'activated'],
      ['active', 'candidate', 'replaced by v2: lower rel_mae'],
      ['candidate', 'active', 'roll back'],
      ['active', 'archived', 'archived'],
    ]);

    await test.call('models.setStage', { modelId: v2.modelId, stage: 'active' });
    expect(await invokeFailure(test.core, 'models.delete', { modelId: v2.modelId })).toMatchObject({ code: 'CONFLICT' });
    const compared = await test.call('models.compare', { modelIds: [v2.modelId, v1.modelId] });
    expect(compared.models.map((m) => [m.version, m.stage])).toEqual([[2, 'active'], [1, 'archived']]);
    expect(await invokeFailure(test.core, 'models.compare', { modelIds: [v1.modelId, 'no-such-model'] })).toMatchObject({ code: 'NOT_FOUND' });
    const v3 = (await train({ modelName: name, stage: 'shadow' })).result!;
    expect(await test.call('models.get', { modelId: v3.modelId })).toMatchObject({ stage: 'shadow', isActive: false });
    expect((await test.call('models.list', { modelName: name, stage: 'active' })).models.map((m) => m.modelId)).toEqual([v2.modelId]);
    const { artifactPath } = await test.call('models.get', { modelId: v1.modelId });
    expect(await test.call('models.delete', { modelId: v1.modelId })).toEqual({ modelId: v1.modelId, deletedArtifact: true });
    await expect(readFile(artifactPath)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await invokeFailure(test.core, 'models.get', { modelId: v1.modelId })).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('exports a model as one file and imports it as the next version, refusing a changed artifact', async () => {
    const { result } = await train({ modelName: 'exported' });
    const exported = await test.call('models.export', { modelId: result!.modelId });
    expect(exported.path).toBeNull();
    const imported = await test.call('models.import', { content: exported.content! });
    expect(imported).toMatchObject({ modelName: 'exported', version: 2, stage: 'candidate', isActive: false });
    const [original, copy] = await Promise.all([result!.modelId, imported.modelId].map((modelId) => test.call('models.get', { modelId })));
    expect(copy!.artifactSha256).toBe(original!.artifactSha256);
    expect(copy!.lineage).toEqual(original!.lineage);
    expect(copy!.lossHistory).toEqual(original!.lossHistory);
    expect(copy!.stageHistory).toEqual([expect.objectContaining({ from: null, to: 'candidate', reason: expect.stringMatching(/^imported/) })]);
    const asOf = Date.UTC(2021, 0, 4);
    expect((await test.call('predictions.make', { modelId: copy!.modelId, asOf })).predictions).toEqual(
      (await test.call('predictions.make', { modelId: original!.modelId, asOf })).predictions,
    );

    // To a file and back, as the CLI does.
    const file = path.join(test.dataDir, 'export.json');
    expect(await test.call('models.export', { modelId: result!.modelId, path: file })).toMatchObject({ path: file, content: null, bytes: exported.bytes });
    expect((await test.call('models.import', { path: file })).version).toBe(3);

    const content = JSON.parse(exported.content!) as { artifact: { base64: string } };
    const flipped = Buffer.from(content.artifact.base64, 'base64');
    flipped[0]! ^= 0x01;
    content.artifact.base64 = flipped.toString('base64');
    expect(await invokeFailure(test.core, 'models.import', { content: JSON.stringify(content) })).toMatchObject({ code: 'CORRUPT' });
    expect(await invokeFailure(test.core, 'models.import', { content: '{"format":"something else"}' })).toMatchObject({ code: 'VALIDATION' });
    expect((await test.call('models.list', { modelName: 'exported' })).models.map((m) => m.version)).toEqual([3, 2, 1]);
  });

  it('forecasts as of T the same whatever happens to the bars after T, and stores what it forecast', async () => {
    // Ridge reads features (returns, EMAs, RSI, MACD …): none of them at T may move when later bars do.
    const { result } = await train({ modelType: 'ridge', horizon: 3 });
    const bars = metaTraderDailyBars();
    const asOf = bars[bars.length - 200]!.time;
    const before = await test.call('predictions.make', { modelId: result!.modelId, asOf, store: true });
    const latestBefore = await test.call('predictions.make', { modelId: result!.modelId });

    const later = bars.filter((bar) => bar.time > asOf).map((bar) => ({ ...bar, open: bar.open * 2, high: bar.high * 2, low: bar.low * 2, close: bar.close * 2 }));
    await test.core.storage.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1d', source: 'test', bars: later });
    try {
      expect(await test.call('predictions.make', { modelId: result!.modelId, asOf })).toEqual(before);
      // The changed bars are there: a forecast from the latest bar sees them.
      expect((await test.call('predictions.make', { modelId: result!.modelId })).predictions).not.toEqual(latestBefore.predictions);
    } finally {
      await test.core.storage.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1d', source: 'test', bars: bars.filter((bar) => bar.time > asOf) });
    }

    const stored = await test.call('predictions.query', { modelId: result!.modelId });
    expect(stored.predictions).toEqual([
      {
        modelId: result!.modelId,
        madeAt: asOf,
        targetTime: before.predictions[0]!.targetTime,
        horizon: 3,
        predicted: before.predictions[0]!.predicted,
        lower: before.predictions[0]!.lower,
        upper: before.predictions[0]!.upper,
        level: 0.9,
        actual: null,
        naive: bars[bars.length - 200]!.close,
        oodScore: expect.any(Number),
        outOfDistribution: expect.any(Boolean),
      },
    ]);
    expect(stored.performance).toEqual([]);
    const score = { symbol: 'XAUUSD', timeframe: '1d' as const, windowFrom: asOf, windowTo: asOf + 30 * DAY, samples: 30, rmse: 5, mape: 0.2, mase: 1.1 };
    await test.core.storage.modelPerformance.insert({ ...score, modelId: result!.modelId, evaluatedAt: asOf + 30 * DAY, mae: 4, naiveMae: 5, directionalAccuracy: 0.5 });
    expect((await test.call('predictions.query', { symbol: 'XAUUSD', timeframe: '1d' })).performance).toEqual([
      { modelId: result!.modelId, evaluatedAt: asOf + 30 * DAY, samples: 30, mae: 4, naiveMae: 5, relMae: 0.8, directionalAccuracy: 0.5 },
    ]);
  });

  it('refuses an unknown model or symbol, and a range with too few bars saying how many are needed', async () => {
    expect(await invokeFailure(test.core, 'predictions.make', { modelId: 'no-such-model' })).toMatchObject({ code: 'NOT_FOUND' });
    const { result } = await train({ modelType: 'ridge' });
    const firstBars = metaTraderDailyBars().slice(0, 3);
    expect(await invokeFailure(test.core, 'predictions.make', { modelId: result!.modelId, asOf: firstBars[2]!.time })).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('has only 3 1d bars up to'),
    });
    expect(await invokeFailure(test.core, 'predictions.make', { modelId: result!.modelId, asOf: firstBars[0]!.time - DAY })).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/^There are no 1d bars of XAUUSD at or before/),
    });
    expect(await invokeFailure(test.core, 'models.activate', { modelId: 'no-such-model' })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await invokeFailure(test.core, 'models.train', { symbol: 'NOPE', timeframe: '1d', modelType: 'naive' })).toMatchObject({ code: 'NOT_FOUND' });
    const from = Date.UTC(2020, 0, 1);
    const error = await invokeFailure(test.core, 'models.train', { symbol: 'XAUUSD', timeframe: '1d', modelType: 'naive', from, to: from + 40 * DAY });
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toMatch(/needs at least \d+ bars .*; the range holds \d+\./);
    expect(error.details).toMatchObject({ needed: expect.any(Number), available: expect.any(Number) });
    expect(await invokeFailure(test.core, 'models.train', { symbol: 'XAUUSD', timeframe: '1d', modelType: 'naive', preset: 'daily_lstm' })).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('daily_lstm'),
    });
  });

  it('trains spot_12h on the last 12 hours of spot snapshots as 1m bars, or on the stored 1m bars when there are too few', async () => {
    const minute = 60_000;
    const now = Math.floor(Date.now() / minute) * minute;
    // Two snapshots a minute for 200 minutes, inside the view's 12 hours; one 13 hours old that it leaves out.
    for (let i = 0; i < 200; i++) {
      for (const [offset, price] of [[5_000, 2_000 + i], [35_000, 2_000.5 + i]] as const) {
        await test.core.storage.spotPrices.insert({ metal: 'XAUUSD', price, timestamp: now - (200 - i) * minute + offset, source: 'metalsapi' });
      }
    }
    await test.core.storage.spotPrices.insert({ metal: 'XAUUSD', price: 1, timestamp: now - 13 * 3_600_000, source: 'metalsapi' });
    const fromSnapshots = await train({ preset: 'spot_12h', timeframe: '1m' });
    expect(await test.core.storage.trainingRuns.get(fromSnapshots.runId)).toMatchObject({
      modelName: 'spot_12h',
      dataFrom: now - 200 * minute,
      dataTo: now - minute,
      hyperparameters: expect.objectContaining({ preset: 'spot_12h', dataSource: 'spot snapshots' }),
    });

    // No snapshots of silver, but 1m bars: the 12 hours up to the latest bar.
    const start = Date.UTC(2025, 0, 6);
    const bars = Array.from({ length: 1_000 }, (_, i) => ({ time: start + i * minute, open: 30 + i / 100, high: 30.1 + i / 100, low: 29.9 + i / 100, close: 30 + (i % 7) / 50, volume: 1 }));
    await test.core.storage.marketData.upsertBars({ symbol: 'XAGUSD', timeframe: '1m', source: 'test', bars });
    const fromBars = await train({ preset: 'spot_12h', timeframe: '1m', symbol: 'XAGUSD' });
    expect(await test.core.storage.trainingRuns.get(fromBars.runId)).toMatchObject({
      dataFrom: bars.at(-1)!.time - 719 * minute,
      dataTo: bars.at(-1)!.time,
      hyperparameters: expect.objectContaining({ dataSource: '1m bars' }),
    });
    expect(await invokeFailure(test.core, 'models.train', { symbol: 'XAGUSD', timeframe: '1d', modelType: 'naive', preset: 'spot_12h' })).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('spot_12h'),
    });
  });

  it('leaves a cancelled training as a cancelled training run and registers nothing', async () => {
    const before = (await test.call('models.list', {})).models.length;
    const firstEpoch = new Promise<string>((resolve) => {
      const unsubscribe = test.core.events.subscribe((message) => {
        if (message.name === 'training.epoch') {
          unsubscribe();
          resolve(message.payload.runId);
        }
      });
    });
    const { runId, result } = await train({ wait: false, modelType: 'gru', epochs: 1_000, patience: 100, lookback: 10, hiddenUnits: 4, modelName: 'cancelled' });
    expect(result).toBeNull();
    expect(await firstEpoch).toBe(runId);
    expect((await test.call('jobs.cancel', { runId })).cancelled).toBe(true);
    await expect.poll(async () => (await test.core.storage.trainingRuns.get(runId))?.status, { timeout: 20_000 }).toBe('cancelled');
    const run = await test.core.storage.trainingRuns.get(runId);
    expect(run).toMatchObject({ modelType: 'gru', error: expect.stringMatching(/cancel/i), metrics: null });
    expect(run!.lossHistory.length).toBeGreaterThan(0);
    expect(run!.lossHistory.length).toBeLessThan(1_000);
    expect((await test.call('models.list', {})).models).toHaveLength(before);
    expect((await test.core.storage.jobRuns.get(runId))?.status).toBe('cancelled');
  });

  it('ends the training run of a core closed mid-fit, by the next start at the latest', async () => {
    const closing: Core = await createCore(testPorts(test.dataDir, { databaseUrl: url }), { validateOutput: true });
    const firstEpoch = new Promise<void>((resolve) => closing.events.subscribe((message) => message.name === 'training.epoch' && resolve()));
    const started = await invokeOk(closing, 'models.train', { symbol: 'XAUUSD', timeframe: '1d', modelType: 'gru', epochs: 1_000, patience: 100, lookback: 10, hiddenUnits: 4 });
    await firstEpoch;
    await closing.close();
    const reopened: Core = await createCore(testPorts(test.dataDir, { databaseUrl: url }), { validateOutput: true });
    try {
      expect((await reopened.storage.trainingRuns.get(started.runId))?.status).toMatch(/^(cancelled|failed)$/);
    } finally {
      await reopened.close();
    }
  });
});
