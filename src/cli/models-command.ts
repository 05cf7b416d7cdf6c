import type { Core } from '../core/create-core';
import type { JobRun } from '../shared/domain';
import { skillSentence, skillVerdict } from '../shared/model-verdicts';
import type { ModelMetrics, ModelType, PresetName, TrainResult } from '../shared/models';
import type { Timeframe } from '../shared/timeframes';
import { exitCodes } from './exit-codes';
import { formatCount, formatFields, formatNumber, formatTable, formatTime, reportFailure, type CliOutput } from './format';
import { invokeMethod } from './invoke-method';
import { watchJobProgress } from './job-watch';

export interface TrainCommandOptions {
  symbol: string;
  timeframe: Timeframe;
  model: ModelType;
  horizon?: number;
  from?: number;
  to?: number;
  epochs?: number;
  seed?: number;
  level?: number;
  name?: string;
  preset?: PresetName;
  stage?: 'candidate' | 'shadow';
  json?: boolean;
}

const percent = (value: number | null) => (value === null ? '-' : `${(value * 100).toFixed(1)}%`);
const figure = (value: number | null) => (value === null ? '-' : formatNumber(Number(value.toPrecision(4))));

function formatMetrics(metrics: ModelMetrics, level: number): [string, string][] {
  return [
    ['MAE', figure(metrics.mae)],
    ['RMSE', figure(metrics.rmse)],
    ['MAPE', metrics.mape === null ? '-' : `${figure(metrics.mape)}%`],
    ['direction right', percent(metrics.directional_accuracy)],
    ['rel_mae', `${figure(metrics.rel_mae)} (naive = 1)`],
    ['MASE', figure(metrics.mase)],
    ['DM p-value', `${figure(metrics.dm_pvalue)} (vs naive, one-sided)`],
    ['interval coverage', `${percent(metrics.interval_coverage)} (at ${percent(level)})`],
  ];
}

function formatTrainSummary(result: TrainResult, modelName: string, symbol: string, timeframe: Timeframe): string {
  const { training, evaluation } = result;
  const span = (segment: { from: number; to: number; samples: number }) =>
    `${formatTime(segment.from, timeframe)} … ${formatTime(segment.to, timeframe)} UTC, ${formatCount(segment.samples)} targets`;
  return (
    `Trained ${modelName} v${result.version} (${result.modelType}) on ${symbol} ${timeframe} with ${result.backend}: ` +
    `${skillSentence(skillVerdict(result.modelType, result.metrics))}\n` +
    formatFields([
      ['model', result.modelId],
      ['training', span(training)],
      ['test', `${span(evaluation)}, horizon ${evaluation.horizon}`],
      ...formatMetrics(result.metrics, evaluation.level),
    ])
  );
}

/** Runs `metalytics train`: epochs and progress on stderr, the result on stdout. Returns the exit code. */
export async function runTrain(core: Core, options: TrainCommandOptions, output: CliOutput): Promise<number> {
  const symbol = options.symbol.toUpperCase();
  const progress = watchJobProgress(core, output, { kind: 'train', label: `Training ${options.model} on ${symbol} ${options.timeframe}`, noun: 'the training' });
  const unsubscribe = core.events.subscribe((message) => {
    if (message.name !== 'training.epoch') return;
    const { epoch, epochs, loss, valLoss } = message.payload;
    progress.finish();
    output.err(`epoch ${epoch}/${epochs}  loss ${figure(loss)}${valLoss === null ? '' : `  val_loss ${figure(valLoss)}`}\n`);
  });
  try {
    const trained = await invokeMethod(core, 'models.train', {
      symbol,
      timeframe: options.timeframe,
      modelType: options.model,
      horizon: options.horizon,
      from: options.from,
      to: options.to,
      epochs: options.epochs,
      seed: options.seed,
      level: options.level,
      modelName: options.name,
      preset: options.preset,
      stage: options.stage,
      wait: true,
    });
    progress.finish();
    if (!trained.ok) return reportFailure(output, trained.error, options.json);
    const result = trained.value.result!;
    if (options.json) {
      output.out(`${JSON.stringify(result, null, 2)}\n`);
      return exitCodes.ok;
    }
    const detail = await invokeMethod(core, 'models.get', { modelId: result.modelId });
    if (!detail.ok) return reportFailure(output, detail.error, false);
    output.out(formatTrainSummary(result, detail.value.modelName, symbol, options.timeframe));
    return exitCodes.ok;
  } finally {
    unsubscribe();
    progress.dispose();
  }
}

/** Runs `metalytics models list`. */
export async function runModelsList(core: Core, options: { json?: boolean; symbol?: string }, output: CliOutput): Promise<number> {
  const listed = await invokeMethod(core, 'models.list', options.symbol ? { symbol: options.symbol.toUpperCase() } : {});
  if (!listed.ok) return reportFailure(output, listed.error, options.json);
  const { models } = listed.value;
  if (options.json) {
    const rows = models.map(({ modelId, modelName, modelType, version, symbol, timeframe, stage, isActive, metrics, artifactPath }) => ({
      modelId,
      modelName,
      modelType,
      version,
      symbol,
      timeframe,
      stage,
      isActive,
      metrics,
      artifactPath,
    }));
    output.out(`${JSON.stringify(rows, null, 2)}\n`);
    return exitCodes.ok;
  }
  if (models.length === 0) {
    output.out('No models: train one with `metalytics train --symbol S --timeframe TF --model TYPE`.\n');
    return exitCodes.ok;
  }
  const rows = models.map((m) => [
    m.modelId,
    m.modelName,
    `v${m.version}`,
    m.modelType,
    `${m.symbol} ${m.timeframe}`,
    m.stage,
    figure(m.metrics.rel_mae),
    figure(m.metrics.dm_pvalue),
    skillSentence(skillVerdict(m.modelType, m.metrics)),
  ]);
  output.out(formatTable(['ID', 'NAME', 'VERSION', 'TYPE', 'SERIES', 'STAGE', 'REL_MAE', 'DM P', 'AGAINST NAIVE'], rows));
  return exitCodes.ok;
}

/** Runs `metalytics models activate`. */
export async function runModelsActivate(core: Core, modelId: string, options: { reason?: string }, output: CliOutput): Promise<number> {
  const activated = await invokeMethod(core, 'models.activate', { modelId, reason: options.reason });
  if (!activated.ok) return reportFailure(output, activated.error, false);
  const m = activated.value;
  output.out(`${m.modelName} v${m.version} (${m.modelType}) is now the active model of ${m.symbol}.\n`);
  return exitCodes.ok;
}

/** Runs `metalytics models export`. */
export async function runModelsExport(core: Core, modelId: string, file: string, output: CliOutput): Promise<number> {
  const exported = await invokeMethod(core, 'models.export', { modelId, path: file });
  if (!exported.ok) return reportFailure(output, exported.error, false);
  output.out(`Exported model ${modelId} to ${exported.value.path} (${formatCount(exported.value.bytes)} bytes).\n`);
  return exitCodes.ok;
}

/** Runs `metalytics models import`. */
export async function runModelsImport(core: Core, file: string, output: CliOutput): Promise<number> {
  const imported = await invokeMethod(core, 'models.import', { path: file });
  if (!imported.ok) return reportFailure(output, imported.error, false);
  const m = imported.value;
  output.out(`Imported ${m.modelName} v${m.version} (${m.modelType}) of ${m.symbol} ${m.timeframe} as a candidate: ${m.modelId}\n`);
  return exitCodes.ok;
}

/** Runs `metalytics predict`. */
export async function runPredict(core: Core, options: { model: string; asof?: number; json?: boolean }, output: CliOutput): Promise<number> {
  const predicted = await invokeMethod(core, 'predictions.make', { modelId: options.model, asOf: options.asof, store: false });
  if (!predicted.ok) return reportFailure(output, predicted.error, options.json);
  const { modelId, asOf, predictions } = predicted.value;
  if (options.json) {
    output.out(`${JSON.stringify({ modelId, asOf, predictions }, null, 2)}\n`);
    return exitCodes.ok;
  }
  const detail = await invokeMethod(core, 'models.get', { modelId });
  if (!detail.ok) return reportFailure(output, detail.error, false);
  const { timeframe, symbol, modelName, version, intervalLevel } = { ...detail.value, intervalLevel: detail.value.evaluation?.level ?? null };
  output.out(`${modelName} v${version} on ${symbol} ${timeframe}, from the bars up to ${formatTime(asOf, timeframe)} UTC:\n`);
  const interval = intervalLevel === null ? 'INTERVAL' : `${percent(intervalLevel)} INTERVAL`;
  output.out(
    formatTable(
      ['TARGET', 'PREDICTED', interval],
      predictions.map((p) => [`${formatTime(p.targetTime, timeframe)} UTC`, formatNumber(p.predicted), p.lower === null || p.upper === null ? '-' : `${formatNumber(p.lower)} … ${formatNumber(p.upper)}`]),
      new Set([1]),
    ),
  );
  output.out(`The model's test verdict: ${skillSentence(skillVerdict(detail.value.modelType, detail.value.metrics))}.\n`);
  return exitCodes.ok;
}

export interface ModelsRunsOptions {
  symbol?: string;
  name?: string;
  status?: JobRun['status'];
  limit?: number;
  json?: boolean;
}

/** Runs `metalytics models runs`: every training run, however it ended, newest first. */
export async function runModelsRuns(core: Core, options: ModelsRunsOptions, output: CliOutput): Promise<number> {
  const listed = await invokeMethod(core, 'models.runs', {
    symbol: options.symbol?.toUpperCase(),
    modelName: options.name,
    status: options.status,
    limit: options.limit ?? 50,
  });
  if (!listed.ok) return reportFailure(output, listed.error, options.json);
  const { runs } = listed.value;
  if (options.json) {
    output.out(`${JSON.stringify(runs, null, 2)}\n`);
    return exitCodes.ok;
  }
  if (runs.length === 0) {
    output.out('No training runs.\n');
    return exitCodes.ok;
  }
  const rows = runs.map((run) => [
    run.runId,
    formatTime(run.startedAt),
    run.modelName,
    run.modelType,
    `${run.symbols.join(',')} ${run.timeframe}`,
    `${formatTime(run.dataFrom, run.timeframe)} … ${formatTime(run.dataTo, run.timeframe)}`,
    run.samples === null ? '-' : formatCount(run.samples),
    run.backend,
    run.status,
    run.modelId ?? run.error ?? '-',
  ]);
  output.out(formatTable(['RUN', 'STARTED', 'NAME', 'TYPE', 'SERIES', 'DATA', 'SAMPLES', 'BACKEND', 'STATUS', 'MODEL / ERROR'], rows));
  return exitCodes.ok;
}
