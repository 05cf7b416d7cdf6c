/**
 * Live tracking on a real core, on SQLite and on a real (embedded) Postgres: bars land, the
 * predict job forecasts with the active and the shadow version, the next bars score them,
 * model_performance holds the rolling scores beside naive, drift raises one alert and retrains,
 * a model worse than naive is flagged for retirement, and the live DM gate refuses a shadow
 * with no skill. Real gold prices (xauusd-1d-mt4.csv) until a flat stretch forces the drift.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PredictionRecord } from '../../src/core/storage/types';
import type { Bar } from '../../src/shared/domain';
import type { IngestJob } from '../../src/shared/scheduler';
import { PSI_MIN_SAMPLES } from '../../src/shared/model-verdicts';
import { useTestPostgres } from '../support/postgres';
import { metaTraderDailyBars } from '../support/shared-data';
import { createTestCore, type TestCore } from '../support/test-core';

const DAY = 86_400_000;
const WINDOW = 10;
const postgres = useTestPostgres();

const dialects: [string, () => Promise<string | undefined>][] = [
  ['SQLite', async () => undefined],
  ['Postgres', () => postgres.createDatabaseUrl()],
];

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let waited = 0; waited < 20_000; waited += 20) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting until ${what}`);
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

describe.each(dialects)('live predictions on %s', (_name, databaseUrl) => {
  let test: TestCore;
  let job: IngestJob;
  let activeId: string;
  let shadowId: string;
  const bars = metaTraderDailyBars();
  const cut = bars.length - 40;
  const landed: Bar[] = bars.slice(0, cut);

  const runsOfJob = async () => test.core.storage.jobRuns.list({ ingestJobId: job.id, limit: 1_000 });
  /** A bar arrives as a backfill delivers it: stored, then announced; answers once the predict run it starts has ended. */
  const land = async (bar: Bar) => {
    const before = (await runsOfJob()).length;
    await test.core.storage.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1d', source: 'test', bars: [bar] });
    landed.push(bar);
    test.core.events.emit('bars.appended', { symbol: 'XAUUSD', timeframe: '1d', source: 'test', bars: [bar] });
    await until(async () => {
      const runs = await runsOfJob();
      return runs.length > before && runs.every((run) => run.status !== 'running');
    }, 'the predict run ends');
    const [latest] = await runsOfJob();
    expect(latest).toMatchObject({ kind: 'predict', status: 'succeeded' });
  };
  const predictionsOf = async (modelId: string): Promise<PredictionRecord[]> => test.core.storage.predictions.query({ modelId, limit: 10_000 });
  const modelAlerts = async (modelId: string, code: string) =>
    (await test.call('alerts.list', { unacknowledgedOnly: false, limit: 500 })).alerts.filter((alert) => alert.source === `model:${modelId}` && alertCode(alert.message) === code);
  const alertCode = (message: string) => (message.includes('flagged for retirement') ? 'retirement' : message.includes('drifted') ? 'drift' : 'other');

  beforeAll(async () => {
    test = await createTestCore({ databaseUrl: await databaseUrl() });
    await test.core.storage.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1d', source: 'test', bars: landed });
    const active = await test.call('models.train', { symbol: 'XAUUSD', timeframe: '1d', modelType: 'drift', modelName: 'gold-daily', wait: true });
    activeId = active.result!.modelId;
    await test.call('models.activate', { modelId: activeId });
    // A challenger of the same name: naive, which has no skill over naive by definition.
    const shadow = await test.call('models.train', { symbol: 'XAUUSD', timeframe: '1d', modelType: 'naive', modelName: 'gold-daily', stage: 'shadow', wait: true });
    shadowId = shadow.result!.modelId;
    job = await test.call('jobs.create', {
      name: 'Forecast gold daily',
      kind: 'predict',
      symbols: ['XAUUSD'],
      timeframe: '1d',
      schedule: null,
      tracking: { window: WINDOW, onDrift: 'retrain', retireAfter: 1_000 },
    });
    test.core.scheduler.start();
  }, 120_000);
  afterAll(() => test?.cleanup());

  it('forecasts with the active and the shadow version when bars land, once per target', async () => {
    expect(job).toMatchObject({ kind: 'predict', provider: null });
    const bar = bars[cut]!;
    await land(bar);
    for (const modelId of [activeId, shadowId]) {
      expect(await predictionsOf(modelId)).toEqual([expect.objectContaining({ madeAt: bar.time, horizon: 1, naive: bar.close, actual: null, scoredAt: null })]);
    }
    // Run again on the same bars: the same targets, not a second copy.
    await test.call('jobs.runNow', { id: job.id });
    await until(async () => (await runsOfJob()).length === 2 && (await runsOfJob()).every((run) => run.status !== 'running'), 'the second run ends');
    expect(await predictionsOf(activeId)).toHaveLength(1);
    expect(await predictionsOf(shadowId)).toHaveLength(1);
  });

  it('scores each prediction when its next bar arrives, and model_performance equals an independent computation', async () => {
    for (const bar of bars.slice(cut + 1, cut + 13)) await land(bar);
    const closeAt = new Map(landed.map((bar) => [bar.time, bar.close]));
    const nextBar = (time: number) => landed[landed.findIndex((bar) => bar.time === time) + 1]!;

    for (const modelId of [activeId, shadowId]) {
      const detail = await test.call('models.get', { modelId });
      const stored = await predictionsOf(modelId);
      const scored = stored.filter((p) => p.scoredAt !== null);
      expect(scored).toHaveLength(12);
      expect(stored.filter((p) => p.scoredAt === null).map((p) => p.madeAt)).toEqual([landed.at(-1)!.time]);
      for (const p of scored) {
        expect(p.actual).toBe(nextBar(p.madeAt).close);
        expect(p.targetTime).toBe(nextBar(p.madeAt).time);
        expect(p.naive).toBe(closeAt.get(p.madeAt));
      }

      const window = scored.slice(-WINDOW);
      const errors = window.map((p) => p.actual! - p.predicted);
      const naiveErrors = window.map((p) => p.actual! - p.naive!);
      const trainingCloses = landed.filter((bar) => bar.time >= detail.training!.from && bar.time <= detail.training!.to).map((bar) => bar.close);
      const maseScale = mean(trainingCloses.slice(1).map((close, i) => Math.abs(close - trainingCloses[i]!)));
      const rightDirection = window.filter((p) => Math.sign(p.predicted - p.naive!) === Math.sign(p.actual! - p.naive!) && p.actual !== p.naive).length;
      const [latest] = await test.core.storage.modelPerformance.query({ modelId, limit: 1 });
      expect(latest).toMatchObject({ symbol: 'XAUUSD', timeframe: '1d', samples: WINDOW, windowFrom: window[0]!.targetTime, windowTo: window.at(-1)!.targetTime });
      expect(latest!.mae).toBeCloseTo(mean(errors.map(Math.abs)), 9);
      expect(latest!.rmse).toBeCloseTo(Math.sqrt(mean(errors.map((e) => e * e))), 9);
      expect(latest!.mape).toBeCloseTo(100 * mean(window.map((p, i) => Math.abs(errors[i]! / p.actual!))), 9);
      expect(latest!.naiveMae).toBeCloseTo(mean(naiveErrors.map(Math.abs)), 9);
      expect(latest!.directionalAccuracy).toBeCloseTo(rightDirection / WINDOW, 12);
      expect(latest!.mase).toBeCloseTo(mean(errors.map(Math.abs)) / maseScale, 9);
      // One rolling score per run that scored something.
      expect(await test.core.storage.modelPerformance.query({ modelId, limit: 100 })).toHaveLength(12);

      expect(detail.drift).toMatchObject({ scored: 12, testRelMae: detail.metrics.rel_mae, pageHinkleyAlarm: false, psi: {}, oodShare: 0 });
      expect(detail.drift!.liveRelMae).toBeCloseTo(latest!.mae! / latest!.naiveMae!, 9);
      expect(detail.flagged).toBeNull();
    }
    expect((await test.call('models.get', { modelId: shadowId })).drift!.liveRelMae).toBe(1);
    expect(await modelAlerts(activeId, 'drift')).toEqual([]);
  });

  it('refuses to promote the shadow naive on the live DM gate, stating the p-value, and promotes nothing', async () => {
    const refusal = await test.core.invoke('models.setStage', { modelId: shadowId, stage: 'active', gate: 'live_dm' });
    expect(refusal).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringMatching(/^Not promoted: over \d+ live targets, .* gives p = 0\.\d{3}, not below 0\.05: no evidence of skill\.$/) } });
    const gated = await test.core.invoke('models.activate', { modelId: shadowId, gate: 'live_dm' });
    expect(gated).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect((await test.call('models.get', { modelId: activeId })).stage).toBe('active');
    expect((await test.call('models.get', { modelId: shadowId })).stage).toBe('shadow');
  });

  it('raises exactly one alert when drift crosses its threshold, retrains as configured, then flags retirement after its window', async () => {
    // A flat market: naive is nearly exact while the drift model keeps adding its trend.
    const flat = (i: number): Bar => {
      const last = landed.at(-1)!;
      const close = last.close + (i % 2 === 0 ? 0.01 : -0.01);
      return { time: last.time + DAY, open: last.close, high: Math.max(close, last.close), low: Math.min(close, last.close), close, volume: 1 };
    };
    for (let i = 0; i < WINDOW; i++) await land(flat(i));
    const drifted = await test.call('models.get', { modelId: activeId });
    expect(drifted.flagged).toMatch(/^drift: live rel_mae \d+\.\d{3} over the last 10 predictions is above 1.25× its test figure/);
    expect(drifted.drift!.liveRelMae).toBeGreaterThan(1.25 * drifted.metrics.rel_mae!);
    expect(await modelAlerts(activeId, 'drift')).toHaveLength(1);
    expect((await test.call('models.get', { modelId: shadowId })).flagged).toBeNull();
    await until(async () => (await test.call('models.list', { modelName: 'gold-daily' })).models.length === 3, 'the retrain registers a version');
    const [retrained] = (await test.call('models.list', { modelName: 'gold-daily', modelType: 'drift' })).models.filter((model) => model.modelId !== activeId);
    expect(retrained).toMatchObject({ version: 3, stage: 'shadow', isActive: false });

    // Still drifting: the open flag keeps it to the one alert and the one retrain.
    for (let i = 0; i < 3; i++) await land(flat(i));
    expect(await modelAlerts(activeId, 'drift')).toHaveLength(1);
    expect((await test.call('models.list', { modelName: 'gold-daily' })).models).toHaveLength(3);
    expect(await modelAlerts(activeId, 'retirement')).toEqual([]);

    job = await test.call('jobs.update', { id: job.id, tracking: { window: WINDOW, onDrift: 'retrain', retireAfter: 3 } });
    await land(flat(0));
    expect(await modelAlerts(activeId, 'retirement')).toHaveLength(1);
    expect((await test.call('models.get', { modelId: activeId })).flagged).toBe('retire: live rel_mae above 1 (worse than naive) in each of the last 3 rolling scores');
    await land(flat(1));
    expect(await modelAlerts(activeId, 'retirement')).toHaveLength(1);
    expect(await modelAlerts(shadowId, 'retirement')).toEqual([]);
  });

  it('retrains on a train job from the active version’s parameters, as a shadow challenger without a provider', async () => {
    const train = await test.call('jobs.create', { name: 'Retrain gold daily', kind: 'train', symbols: ['XAUUSD'], modelName: 'gold-daily', schedule: '0 6 * * 1' });
    expect(train).toMatchObject({ provider: null, modelName: 'gold-daily', timeframe: null });
    const started = await test.call('jobs.runNow', { id: train.id });
    await until(async () => (await test.core.storage.jobRuns.list({ ingestJobId: train.id, limit: 5 })).some((run) => run.status !== 'running'), 'the train run ends');
    expect(await test.core.storage.jobRuns.list({ ingestJobId: train.id, limit: 5 })).toEqual([expect.objectContaining({ id: started.runId, kind: 'train', status: 'succeeded' })]);
    const versions = (await test.call('models.list', { modelName: 'gold-daily', modelType: 'drift' })).models;
    expect(versions.map((model) => [model.version, model.stage])).toEqual([
      [4, 'shadow'],
      [3, 'shadow'],
      [1, 'active'],
    ]);
    // The scheduled run is the training run: one row under its id, which its cancel and timeout reach.
    expect(await test.core.storage.trainingRuns.list({ modelName: 'gold-daily', limit: 10 })).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: started.runId, jobRunId: started.runId, status: 'succeeded', dataFrom: bars[0]!.time, dataTo: landed.at(-1)!.time })]),
    );
  });
});

describe('live drift of a model with features, through the real training worker', () => {
  let test: TestCore;
  const bars = metaTraderDailyBars();
  const cut = bars.length - 30;

  beforeAll(async () => {
    test = await createTestCore();
    await test.core.storage.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1d', source: 'test', bars: bars.slice(0, cut) });
  }, 120_000);
  afterAll(() => test?.cleanup());

  it('stores each forecast’s feature row and OOD score, and measures every feature’s PSI against the artifact’s training histograms', async () => {
    const { result } = await test.call('models.train', { symbol: 'XAUUSD', timeframe: '1d', modelType: 'ridge', wait: true });
    const modelId = result!.modelId;
    await test.call('models.activate', { modelId });
    const job = await test.call('jobs.create', { name: 'Forecast gold', kind: 'predict', symbols: ['XAUUSD'], timeframe: '1d', schedule: null });
    for (const bar of bars.slice(cut, cut + 12)) {
      await test.core.storage.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1d', source: 'test', bars: [bar] });
      const { runId } = await test.call('jobs.runNow', { id: job.id });
      await until(async () => (await test.core.storage.jobRuns.get(runId))?.status === 'succeeded', 'the predict run succeeds');
    }
    const stored = await test.core.storage.predictions.query({ modelId, limit: 100 });
    expect(stored).toHaveLength(12);
    const detail = await test.call('models.get', { modelId });
    for (const prediction of stored) {
      expect(prediction.oodScore).toBeGreaterThanOrEqual(0);
      expect(Object.keys(prediction.features!).sort()).toEqual([...detail.featureColumns].sort());
    }
    expect(detail.drift!.scored).toBe(11);
    expect(detail.drift!.oodShare).toBe(stored.slice(0, 11).filter((p) => p.outOfDistribution).length / 11);
    // Eleven rows are too few for a histogram: PSI waits for PSI_MIN_SAMPLES.
    expect(detail.drift).toMatchObject({ psi: {}, psiSamples: 11 });

    // Back-dated forecasts from earlier bars, scored by the next run, give PSI its rows.
    for (const bar of bars.slice(cut - PSI_MIN_SAMPLES, cut - 1)) await test.call('predictions.make', { modelId, asOf: bar.time, store: true });
    const { runId } = await test.call('jobs.runNow', { id: job.id });
    await until(async () => (await test.core.storage.jobRuns.get(runId))?.status === 'succeeded', 'the scoring run succeeds');
    const drift = (await test.call('models.get', { modelId })).drift!;
    expect(drift.psiSamples).toBeGreaterThanOrEqual(PSI_MIN_SAMPLES);
    // Every feature but the calendar encodings, which a live window covers a few dates of by construction.
    expect(Object.keys(drift.psi).sort()).toEqual(detail.featureColumns.filter((column) => !/^(month|weekday|hour)_/.test(column)).sort());
    expect(Object.keys(drift.psi).length).toBeGreaterThan(10);
    for (const index of Object.values(drift.psi)) expect(index).toBeGreaterThanOrEqual(0);
  }, 180_000);
});
