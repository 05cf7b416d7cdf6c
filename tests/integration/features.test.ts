/**
 * Feature sets materialised into feature_store and training runs as an audit trail, on a real
 * core on SQLite and on a real (embedded) Postgres. The stored rows are checked against the
 * pipeline's own features of the same bars, read independently from the shared file.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBarColumns } from '../../src/core/models/pipeline/bar-columns';
import { computeFeatures, featureRecord } from '../../src/core/models/pipeline/features';
import type { MethodInput } from '../../src/shared/contract';
import type { Bar } from '../../src/shared/domain';
import { useTestPostgres } from '../support/postgres';
import { metaTraderDailyBars } from '../support/shared-data';
import { createTestCore, invokeFailure, type TestCore } from '../support/test-core';

const postgres = useTestPostgres();

const dialects: [string, () => Promise<string | undefined>][] = [
  ['SQLite', async () => undefined],
  ['Postgres', () => postgres.createDatabaseUrl()],
];

/** What the pipeline computes for these bars: every complete row, keyed by time. */
function pipelineRows(bars: readonly Bar[]): { time: number; features: Record<string, number> }[] {
  const matrix = computeFeatures(toBarColumns([...bars]), '1d');
  return bars.slice(matrix.firstComplete).map((bar, i) => ({ time: bar.time, features: featureRecord(matrix, matrix.firstComplete + i) }));
}

describe.each(dialects)('features and training runs on %s', (_name, databaseUrl) => {
  let test: TestCore;
  let clock = Date.UTC(2026, 0, 1);
  const bars = metaTraderDailyBars();
  const from = bars[bars.length - 600]!.time;
  const materialize = (input: Partial<MethodInput<'features.materialize'>> = {}) =>
    test.call('features.materialize', { symbol: 'XAUUSD', timeframe: '1d', from, ...input });
  const stored = async (input: Partial<MethodInput<'features.query'>> = {}) =>
    (await test.call('features.query', { symbol: 'XAUUSD', timeframe: '1d', limit: 10_000, ...input })).rows;

  beforeAll(async () => {
    test = await createTestCore({ databaseUrl: await databaseUrl(), now: () => clock });
    await test.importRealFile('xauusd-1d-mt4.csv', 'XAUUSD');
  }, 120_000);
  afterAll(() => test?.cleanup());

  it('stores exactly the features the pipeline computes for the same bars, the set and columns a model trained on them records', async () => {
    const result = await materialize();
    const expected = pipelineRows(bars.filter((bar) => bar.time >= from));
    expect(result).toMatchObject({ symbol: 'XAUUSD', timeframe: '1d', featureSetVersion: 'v1', rows: expected.length, from: expected[0]!.time, to: bars.at(-1)!.time });
    expect(expected.length).toBeGreaterThan(500);
    expect((await stored()).map(({ time, features }) => ({ time, features }))).toEqual(expected);
    expect((await test.core.storage.jobRuns.get(result.runId))).toMatchObject({ kind: 'features', status: 'succeeded', rows: expected.length });

    const { result: trained } = await test.call('models.train', { symbol: 'XAUUSD', timeframe: '1d', modelType: 'ridge', from, wait: true });
    const model = await test.call('models.get', { modelId: trained!.modelId });
    expect(model.featureSetVersion).toBe(result.featureSetVersion);
    expect(model.featureColumns).toEqual(result.columns);
    expect(model.lineage.dataFrom).toBe(from);

    // The latest rows only, still oldest first.
    expect((await stored({ limit: 2 })).map((row) => row.time)).toEqual(expected.slice(-2).map((row) => row.time));
  });

  it('keeps the rows at T whatever happens to the bars after T', async () => {
    const asOf = bars[bars.length - 100]!.time;
    await materialize({ to: asOf });
    const before = await stored();
    expect(before.at(-1)!.time).toBe(asOf);
    const later = bars.filter((bar) => bar.time > asOf).map((bar) => ({ ...bar, open: bar.open * 2, high: bar.high * 2, low: bar.low * 2, close: bar.close * 2 }));
    await test.core.storage.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1d', source: 'test', bars: later });
    try {
      await materialize();
      const after = await stored();
      expect(after.filter((row) => row.time <= asOf).map(({ time, features }) => ({ time, features }))).toEqual(before.map(({ time, features }) => ({ time, features })));
      // The changed bars are there: the rows after T moved.
      const changed = after.find((row) => row.time > asOf + 40 * 86_400_000)!;
      expect(changed.features).not.toEqual(pipelineRows(bars.filter((bar) => bar.time >= from)).find((row) => row.time === changed.time)!.features);
    } finally {
      await test.core.storage.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1d', source: 'test', bars: bars.filter((bar) => bar.time > asOf) });
    }
  });

  it('replaces the set\'s rows of the series when materialised again, the same rows for the same bars', async () => {
    const first = await materialize();
    const rows = await stored();
    clock += 60_000;
    expect(await materialize()).toMatchObject({ rows: first.rows, from: first.from, to: first.to });
    const again = await stored();
    expect(again.map(({ time, features }) => ({ time, features }))).toEqual(rows.map(({ time, features }) => ({ time, features })));
    expect(new Set(again.map((row) => row.computedAt))).toEqual(new Set([clock]));

    // A narrower range leaves only its own rows.
    const narrower = await materialize({ from: bars[bars.length - 200]!.time });
    const left = await stored();
    expect(left).toHaveLength(narrower.rows);
    expect(left[0]!.time).toBe(narrower.from);
  });

  it('refuses an unknown symbol, a range shorter than the warm-up and an unknown set version', async () => {
    expect(await invokeFailure(test.core, 'features.materialize', { symbol: 'NOPE', timeframe: '1d' })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await invokeFailure(test.core, 'features.query', { symbol: 'NOPE', timeframe: '1d', limit: 10 })).toMatchObject({ code: 'NOT_FOUND' });
    const short = await invokeFailure(test.core, 'features.materialize', { symbol: 'XAUUSD', timeframe: '1d', from: bars[bars.length - 30]!.time });
    expect(short).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/needs more than 60 bars .* holds 30/) });
    expect(await invokeFailure(test.core, 'features.materialize', { symbol: 'XAUUSD', timeframe: '1d', featureSetVersion: 'v9' } as never)).toMatchObject({ code: 'VALIDATION' });
    expect(await invokeFailure(test.core, 'features.materialize', { symbol: 'XAUUSD', timeframe: '1h' })).toMatchObject({ code: 'VALIDATION' });
  });

  it('lists training runs, succeeded, failed and cancelled, with their params, data, samples, backend, error, losses and model', async () => {
    const base = { symbol: 'XAUUSD', timeframe: '1d', from, modelName: 'audited' } as const;
    clock += 60_000;
    const succeeded = await test.call('models.train', { ...base, modelType: 'mlp', epochs: 2, lookback: 5, hiddenUnits: 4, wait: true });

    // An artifact that cannot be written: the fit succeeds, registering it fails.
    clock += 60_000;
    const modelsDir = path.join(test.dataDir, 'models');
    await rename(modelsDir, `${modelsDir}.aside`);
    await writeFile(modelsDir, 'not a folder');
    let failedRunId: string;
    try {
      const started = await test.call('models.train', { ...base, modelType: 'naive', wait: false });
      failedRunId = started.runId;
      await expect.poll(async () => (await test.core.storage.trainingRuns.get(failedRunId))?.status, { timeout: 20_000 }).toBe('failed');
    } finally {
      await rm(modelsDir);
      await rename(`${modelsDir}.aside`, modelsDir);
      await mkdir(modelsDir, { recursive: true });
    }

    clock += 60_000;
    const cancelled = await test.call('models.train', { ...base, modelType: 'gru', epochs: 1_000, patience: 100, lookback: 10, hiddenUnits: 4, wait: false });
    await expect.poll(async () => (await test.core.storage.trainingRuns.get(cancelled.runId))?.status, { timeout: 20_000 }).toBe('running');
    expect((await test.call('jobs.cancel', { runId: cancelled.runId })).cancelled).toBe(true);
    await expect.poll(async () => (await test.core.storage.trainingRuns.get(cancelled.runId))?.status, { timeout: 20_000 }).toBe('cancelled');

    const { runs } = await test.call('models.runs', { modelName: 'audited', limit: 10 });
    expect(runs.map((run) => [run.runId, run.status])).toEqual([
      [cancelled.runId, 'cancelled'],
      [failedRunId, 'failed'],
      [succeeded.runId, 'succeeded'],
    ]);
    const [cancelledRun, failedRun, succeededRun] = runs;
    expect(succeededRun).toMatchObject({
      modelType: 'mlp',
      symbols: ['XAUUSD'],
      timeframe: '1d',
      target: 'log_return(close, +1)',
      horizon: 1,
      dataFrom: from,
      dataTo: bars.at(-1)!.time,
      params: expect.objectContaining({ modelType: 'mlp', epochs: 2, lookback: 5, hiddenUnits: 4, seed: 42 }),
      featureSetVersion: 'v1',
      backend: succeeded.result!.backend,
      error: null,
      samples: expect.any(Number),
      epochs: succeededRun!.lossHistory.length,
      metrics: succeeded.result!.metrics,
      jobRunId: succeeded.runId,
      modelId: succeeded.result!.modelId,
      finishedAt: expect.any(Number),
    });
    expect(succeededRun!.lossHistory.length).toBeGreaterThan(0);
    expect(failedRun).toMatchObject({ modelType: 'naive', backend: 'js', error: expect.stringMatching(/ENOTDIR|EEXIST|not a directory/i), samples: null, metrics: null, modelId: null });
    expect(cancelledRun).toMatchObject({ modelType: 'gru', error: expect.stringMatching(/cancel/i), modelId: null, finishedAt: expect.any(Number) });

    expect((await test.call('models.runs', { status: 'failed', limit: 10 })).runs.map((run) => run.runId)).toEqual([failedRunId]);
    expect((await test.call('models.runs', { symbol: 'XAUUSD', limit: 2 })).runs.map((run) => run.runId)).toEqual([cancelled.runId, failedRunId]);
    expect((await test.call('models.runs', { symbol: 'BTCUSDT', limit: 10 })).runs).toEqual([]);
  }, 60_000);
});
