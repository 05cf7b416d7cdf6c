/**
 * Model figures:
 * - training samples/s of an LSTM and a GRU on each tfjs backend that starts here (cpu, wasm,
 *   tensorflow where tfjs-node installs), as ratios to cpu measured in the same run, the
 *   backends taking turns round by round so a change in the machine's load weighs on all;
 * - the main thread's event-loop delay while the model worker thread starts, then while it
 *   trains an LSTM on XAU daily bars (goal: max ≤ 50 ms; maxOnCpuMs is the part that is our
 *   own work rather than the machine keeping the thread waiting);
 * - the latency of one forecast through the worker, beside a bare round trip to the thread.
 *
 *   METALYTICS_BENCH_TRAIN_SAMPLES   windows per training measurement (default 1,024)
 */
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../../src/core/demo/synthetic-prices';
import type { NeuralFitInput } from '../../src/core/models/engine/ports';
import { selectBackend } from '../../src/core/models/tfjs/backend';
import { tfjsBackends, type TfjsBackend } from '../../src/core/models/tfjs/backend-names';
import { toBarColumns } from '../../src/core/models/pipeline/bar-columns';
import { createTfjsEngine } from '../../src/core/models/tfjs/tfjs-engine';
import { startModelWorker } from '../../src/core/models/worker/model-worker-client';
import type { NeuralModelType } from '../../src/shared/models';
import { metaTraderDailyBars } from '../support/shared-data';
import { silentLogger } from '../support/silent-logger';
import { spec } from '../unit/models/model-fixtures';
import { loopColumns, watchEventLoop } from './loop-watch';
import { percentile } from './stats';

type Row = Record<string, string | number>;

const SAMPLES = Number(process.env.METALYTICS_BENCH_TRAIN_SAMPLES ?? 1_024);
const LOOKBACK = 32;
const FEATURES = 8;
const HIDDEN = 32;
const BATCH = 32;
const ROUNDS = 3;
const PREDICTIONS = 60;
const TRAIN_BARS = 2_000;

function fitInput(modelType: NeuralModelType): NeuralFitInput {
  const random = seededRandom(3);
  return {
    modelType,
    x: Float32Array.from({ length: SAMPLES * LOOKBACK * FEATURES }, () => random() - 0.5),
    y: Float32Array.from({ length: SAMPLES }, () => random() - 0.5),
    samples: SAMPLES,
    lookback: LOOKBACK,
    features: FEATURES,
    validation: { x: new Float32Array(0), y: new Float32Array(0), samples: 0 },
    hiddenUnits: HIDDEN,
    epochs: 1,
    batchSize: BATCH,
    learningRate: 0.001,
    patience: 1,
    seed: 1,
    onEpoch: () => undefined,
    signal: new AbortController().signal,
  };
}

/** The backends that start here, each selected by name; one that falls back to a slower one is left out. */
async function availableBackends(): Promise<{ backends: TfjsBackend[]; notes: string[] }> {
  const backends: TfjsBackend[] = [];
  const notes: string[] = [];
  for (const backend of tfjsBackends) {
    const choice = await selectBackend(backend);
    if (choice.backend === backend) backends.push(backend);
    else notes.push(`${backend}: ${choice.skipped[0]?.reason ?? 'unavailable'}`);
  }
  return { backends, notes };
}

async function trainingThroughput(): Promise<Row[]> {
  const { backends, notes } = await availableBackends();
  for (const note of notes) console.log(`training throughput: skipped ${note}`);
  const rows: Row[] = [];
  for (const modelType of ['lstm', 'gru'] as const) {
    const input = fitInput(modelType);
    const seconds = new Map<TfjsBackend, number>(backends.map((backend) => [backend, 0]));
    // Round 0 warms each backend up (kernels compiled, wasm instantiated) and is not counted.
    for (let round = 0; round <= ROUNDS; round++) {
      for (const backend of backends) {
        await tf.setBackend(backend);
        const started = performance.now();
        await createTfjsEngine(backend).fit(input);
        if (round > 0) seconds.set(backend, seconds.get(backend)! + (performance.now() - started) / 1000);
      }
    }
    const rate = (backend: TfjsBackend) => (SAMPLES * ROUNDS) / seconds.get(backend)!;
    for (const backend of backends) {
      rows.push({
        figure: 'model-training',
        model: modelType,
        backend,
        shape: `${SAMPLES}×${LOOKBACK}×${FEATURES}, ${HIDDEN} units, batch ${BATCH}`,
        samplesPerSecond: rate(backend).toFixed(0),
        ratioToCpu: (rate(backend) / rate('cpu')).toFixed(2),
      });
    }
  }
  return rows;
}

/** The main thread while the worker thread starts and trains, then forecast latency through it. */
async function workerFigures(): Promise<Row[]> {
  const daily = metaTraderDailyBars();
  const worker = startModelWorker({ logger: silentLogger() });
  try {
    // Starting the thread (tfjs loaded, the backend settled) and training are watched apart.
    const startWatch = watchEventLoop();
    let started = performance.now();
    const backend = await worker.backend();
    const startRow: Row = { figure: 'model-worker-loop', phase: 'thread start', backend, seconds: ((performance.now() - started) / 1000).toFixed(1), ...loopColumns(startWatch.stop()) };
    const history = daily.slice(-TRAIN_BARS);
    const lstm = spec({ modelType: 'lstm', lookback: 32, hiddenUnits: 32, learningRate: 0.001, epochs: 3, patience: 3 });
    const trainWatch = watchEventLoop();
    started = performance.now();
    const outcome = await worker.train(lstm, toBarColumns(history), () => undefined, new AbortController().signal);
    const trainingRow: Row = {
      figure: 'model-worker-loop',
      phase: `lstm, ${history.length} bars, ${outcome.lossHistory.length} epochs`,
      backend,
      seconds: ((performance.now() - started) / 1000).toFixed(1),
      ...loopColumns(trainWatch.stop()),
    };

    const runs = PREDICTIONS + 5;
    const time = async (call: () => Promise<unknown>) => {
      const samples: number[] = [];
      for (let run = 0; run < runs; run++) {
        const begun = performance.now();
        await call();
        // The first calls warm the thread up and are not counted.
        if (run >= 5) samples.push(performance.now() - begun);
      }
      return samples.sort((a, b) => a - b);
    };
    const recent = toBarColumns(daily.slice(-400));
    const predict = await time(() => worker.predict(outcome.artifact, recent));
    const roundTrip = await time(() => worker.backend());
    const latency = (what: string, list: number[]): Row => ({
      figure: 'model-predict',
      what,
      backend,
      calls: list.length,
      p50ms: percentile(list, 50).toFixed(1),
      p95ms: percentile(list, 95).toFixed(1),
    });
    return [startRow, trainingRow, latency('one forecast, 400 bars of history', predict), latency('baseline: a bare round trip to the thread', roundTrip)];
  } finally {
    await worker.close();
  }
}

export async function benchModels(): Promise<Row[]> {
  // The worker first, while the bench's main thread has not yet trained anything itself.
  const worker = await workerFigures();
  return [...(await trainingThroughput()), ...worker];
}
