import type { MethodInput, MethodOutput } from '../../../../shared/contract';
import { PSI_MIN_SAMPLES, SKILL_PVALUE, skillSentence, skillVerdict, type SkillVerdict } from '../../../../shared/model-verdicts';
import type { DriftState, ModelDetail, ModelMetrics, ModelStage, ModelSummary, StoredPrediction } from '../../../../shared/models';
import { formatPrice, pricePrecision } from '../../ui/format/numbers';

export type MetricName = keyof ModelMetrics;

export const metricNames = ['mae', 'rmse', 'mape', 'directional_accuracy', 'rel_mae', 'mase', 'dm_pvalue', 'interval_coverage'] as const satisfies readonly MetricName[];

export const metricLabels: Record<MetricName, string> = {
  mae: 'MAE',
  rmse: 'RMSE',
  mape: 'MAPE',
  directional_accuracy: 'Direction right',
  rel_mae: 'rel. MAE',
  mase: 'MASE',
  dm_pvalue: 'DM p-value',
  interval_coverage: 'Coverage',
};

/** What each figure means, for the column headers' titles. */
export const metricHelp: Record<MetricName, string> = {
  mae: 'Mean absolute error on the price scale, over the test targets',
  rmse: 'Root mean squared error on the price scale',
  mape: 'Mean absolute percentage error',
  directional_accuracy: 'Share of test targets whose direction (up or down) the model got right',
  rel_mae: 'MAE divided by naive’s MAE on the same targets: below 1 is fewer errors than “tomorrow = today”',
  mase: 'MAE scaled by the in-sample one-step naive MAE of the training rows',
  dm_pvalue: `One-sided Diebold–Mariano p-value that the model’s squared error is lower than naive’s; only below ${SKILL_PVALUE} is that evidence`,
  interval_coverage: 'Share of test targets inside their prediction interval',
};

const percent = (value: number) => new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value);
const fixed = (value: number, digits: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);

/** A figure as the tables show it; a dash for one that could not be computed. */
export function formatMetric(metric: MetricName, value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '–';
  switch (metric) {
    case 'mae':
    case 'rmse':
      return formatPrice(value, pricePrecision(value));
    case 'mape':
      return percent(value / 100);
    case 'directional_accuracy':
    case 'interval_coverage':
      return percent(value);
    case 'rel_mae':
    case 'mase':
      return fixed(value, 3);
    case 'dm_pvalue':
      return value < 0.001 ? '< 0.001' : fixed(value, 3);
  }
}

export function verdictOf(model: Pick<ModelSummary, 'modelType' | 'metrics'>): SkillVerdict {
  return skillVerdict(model.modelType, model.metrics);
}

/** The sentence beside a model; it never says "better" unless the DM test does. */
export function verdictText(model: Pick<ModelSummary, 'modelType' | 'metrics'>): string {
  return skillSentence(verdictOf(model));
}

export function versionLabel(model: Pick<ModelSummary, 'modelName' | 'version'>): string {
  return `${model.modelName} v${model.version}`;
}

export const stageLabels: Record<ModelStage, string> = { candidate: 'Candidate', active: 'Active', shadow: 'Shadow', archived: 'Archived' };

const stageOrder: Record<ModelStage, number> = { active: 0, shadow: 1, candidate: 2, archived: 3 };

/** Active versions first, then shadows, candidates and archived ones; newest first within each. */
export function byStageThenNewest(a: ModelSummary, b: ModelSummary): number {
  return Number(b.isActive) - Number(a.isActive) || stageOrder[a.stage] - stageOrder[b.stage] || b.trainingDate - a.trainingDate || b.version - a.version;
}

/** The registry's rows grouped by name and symbol, newest version first, so a model's history reads down. */
export function byNameThenVersion(a: ModelSummary, b: ModelSummary): number {
  return a.symbol.localeCompare(b.symbol) || a.modelName.localeCompare(b.modelName) || b.version - a.version;
}

/** What the filters hold: '' is "any". */
export interface RegistryFilters {
  symbol: string;
  timeframe: string;
  modelType: string;
  stage: string;
}

export const anyFilters: RegistryFilters = { symbol: '', timeframe: '', modelType: '', stage: '' };

export function listInput(filters: RegistryFilters): MethodInput<'models.list'> {
  return Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== '')) as MethodInput<'models.list'>;
}

/** Older versions of the same name and symbol, the ones a roll back can return to. */
export function olderVersions(model: ModelSummary, all: readonly ModelSummary[]): ModelSummary[] {
  return all.filter((other) => other.modelName === model.modelName && other.symbol === model.symbol && other.version < model.version && other.stage !== 'archived');
}

export interface MetricPoint {
  /** 1-based position in the comparison, the chart's horizontal axis. */
  x: number;
  y: number;
  label: string;
}

/** One metric across the compared versions, in the order they were picked; versions without the figure are left out. */
export function metricAcrossVersions(models: readonly ModelDetail[], metric: MetricName): MetricPoint[] {
  return models.flatMap((model, index) => {
    const value = model.metrics[metric];
    return value === null || !Number.isFinite(value) ? [] : [{ x: index + 1, y: value, label: versionLabel(model) }];
  });
}

/** The baselines beside the model, in a fixed order, with the model's own row first. */
export function metricsBesideBaselines(model: ModelDetail): { name: string; metrics: ModelMetrics; own: boolean }[] {
  const baselineOrder = ['naive', 'seasonal_naive', 'drift'];
  const baselines = Object.entries(model.baselines)
    .filter(([name]) => name !== model.modelType || model.modelType === 'naive')
    .sort(([a], [b]) => (baselineOrder.indexOf(a) + 1 || 99) - (baselineOrder.indexOf(b) + 1 || 99));
  return [{ name: versionLabel(model), metrics: model.metrics, own: true }, ...baselines.map(([name, metrics]) => ({ name, metrics, own: false }))];
}

export type DriftTone = 'none' | 'ok' | 'warning';

/** Features named in the drift sentence; a short window can move nearly all of them. */
const MOST_DRIFTED_SHOWN = 3;

/** Drift state in a tone and sentences a trader reads at a glance. */
export function describeDrift(drift: DriftState | null): { tone: DriftTone; lines: string[] } {
  if (drift === null || drift.scored === 0) return { tone: 'none', lines: ['No live predictions scored yet, so there is nothing to compare with the test figures.'] };
  const lines: string[] = [];
  let warning = false;
  const live = drift.liveRelMae === null ? '–' : fixed(drift.liveRelMae, 3);
  const test = drift.testRelMae === null ? '–' : fixed(drift.testRelMae, 3);
  lines.push(`Live rel. MAE ${live} over ${drift.scored} scored predictions (test: ${test}).`);
  if (drift.liveRelMae !== null && drift.liveRelMae > 1) {
    warning = true;
    lines.push('Live errors are larger than naive’s.');
  }
  if (drift.pageHinkleyAlarm) {
    warning = true;
    lines.push('Page–Hinkley alarm: the loss against naive has shifted upwards.');
  }
  const drifted = Object.entries(drift.psi)
    .filter(([, value]) => value >= 0.2)
    .sort(([, a], [, b]) => b - a);
  if (drifted.length > 0) {
    warning = true;
    const most = drifted.slice(0, MOST_DRIFTED_SHOWN).map(([name, value]) => `${name} ${fixed(value, 2)}`);
    lines.push(
      `${drifted.length} of ${Object.keys(drift.psi).length} features moved (PSI ≥ 0.2)${drifted.length > MOST_DRIFTED_SHOWN ? ', most' : ''}: ${most.join(', ')}.`,
    );
  }
  if (drift.psiSamples > 0 && drift.psiSamples < PSI_MIN_SAMPLES) {
    lines.push(`Feature drift (PSI) is judged from ${PSI_MIN_SAMPLES} scored forecasts; ${drift.psiSamples} so far.`);
  }
  if (drift.oodShare !== null && drift.oodShare > 0) lines.push(`${percent(drift.oodShare)} of live predictions were outside the training data.`);
  if (drift.liveDmPvalue !== null) {
    lines.push(
      drift.liveDmPvalue < SKILL_PVALUE
        ? `Live window: better than naive (DM p = ${formatMetric('dm_pvalue', drift.liveDmPvalue)}).`
        : `Live window: no evidence of skill over naive (DM p = ${formatMetric('dm_pvalue', drift.liveDmPvalue)}).`,
    );
  }
  return { tone: warning ? 'warning' : 'ok', lines };
}

type Performance = MethodOutput<'predictions.query'>['performance'][number];

/** The newest rolling score beside naive, as one line; null before any prediction was scored. */
export function describeLiveScore(performance: readonly Performance[]): string | null {
  const latest = performance.at(-1);
  if (!latest || latest.samples === 0) return null;
  const parts = [`${latest.samples} scored`];
  if (latest.mae !== null) parts.push(`MAE ${formatMetric('mae', latest.mae)}`);
  if (latest.naiveMae !== null) parts.push(`naive ${formatMetric('mae', latest.naiveMae)}`);
  if (latest.relMae !== null) parts.push(`rel. MAE ${fixed(latest.relMae, 3)}`);
  if (latest.directionalAccuracy !== null) parts.push(`direction right ${percent(latest.directionalAccuracy)}`);
  return parts.join(' · ');
}

/**
 * One forecast per target bar for drawing: where several predictions aim at the same bar
 * (several horizons, or Predict pressed twice), the one made last wins. Oldest target first,
 * as the chart library needs.
 */
export function latestForecastPerTarget(predictions: readonly StoredPrediction[]): StoredPrediction[] {
  const byTarget = new Map<number, StoredPrediction>();
  for (const prediction of predictions) {
    const held = byTarget.get(prediction.targetTime);
    if (!held || prediction.madeAt >= held.madeAt) byTarget.set(prediction.targetTime, prediction);
  }
  return [...byTarget.values()].sort((a, b) => a.targetTime - b.targetTime);
}

/** The model's and naive's absolute errors on a scored prediction; null until its actual bar arrived. */
export function predictionErrors(prediction: StoredPrediction): { model: number; naive: number | null } | null {
  if (prediction.actual === null) return null;
  return { model: Math.abs(prediction.predicted - prediction.actual), naive: prediction.naive === null ? null : Math.abs(prediction.naive - prediction.actual) };
}
