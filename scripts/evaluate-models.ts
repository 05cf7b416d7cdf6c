/**
 * The evaluation table of docs/models.md: every model type on real XAU daily and BTC hourly
 * bars (../shared/data, read through the app's own CSV importer), in a walk-forward backtest,
 * scored beside naive on the same targets. Prints a markdown table.
 *
 *   npm run evaluate                  # every model type, the networks on the fastest tfjs backend here
 *   npm run evaluate -- --no-neural   # baselines and ridge only
 *
 * Runtime is kept to a few minutes, since an LSTM fit on the wasm backend takes tens of seconds
 * here: BTC hourly is cut to its last 10,000 bars, each series is refit twice over its test
 * segment, and the networks have 16 units and at most 10 epochs of batches of 128 (early stopping,
 * patience 3).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { detectCsvLayout } from '../src/core/import/detect-csv';
import { parseBars } from '../src/core/import/parse-bars';
import type { BarColumns, TrainSpec } from '../src/core/models/engine/ports';
import { toBarColumns } from '../src/core/models/pipeline/bar-columns';
import { selectBackend } from '../src/core/models/tfjs/backend';
import { createTfjsEngine } from '../src/core/models/tfjs/tfjs-engine';
import { isNeuralModel, trainModel } from '../src/core/models/pipeline/train';
import { skillSentence, skillVerdict } from '../src/shared/model-verdicts';
import { modelTypes, type ModelMetrics, type ModelType } from '../src/shared/models';
import type { Timeframe } from '../src/shared/timeframes';

interface Dataset {
  title: string;
  file: string;
  timeframe: Timeframe;
  /** Only the most recent bars, to bound the runtime. */
  maxBars: number | null;
  seasonLength: number;
  walkForwardEvery: number;
}

const datasets: Dataset[] = [
  { title: 'XAU/USD daily', file: 'xauusd-1d-mt4.csv', timeframe: '1d', maxBars: null, seasonLength: 5, walkForwardEvery: 540 },
  { title: 'BTC/USDT hourly', file: 'btcusdt-1h.csv', timeframe: '1h', maxBars: 10_000, seasonLength: 24, walkForwardEvery: 1_000 },
];

const dataDir = new URL('../../shared/data/', import.meta.url);

async function loadBars(dataset: Dataset): Promise<BarColumns> {
  const text = readFileSync(fileURLToPath(new URL(dataset.file, dataDir)), 'utf8');
  const { bars } = await parseBars(text, detectCsvLayout(text));
  return toBarColumns(dataset.maxBars === null ? bars : bars.slice(-dataset.maxBars));
}

function specFor(dataset: Dataset, modelType: ModelType): TrainSpec {
  return {
    modelType,
    symbol: dataset.title,
    timeframe: dataset.timeframe,
    horizon: 1,
    level: 0.9,
    seed: 42,
    epochs: 10,
    lookback: 20,
    seasonLength: dataset.seasonLength,
    hiddenUnits: 16,
    learningRate: 1e-3,
    batchSize: 128,
    patience: 3,
    ridgeLambda: 10,
    validationFraction: 0.15,
    testFraction: 0.2,
    walkForwardEvery: dataset.walkForwardEvery,
    featureSetVersion: 'v1',
  };
}

const figure = (value: number | null, digits = 3) => (value === null ? '–' : value.toFixed(digits));
const pValue = (value: number | null) => (value === null ? '–' : value < 0.001 ? '< 0.001' : value.toFixed(3));

function row(modelType: ModelType, metrics: ModelMetrics): string {
  return `| ${modelType} | ${figure(metrics.rel_mae)} | ${figure(metrics.mase)} | ${figure(metrics.directional_accuracy)} | ${pValue(metrics.dm_pvalue)} | ${figure(metrics.interval_coverage)} | ${skillSentence(skillVerdict(modelType, metrics))} |`;
}

async function main() {
  const engine = process.argv.includes('--no-neural') ? null : createTfjsEngine((await selectBackend()).backend);
  const started = Date.now();
  const lines: string[] = [];
  for (const dataset of datasets) {
    const bars = await loadBars(dataset);
    lines.push(`### ${dataset.title}`, '');
    const rows: string[] = [];
    let evaluation = '';
    for (const modelType of modelTypes) {
      if (isNeuralModel(modelType) && !engine) {
        rows.push(`| ${modelType} | not run (--no-neural) | | | | | |`);
        continue;
      }
      const modelStarted = Date.now();
      const outcome = await trainModel(specFor(dataset, modelType), bars, engine, { onEpoch: () => {}, signal: new AbortController().signal });
      rows.push(row(modelType, outcome.metrics));
      const { from, to, samples } = outcome.evaluation;
      evaluation = `${samples} test targets, ${new Date(from).toISOString().slice(0, 10)} … ${new Date(to).toISOString().slice(0, 10)}`;
      process.stderr.write(`${dataset.title} ${modelType}: ${((Date.now() - modelStarted) / 1000).toFixed(1)} s (${outcome.backend})\n`);
    }
    lines.push(
      `${bars.close.length} bars; horizon 1 bar; walk-forward refit every ${dataset.walkForwardEvery} test bars; ${evaluation}; 90 % conformal intervals.`,
      '',
      '| model | rel_mae | mase | directional accuracy | dm_pvalue | interval coverage | verdict |',
      '|---|---|---|---|---|---|---|',
      ...rows,
      '',
    );
  }
  lines.push(`_${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}, ${((Date.now() - started) / 1000).toFixed(0)} s in all._`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
