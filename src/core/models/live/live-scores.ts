/**
 * What live predictions say once their actual bars have arrived: rolling scores beside naive,
 * drift against what the model was trained and tested on, the retirement rule and the
 * promotion gate. Pure functions over scored predictions; the statistics are the pipeline's.
 */
import { PSI_MIN_SAMPLES, SKILL_PVALUE } from '../../../shared/model-verdicts';
import type { DriftState, ModelMetrics } from '../../../shared/models';
import { pageHinkley, populationStabilityIndex, PSI_SIGNIFICANT, type FeatureHistogram } from '../pipeline/drift';
import { isCalendarColumn } from '../pipeline/features';
import { dieboldMariano, meanAbsoluteError, scoreForecasts } from '../pipeline/metrics';

/** A stored prediction whose target bar has arrived. */
export interface ScoredPrediction {
  madeAt: number;
  targetTime: number;
  predicted: number;
  lower: number | null;
  upper: number | null;
  actual: number;
  /** The close at madeAt: naive's forecast of the same target. */
  naive: number;
  outOfDistribution: boolean;
  /** The feature row the forecast used; null for models without features. */
  features: Record<string, number> | null;
}

export interface LiveScores {
  windowFrom: number;
  windowTo: number;
  samples: number;
  metrics: ModelMetrics;
  naiveMae: number;
}

export interface LiveScoreContext {
  horizon: number;
  /** MASE's denominator: the one-step naive MAE over the model's training bars; null when unknown. */
  maseScale: number | null;
  isNaive: boolean;
}

/** Live rel_mae above the model's test rel_mae times this is drift. */
export const REL_MAE_DRIFT_RATIO = 1.25;
/**
 * Page–Hinkley on the loss difference to naive, in units of naive's MAE over the history, so
 * one setting serves gold at 2 000 and bitcoin at 90 000: a rise of the mean difference by
 * more than `delta` that accumulates past `threshold` raises the alarm.
 */
export const PAGE_HINKLEY = { delta: 0.1, threshold: 10 } as const;
/** Scored predictions before any drift statistic is trusted. */
export const MIN_DRIFT_SAMPLES = 10;
/** Pairs the promotion gate needs before its DM test means anything. */
export const MIN_GATE_SAMPLES = 10;

/** Every score of the window (ascending by target time) beside naive on exactly its targets. */
export function scoreLiveWindow(window: readonly ScoredPrediction[], context: LiveScoreContext): LiveScores {
  const actual = window.map((p) => p.actual);
  const origin = window.map((p) => p.naive);
  const withIntervals = window.every((p) => p.lower !== null && p.upper !== null);
  const naiveMae = window.length === 0 ? 0 : meanAbsoluteError(actual, origin);
  const metrics = scoreForecasts(
    {
      actual,
      origin,
      predicted: window.map((p) => p.predicted),
      lower: withIntervals ? window.map((p) => p.lower!) : null,
      upper: withIntervals ? window.map((p) => p.upper!) : null,
    },
    { naiveMae, maseScale: context.maseScale ?? 0, horizon: context.horizon, isNaive: context.isNaive },
  );
  return { windowFrom: window[0]?.targetTime ?? 0, windowTo: window.at(-1)?.targetTime ?? 0, samples: window.length, metrics, naiveMae };
}

export interface DriftAssessment {
  state: DriftState;
  /** One sentence per threshold crossed; empty when none is. */
  reasons: string[];
}

/**
 * Drift of one model. `history` is its scored predictions ascending by target time, the last
 * `window` of them the live window; Page–Hinkley reads the whole history, as a sequential test.
 * `reference` is the training histograms of its features (null for the baselines).
 */
export function assessDrift(
  history: readonly ScoredPrediction[],
  window: number,
  testRelMae: number | null,
  reference: readonly FeatureHistogram[] | null,
  context: LiveScoreContext,
): DriftAssessment {
  const live = history.slice(-window);
  const scores = scoreLiveWindow(live, context);
  const liveRelMae = live.length === 0 ? null : scores.metrics.rel_mae;

  const historyNaiveMae = history.length === 0 ? 0 : meanAbsoluteError(history.map((p) => p.actual), history.map((p) => p.naive));
  const lossDifference = history.map((p) => (Math.abs(p.actual - p.predicted) - Math.abs(p.actual - p.naive)) / historyNaiveMae);
  const pageHinkleyAlarm = historyNaiveMae > 0 && pageHinkley(lossDifference, PAGE_HINKLEY.delta, PAGE_HINKLEY.threshold).alarmAt !== null;

  // PSI reads the whole history given, not the scoring window: a histogram needs rows (PSI_MIN_SAMPLES).
  const psi: Record<string, number> = {};
  const rows = history.flatMap((p) => (p.features ? [p.features] : []));
  if (reference && rows.length >= PSI_MIN_SAMPLES) {
    for (const histogram of reference.filter((h) => !isCalendarColumn(h.column))) {
      const values = rows.flatMap((row) => (Number.isFinite(row[histogram.column]) ? [row[histogram.column]!] : []));
      if (values.length > 0) psi[histogram.column] = populationStabilityIndex(histogram, values);
    }
  }

  const state: DriftState = {
    liveRelMae,
    testRelMae,
    scored: history.length,
    pageHinkleyAlarm,
    psi,
    psiSamples: rows.length,
    oodShare: live.length === 0 ? null : live.filter((p) => p.outOfDistribution).length / live.length,
    liveDmPvalue: scores.metrics.dm_pvalue,
  };
  const reasons: string[] = [];
  if (live.length < MIN_DRIFT_SAMPLES) return { state, reasons };
  const expected = testRelMae ?? 1;
  if (liveRelMae !== null && liveRelMae > expected * REL_MAE_DRIFT_RATIO) {
    reasons.push(`live rel_mae ${liveRelMae.toFixed(3)} over the last ${live.length} predictions is above ${REL_MAE_DRIFT_RATIO}× its test figure ${expected.toFixed(3)}`);
  }
  if (pageHinkleyAlarm) reasons.push('Page–Hinkley: its loss against naive has risen');
  const shifted = Object.entries(psi).filter(([, index]) => index >= PSI_SIGNIFICANT);
  if (shifted.length > 0) {
    reasons.push(`features shifted from training (PSI ≥ ${PSI_SIGNIFICANT}): ${shifted.map(([column, index]) => `${column} ${index.toFixed(2)}`).join(', ')}`);
  }
  return { state, reasons };
}

/** True when each of the last `retireAfter` rolling scores has live rel_mae above 1 (worse than naive). */
export function retirementDue(relMaes: readonly (number | null)[], retireAfter: number): boolean {
  if (relMaes.length < retireAfter) return false;
  return relMaes.slice(-retireAfter).every((relMae) => relMae !== null && relMae > 1);
}

export interface PromotionGate {
  passed: boolean;
  pValue: number | null;
  samples: number;
  against: 'active' | 'naive';
}

/**
 * One-sided Diebold–Mariano test that the challenger's squared error is below the incumbent's
 * on the targets both predicted (or below naive's when there is no active version).
 */
export function promotionGate(challenger: readonly ScoredPrediction[], incumbent: readonly ScoredPrediction[] | null, horizon: number): PromotionGate {
  const against = incumbent === null ? 'naive' : 'active';
  const incumbentByTarget = new Map((incumbent ?? []).map((p) => [`${p.madeAt}:${p.targetTime}`, p]));
  const pairs = challenger.flatMap((p) => {
    if (incumbent === null) return [{ mine: p.actual - p.predicted, theirs: p.actual - p.naive }];
    const other = incumbentByTarget.get(`${p.madeAt}:${p.targetTime}`);
    return other ? [{ mine: p.actual - p.predicted, theirs: other.actual - other.predicted }] : [];
  });
  const test = pairs.length < MIN_GATE_SAMPLES ? null : dieboldMariano(pairs.map((pair) => pair.mine), pairs.map((pair) => pair.theirs), horizon);
  const pValue = test?.pValue ?? null;
  return { passed: pValue !== null && pValue < SKILL_PVALUE, pValue, samples: pairs.length, against };
}
