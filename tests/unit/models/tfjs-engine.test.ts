import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/core/demo/synthetic-prices';
import type { NeuralEngine, NeuralFitInput, NeuralWeights } from '../../../src/core/models/engine/ports';
import { selectBackend, type BackendLoader } from '../../../src/core/models/tfjs/backend';
import type { TfjsBackend } from '../../../src/core/models/tfjs/backend-names';
import { createTfjsEngine } from '../../../src/core/models/tfjs/tfjs-engine';
import type { NeuralModelType } from '../../../src/shared/models';
import { AppError } from '../../../src/shared/errors';

const LOOKBACK = 8;
const FEATURES = 2;

/** Windows over a noisy sine (value and its change), the target the next value: learnable, and fixed by its seed. */
function windows(samples: number, seed: number) {
  const random = seededRandom(seed);
  const series = Array.from({ length: samples + LOOKBACK + 1 }, (_, i) => Math.sin(i / 4) + (random() - 0.5) * 0.2);
  const x = new Float32Array(samples * LOOKBACK * FEATURES);
  const y = new Float32Array(samples);
  for (let s = 0; s < samples; s++) {
    for (let t = 0; t < LOOKBACK; t++) {
      const i = s + t + 1;
      x[(s * LOOKBACK + t) * FEATURES] = series[i]!;
      x[(s * LOOKBACK + t) * FEATURES + 1] = series[i]! - series[i - 1]!;
    }
    y[s] = series[s + LOOKBACK + 1]!;
  }
  return { x, y, samples };
}

const train = windows(160, 1);
const validation = windows(48, 2);

function fitInput(modelType: NeuralModelType, overrides: Partial<NeuralFitInput> = {}): NeuralFitInput {
  return {
    modelType,
    ...train,
    lookback: LOOKBACK,
    features: FEATURES,
    validation,
    hiddenUnits: 8,
    epochs: 4,
    batchSize: 32,
    learningRate: 0.01,
    patience: 10,
    seed: 7,
    onEpoch: () => undefined,
    signal: new AbortController().signal,
    ...overrides,
  };
}

function mse(predicted: Float32Array, actual: Float32Array): number {
  return predicted.reduce((sum, value, i) => sum + (value - actual[i]!) ** 2, 0) / actual.length;
}

let engine: NeuralEngine;

beforeAll(async () => {
  const { backend } = await selectBackend('wasm');
  engine = createTfjsEngine(backend);
});

describe('tfjs engine', () => {
  it.each(['mlp', 'lstm', 'gru'] as const)('fits a %s twice from the same seed to the same losses and predictions', async (modelType) => {
    const first = await engine.fit(fitInput(modelType));
    const second = await engine.fit(fitInput(modelType));
    expect(second.lossHistory).toEqual(first.lossHistory);
    expect(second.weights).toEqual(first.weights);
    const predict = (weights: NeuralWeights) => engine.predict(weights, validation.x, validation.samples, LOOKBACK, FEATURES);
    expect(await predict(second.weights)).toEqual(await predict(first.weights));
    // It learned something: the validation loss fell from the first epoch to the best.
    expect(first.lossHistory[first.bestEpoch - 1]!.valLoss!).toBeLessThan(first.lossHistory[0]!.valLoss!);
    const other = await engine.fit(fitInput(modelType, { seed: 8 }));
    expect(other.weights.weightData).not.toBe(first.weights.weightData);
  });

  it('stops once validation stops improving and keeps the best epoch, not the last', async () => {
    // A wide network on 16 training rows overfits: validation improves for a few epochs, then worsens.
    const result = await engine.fit(fitInput('mlp', { ...windows(16, 1), hiddenUnits: 64, epochs: 40, patience: 3, learningRate: 0.02 }));
    const valLosses = result.lossHistory.map((point) => point.valLoss!);
    expect(result.lossHistory.length).toBeLessThan(40);
    expect(result.lossHistory.length).toBe(result.bestEpoch + 3);
    expect(valLosses[result.bestEpoch - 1]).toBe(Math.min(...valLosses));
    const predicted = await engine.predict(result.weights, validation.x, validation.samples, LOOKBACK, FEATURES);
    expect(mse(predicted, validation.y)).toBeCloseTo(valLosses[result.bestEpoch - 1]!, 5);
    expect(mse(predicted, validation.y)).not.toBeCloseTo(valLosses.at(-1)!, 5);
  });

  it('keeps the last epoch when there are no validation rows', async () => {
    const result = await engine.fit(fitInput('gru', { validation: { x: new Float32Array(0), y: new Float32Array(0), samples: 0 } }));
    expect(result.bestEpoch).toBe(4);
    expect(result.lossHistory.every((point) => point.valLoss === null)).toBe(true);
  });

  it('reports every epoch and stops with CANCELLED when the signal aborts, leaving no tensor behind', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const epochs: number[] = [];
    const fitting = engine.fit(
      fitInput('lstm', {
        epochs: 50,
        signal: controller.signal,
        onEpoch: (report) => {
          epochs.push(report.epoch);
          if (report.epoch === 2) controller.abort();
        },
      }),
    );
    await expect(fitting).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(fitting).rejects.toBeInstanceOf(AppError);
    expect(epochs).toEqual([1, 2]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('predicts the same from weights that went through JSON, and leaks no tensor', async () => {
    const before = tf.memory().numTensors;
    const { weights } = await engine.fit(fitInput('lstm'));
    const travelled = JSON.parse(JSON.stringify(weights)) as NeuralWeights;
    const direct = await engine.predict(weights, validation.x, validation.samples, LOOKBACK, FEATURES);
    expect(await engine.predict(travelled, validation.x, validation.samples, LOOKBACK, FEATURES)).toEqual(direct);
    expect(direct.length).toBe(validation.samples);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('backend selection', () => {
  const failing = (reason: string): BackendLoader => async () => {
    throw new Error(reason);
  };
  const works: BackendLoader = async () => undefined;

  it('falls back along tensorflow → wasm → cpu and says why each faster one was skipped', async () => {
    const choice = await selectBackend('tensorflow', { tensorflow: failing('no libtensorflow'), wasm: failing('no wasm file'), cpu: works });
    expect(choice).toEqual({
      backend: 'cpu',
      skipped: [
        { backend: 'tensorflow', reason: 'no libtensorflow' },
        { backend: 'wasm', reason: 'no wasm file' },
      ],
    });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('settles on the fastest that works here: wasm when tfjs-node is not installed', async () => {
    const choice = await selectBackend();
    const installed = await import(/* @vite-ignore */ ['@tensorflow', 'tfjs-node'].join('/')).then(() => true, () => false);
    const expected: TfjsBackend = installed ? 'tensorflow' : 'wasm';
    expect(choice.backend).toBe(expected);
    expect(tf.getBackend()).toBe(expected);
    if (!installed) expect(choice.skipped).toEqual([{ backend: 'tensorflow', reason: expect.stringContaining('@tensorflow/tfjs-node') }]);
  });

  it('starts the chain at the preferred backend', async () => {
    expect(await selectBackend('cpu')).toEqual({ backend: 'cpu', skipped: [] });
    expect((await selectBackend('wasm')).backend).toBe('wasm');
  });
});
