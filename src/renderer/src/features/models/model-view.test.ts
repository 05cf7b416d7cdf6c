import { describe, expect, it } from 'vitest';
import type { DriftState, ModelDetail, ModelMetrics, ModelSummary, StoredPrediction } from '../../../../shared/models';
import {
  byStageThenNewest,
  describeDrift,
  describeLiveScore,
  formatMetric,
  latestForecastPerTarget,
  listInput,
  metricAcrossVersions,
  metricsBesideBaselines,
  olderVersions,
  predictionErrors,
  verdictText,
} from './model-view';

const metrics = (patch: Partial<ModelMetrics> = {}): ModelMetrics => ({
  mae: 10,
  rmse: 12,
  mape: 0.5,
  directional_accuracy: 0.52,
  rel_mae: 0.98,
  mase: 1.01,
  dm_pvalue: 0.2,
  interval_coverage: 0.9,
  ...patch,
});

const summary = (patch: Partial<ModelSummary> = {}): ModelSummary => ({
  modelId: 'm1',
  modelName: 'ridge-1d',
  modelType: 'ridge',
  version: 1,
  symbol: 'XAUUSD',
  timeframe: '1d',
  stage: 'candidate',
  isActive: false,
  metrics: metrics(),
  artifactPath: 'models/m1.json',
  trainingDate: Date.UTC(2026, 0, 1),
  backend: 'js',
  horizon: 1,
  flagged: null,
  ...patch,
});

const detail = (patch: Partial<ModelDetail> = {}): ModelDetail => ({
  ...summary(),
  hyperparameters: {},
  featureSetVersion: 'fs1',
  featureColumns: [],
  artifactSha256: 'ab',
  lineage: { trainingRunId: 'r1', dataFrom: 0, dataTo: 1, dataFingerprint: null, appVersion: null },
  training: null,
  evaluation: null,
  baselines: {},
  lossHistory: [],
  testForecasts: [],
  stageHistory: [],
  drift: null,
  ...patch,
});

describe('verdictText', () => {
  it('calls a model better only when the DM p-value is under 0.05, however low its rel. MAE', () => {
    expect(verdictText(summary({ metrics: metrics({ rel_mae: 0.5, dm_pvalue: 0.06 }) }))).toBe('no evidence of skill over naive');
    expect(verdictText(summary({ metrics: metrics({ rel_mae: 0.97, dm_pvalue: 0.049 }) }))).toMatch(/^better than naive/);
    expect(verdictText(summary({ metrics: metrics({ rel_mae: 0.9, dm_pvalue: null }) }))).toBe('no evidence of skill over naive');
    expect(verdictText(summary({ modelType: 'naive', metrics: metrics({ rel_mae: 1, dm_pvalue: null }) }))).toBe('the naive baseline');
    expect(verdictText(summary({ metrics: metrics({ rel_mae: 1.3, dm_pvalue: 0.99 }) }))).toBe('worse than naive');
  });
});

describe('formatMetric', () => {
  it('shows each figure in its own unit, and a dash for one that could not be computed', () => {
    expect(formatMetric('rel_mae', 0.98765)).toBe('0.988');
    expect(formatMetric('dm_pvalue', 0.0004)).toBe('< 0.001');
    expect(formatMetric('dm_pvalue', 0.0412)).toBe('0.041');
    expect(formatMetric('interval_coverage', 0.875)).toBe('87.5%');
    expect(formatMetric('directional_accuracy', 0.5)).toBe('50.0%');
    expect(formatMetric('mape', 1.25)).toBe('1.3%');
    expect(formatMetric('mae', 12.3456)).toBe('12.35');
    expect(formatMetric('mase', null)).toBe('–');
    expect(formatMetric('rmse', Number.NaN)).toBe('–');
  });
});

describe('registry helpers', () => {
  it('sends only the filters that are set', () => {
    expect(listInput({ symbol: 'XAUUSD', timeframe: '', modelType: 'lstm', stage: '' })).toEqual({ symbol: 'XAUUSD', modelType: 'lstm' });
    expect(listInput({ symbol: '', timeframe: '', modelType: '', stage: '' })).toEqual({});
  });

  it('puts the active version first, then shadows, candidates and archived ones, newest first', () => {
    const models = [
      summary({ modelId: 'old', stage: 'candidate', trainingDate: 1 }),
      summary({ modelId: 'archived', stage: 'archived', trainingDate: 9 }),
      summary({ modelId: 'active', stage: 'active', isActive: true, trainingDate: 2 }),
      summary({ modelId: 'new', stage: 'candidate', trainingDate: 5 }),
      summary({ modelId: 'shadow', stage: 'shadow', trainingDate: 3 }),
    ];
    expect(models.sort(byStageThenNewest).map((m) => m.modelId)).toEqual(['active', 'shadow', 'new', 'old', 'archived']);
  });

  it('offers as roll-back targets the older, unarchived versions of the same name and symbol', () => {
    const current = summary({ modelId: 'v3', version: 3, isActive: true, stage: 'active' });
    const all = [
      current,
      summary({ modelId: 'v2', version: 2 }),
      summary({ modelId: 'v1', version: 1, stage: 'archived' }),
      summary({ modelId: 'other', version: 1, modelName: 'lstm-1d' }),
      summary({ modelId: 'silver', version: 1, symbol: 'XAGUSD' }),
    ];
    expect(olderVersions(current, all).map((m) => m.modelId)).toEqual(['v2']);
  });

  it('lists the model first, then naive, seasonal naive and drift, without repeating a baseline that is the model', () => {
    const rows = metricsBesideBaselines(
      detail({ modelType: 'drift', baselines: { drift: metrics(), seasonal_naive: metrics(), naive: metrics({ rel_mae: 1 }) } }),
    );
    expect(rows.map((r) => [r.name, r.own])).toEqual([
      ['ridge-1d v1', true],
      ['naive', false],
      ['seasonal_naive', false],
    ]);
  });

  it('charts a metric across the picked versions in their order, leaving out versions without it', () => {
    const picked = [
      detail({ modelId: 'a', version: 2, metrics: metrics({ rel_mae: 0.99 }) }),
      detail({ modelId: 'b', version: 1, modelName: 'lstm-1d', metrics: metrics({ rel_mae: null }) }),
      detail({ modelId: 'c', version: 3, metrics: metrics({ rel_mae: 1.02 }) }),
    ];
    expect(metricAcrossVersions(picked, 'rel_mae')).toEqual([
      { x: 1, y: 0.99, label: 'ridge-1d v2' },
      { x: 3, y: 1.02, label: 'ridge-1d v3' },
    ]);
  });
});

const drift = (patch: Partial<DriftState> = {}): DriftState => ({
  liveRelMae: 0.97,
  testRelMae: 0.98,
  scored: 30,
  pageHinkleyAlarm: false,
  psi: { ret_1: 0.05 },
  psiSamples: 120,
  oodShare: 0,
  liveDmPvalue: 0.3,
  ...patch,
});

describe('describeDrift', () => {
  it('has nothing to say before any prediction was scored', () => {
    expect(describeDrift(null).tone).toBe('none');
    expect(describeDrift(drift({ scored: 0 })).tone).toBe('none');
  });

  it('stays calm when the live figures hold, and still says there is no evidence of skill', () => {
    const described = describeDrift(drift());
    expect(described.tone).toBe('ok');
    expect(described.lines).toContain('Live rel. MAE 0.970 over 30 scored predictions (test: 0.980).');
    expect(described.lines).toContain('Live window: no evidence of skill over naive (DM p = 0.300).');
  });

  it('says PSI waits for enough scored forecasts rather than reading noise as drift', () => {
    expect(describeDrift(drift({ psi: {}, psiSamples: 12 })).lines).toContain('Feature drift (PSI) is judged from 100 scored forecasts; 12 so far.');
    expect(describeDrift(drift({ psi: {}, psiSamples: 0 })).lines.join(' ')).not.toMatch(/PSI/);
  });

  it('warns on live errors above naive, a Page–Hinkley alarm and features with PSI of 0.2 or more', () => {
    const described = describeDrift(drift({ liveRelMae: 1.2, pageHinkleyAlarm: true, psi: { ret_1: 0.05, rsi_14: 0.31 }, oodShare: 0.1 }));
    expect(described.tone).toBe('warning');
    expect(described.lines).toEqual([
      'Live rel. MAE 1.200 over 30 scored predictions (test: 0.980).',
      'Live errors are larger than naive’s.',
      'Page–Hinkley alarm: the loss against naive has shifted upwards.',
      '1 of 2 features moved (PSI ≥ 0.2): rsi_14 0.31.',
      '10.0% of live predictions were outside the training data.',
      'Live window: no evidence of skill over naive (DM p = 0.300).',
    ]);
  });

  it('names only the most moved features when many moved', () => {
    const psi = { a: 0.25, b: 0.9, c: 0.1, d: 0.4, e: 0.3 };
    expect(describeDrift(drift({ psi })).lines).toContain('4 of 5 features moved (PSI ≥ 0.2), most: b 0.90, d 0.40, e 0.30.');
  });
});

const prediction = (patch: Partial<StoredPrediction>): StoredPrediction => ({
  modelId: 'm1',
  targetTime: 0,
  madeAt: 0,
  predicted: 100,
  lower: 95,
  upper: 105,
  horizon: 1,
  level: 0.9,
  actual: null,
  naive: null,
  oodScore: null,
  outOfDistribution: false,
  ...patch,
});

describe('forecasts', () => {
  it('draws one forecast per target bar, the one made last, oldest target first', () => {
    const drawn = latestForecastPerTarget([
      prediction({ targetTime: 3, madeAt: 2, predicted: 1 }),
      prediction({ targetTime: 2, madeAt: 1, predicted: 2 }),
      prediction({ targetTime: 3, madeAt: 1, predicted: 3 }),
    ]);
    expect(drawn.map((p) => [p.targetTime, p.predicted])).toEqual([
      [2, 2],
      [3, 1],
    ]);
  });

  it('scores a forecast against naive only once its actual bar arrived', () => {
    expect(predictionErrors(prediction({ actual: null }))).toBeNull();
    expect(predictionErrors(prediction({ predicted: 101, actual: 104, naive: 100 }))).toEqual({ model: 3, naive: 4 });
    expect(predictionErrors(prediction({ predicted: 101, actual: 99, naive: null }))).toEqual({ model: 2, naive: null });
  });

  it('words the newest live score beside naive', () => {
    expect(describeLiveScore([])).toBeNull();
    expect(
      describeLiveScore([
        { modelId: 'm1', evaluatedAt: 1, samples: 5, mae: 9, naiveMae: 8, relMae: 1.125, directionalAccuracy: 0.4 },
        { modelId: 'm1', evaluatedAt: 2, samples: 6, mae: 10, naiveMae: 12.5, relMae: 0.8, directionalAccuracy: 0.5 },
      ]),
    ).toBe('6 scored · MAE 10.00 · naive 12.50 · rel. MAE 0.800 · direction right 50.0%');
  });
});
