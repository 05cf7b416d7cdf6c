import { describe, expect, it } from 'vitest';
import { histogramOf, populationStabilityIndex, PSI_SIGNIFICANT } from '../../../src/core/models/pipeline/drift';
import { PSI_MIN_SAMPLES } from '../../../src/shared/model-verdicts';
import { assessDrift, MIN_DRIFT_SAMPLES, promotionGate, retirementDue, scoreLiveWindow, type ScoredPrediction } from '../../../src/core/models/live/live-scores';

const HOUR = 3_600_000;

/** A prediction made at bar i for bar i + 1, with the actual and naive given. */
function scored(i: number, actual: number, naive: number, predicted: number, extra: Partial<ScoredPrediction> = {}): ScoredPrediction {
  return { madeAt: i * HOUR, targetTime: (i + 1) * HOUR, predicted, lower: predicted - 2, upper: predicted + 2, actual, naive, outOfDistribution: false, features: null, ...extra };
}

/** A random walk from a fixed seed, so every run sees the same prices. */
function walk(n: number, seed = 7): number[] {
  let state = seed;
  const next = () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31) - 0.5;
  const prices = [100];
  for (let i = 1; i <= n; i++) prices.push(prices[i - 1]! + next());
  return prices;
}

describe('scoreLiveWindow', () => {
  it('equals a computation by hand beside naive on the same targets', () => {
    const window = [scored(0, 102, 100, 101), scored(1, 101, 102, 103), scored(2, 105, 101, 104), scored(3, 104, 105, 104.5)];
    const errors = [1, -2, 1, -0.5];
    const naiveErrors = [2, -1, 4, -1];
    const mae = errors.reduce((s, e) => s + Math.abs(e), 0) / 4;
    const naiveMae = naiveErrors.reduce((s, e) => s + Math.abs(e), 0) / 4;
    const scores = scoreLiveWindow(window, { horizon: 1, maseScale: 2, isNaive: false });
    expect(scores).toMatchObject({ windowFrom: HOUR, windowTo: 4 * HOUR, samples: 4, naiveMae });
    expect(scores.metrics.mae).toBeCloseTo(mae, 12);
    expect(scores.metrics.rmse).toBeCloseTo(Math.sqrt((1 + 4 + 1 + 0.25) / 4), 12);
    expect(scores.metrics.mape).toBeCloseTo((100 * (1 / 102 + 2 / 101 + 1 / 105 + 0.5 / 104)) / 4, 12);
    // Up and up, down but predicted up, up and up, down and down.
    expect(scores.metrics.directional_accuracy).toBe(0.75);
    expect(scores.metrics.rel_mae).toBeCloseTo(mae / naiveMae, 12);
    expect(scores.metrics.mase).toBeCloseTo(mae / 2, 12);
    expect(scores.metrics.interval_coverage).toBe(1);
  });

  it('gives naive a rel_mae of exactly 1 and no MASE without a training scale', () => {
    const window = [scored(0, 102, 100, 100), scored(1, 101, 102, 102)];
    const { metrics } = scoreLiveWindow(window, { horizon: 1, maseScale: null, isNaive: true });
    expect(metrics).toMatchObject({ rel_mae: 1, mase: null, dm_pvalue: null });
  });
});

describe('assessDrift', () => {
  const context = { horizon: 1, maseScale: null, isNaive: false };
  const prices = walk(200);
  /** A model as good as naive plus a small miss, then `worse` times naive's error from bar `from` on. */
  const history = (worseFrom: number | null) =>
    prices.slice(0, -1).map((naive, i) => {
      const actual = prices[i + 1]!;
      const miss = worseFrom !== null && i >= worseFrom ? 3 * (actual - naive) : 0.1;
      return scored(i, actual, naive, naive - miss);
    });

  it('stays quiet on a model that forecasts as it did in its test', () => {
    const { state, reasons } = assessDrift(history(null), 50, 1.05, null, context);
    expect(reasons).toEqual([]);
    expect(state).toMatchObject({ scored: 200, pageHinkleyAlarm: false, testRelMae: 1.05, psi: {}, oodShare: 0 });
  });

  it('says when live rel_mae leaves its test figure and Page–Hinkley sees the loss against naive rise', () => {
    const { state, reasons } = assessDrift(history(150), 50, 1.05, null, context);
    expect(state.liveRelMae).toBeGreaterThan(2);
    expect(state.pageHinkleyAlarm).toBe(true);
    expect(reasons).toEqual([expect.stringMatching(/^live rel_mae \d\.\d{3} over the last 50 predictions is above 1.25× its test figure 1.050$/), 'Page–Hinkley: its loss against naive has risen']);
  });

  it('measures each feature’s shift against its training histogram, significant from 0.2', () => {
    const training = Array.from({ length: 500 }, (_, i) => (i % 100) / 100);
    const reference = [histogramOf('rsi_14', training), histogramOf('ret_1', training)];
    const live = history(null).slice(-PSI_MIN_SAMPLES).map((p, i) => ({ ...p, features: { rsi_14: 0.9 + (i % 10) / 100, ret_1: (i % 100) / 100 } }));
    const { state, reasons } = assessDrift(live, 50, 1, reference, context);
    expect(state.psi.rsi_14).toBeGreaterThan(2);
    expect(state.psi.ret_1).toBeLessThan(0.2);
    expect(state.psiSamples).toBe(PSI_MIN_SAMPLES);
    expect(reasons).toEqual([expect.stringMatching(/^features shifted from training \(PSI ≥ 0.2\): rsi_14 \d+\.\d\d$/)]);
  });

  it('judges no PSI on fewer rows than a histogram needs, nor on calendar columns, whose window is a few dates by construction', () => {
    const training = Array.from({ length: 500 }, (_, i) => (i % 100) / 100);
    const reference = [histogramOf('rsi_14', training), histogramOf('month_sin', training)];
    // Drawn from the training distribution itself: ten rows still read as a large "shift".
    const rows = (count: number) => history(null).slice(-count).map((p, i) => ({ ...p, features: { rsi_14: ((i * 37) % 100) / 100, month_sin: 0.95 } }));
    expect(populationStabilityIndex(reference[0]!, rows(10).map((p) => p.features.rsi_14))).toBeGreaterThan(PSI_SIGNIFICANT);
    const few = assessDrift(rows(10), 50, 1, reference, context);
    expect(few.state).toMatchObject({ psi: {}, psiSamples: 10 });
    expect(few.reasons).toEqual([]);
    const enough = assessDrift(rows(PSI_MIN_SAMPLES), 50, 1, reference, context);
    expect(Object.keys(enough.state.psi)).toEqual(['rsi_14']);
    expect(enough.state.psi.rsi_14).toBeLessThan(PSI_SIGNIFICANT);
    expect(enough.reasons).toEqual([]);
  });

  it('counts out-of-distribution predictions and judges nothing before enough are scored', () => {
    const few = history(0).slice(0, MIN_DRIFT_SAMPLES - 1).map((p, i) => ({ ...p, outOfDistribution: i < 3 }));
    const { state, reasons } = assessDrift(few, 50, 1, null, context);
    expect(state.oodShare).toBeCloseTo(3 / (MIN_DRIFT_SAMPLES - 1), 12);
    expect(reasons).toEqual([]);
  });
});

describe('retirementDue', () => {
  it('flags only when each of the last N rolling scores is worse than naive', () => {
    expect(retirementDue([0.9, 1.2, 1.1, 1.3], 3)).toBe(true);
    expect(retirementDue([1.2, 1.1, 0.99], 3)).toBe(false);
    expect(retirementDue([1.2, null, 1.3], 3)).toBe(false);
    expect(retirementDue([1.2, 1.3], 3)).toBe(false);
  });
});

describe('promotionGate', () => {
  const prices = walk(80, 11);
  const targets = prices.slice(0, -1).map((naive, i) => ({ i, naive, actual: prices[i + 1]! }));

  it('passes a challenger that beats the active version on the same targets, with its p-value', () => {
    const active = targets.map(({ i, naive, actual }) => scored(i, actual, naive, naive));
    const challenger = targets.map(({ i, naive, actual }) => scored(i, actual, naive, actual - 0.3 * (actual - naive) + (i % 2 ? 0.01 : -0.01)));
    const gate = promotionGate(challenger, active, 1);
    expect(gate).toMatchObject({ passed: true, samples: 80, against: 'active' });
    expect(gate.pValue).toBeLessThan(0.05);
  });

  it('refuses a challenger with no skill over naive, and one without enough shared targets', () => {
    const noSkill = targets.map(({ i, naive, actual }) => scored(i, actual, naive, naive + (i % 2 ? 0.05 : -0.05)));
    const gate = promotionGate(noSkill, null, 1);
    expect(gate).toMatchObject({ passed: false, against: 'naive', samples: 80 });
    expect(gate.pValue).toBeGreaterThan(0.05);
    const active = targets.slice(0, 5).map(({ i, naive, actual }) => scored(i, actual, naive, naive));
    expect(promotionGate(noSkill, active, 1)).toEqual({ passed: false, pValue: null, samples: 5, against: 'active' });
  });
});
