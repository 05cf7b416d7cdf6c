import * as tf from '@tensorflow/tfjs';
import type { LossPoint } from '../../../shared/models';
import { AppError } from '../../../shared/errors';
import { seededRandom } from '../../demo/synthetic-prices';
import { trainingCancelled } from '../engine/cancelled';
import type { NeuralEngine, NeuralFitInput, NeuralFitOutput, NeuralWeights } from '../engine/ports';
import type { TfjsBackend } from './backend-names';
import { buildNetwork, inputLayout, inputShape, type InputLayout } from './networks';

/** Rows per tensor when predicting, so a long history never needs one huge allocation. */
const PREDICT_BATCH = 4_096;

/** Lets the thread's other messages (a cancel, a prediction) in between two batches. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A seeded Fisher–Yates order of the training rows, a new one per epoch, never Math.random. */
function shuffledOrder(samples: number, seed: number, epoch: number): Uint32Array {
  const random = seededRandom((seed * 1_000_003 + epoch) >>> 0);
  const order = new Uint32Array(samples);
  for (let i = 0; i < samples; i++) order[i] = i;
  for (let i = samples - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

function weightsSnapshot(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((weight) => Float32Array.from(weight.dataSync()));
}

function restoreWeights(model: tf.LayersModel, snapshot: Float32Array[]): void {
  const current = model.getWeights();
  const tensors = snapshot.map((values, i) => tf.tensor(values, current[i]!.shape, 'float32'));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

async function serialise(model: tf.LayersModel): Promise<NeuralWeights> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved?.weightData) throw new Error('tfjs saved no weights');
  return {
    modelTopology: saved.modelTopology,
    weightSpecs: saved.weightSpecs,
    weightData: Buffer.from(tf.io.CompositeArrayBuffer.join(saved.weightData)).toString('base64'),
  };
}

async function deserialise(weights: NeuralWeights): Promise<tf.LayersModel> {
  const bytes = Buffer.from(weights.weightData, 'base64');
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: weights.modelTopology as tf.io.ModelArtifacts['modelTopology'],
      weightSpecs: weights.weightSpecs as tf.io.WeightsManifestEntry[],
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    }),
  );
}

/** Mean squared error of the model over every row, computed in slices and kept off the tfjs tape. */
function meanSquaredError(model: tf.LayersModel, x: Float32Array, y: Float32Array, samples: number, layout: InputLayout): number {
  const rowSize = x.length / samples;
  let sum = 0;
  for (let start = 0; start < samples; start += PREDICT_BATCH) {
    const count = Math.min(PREDICT_BATCH, samples - start);
    sum += tf.tidy(() => {
      const input = tf.tensor(x.subarray(start * rowSize, (start + count) * rowSize), inputShape(layout, count));
      const target = tf.tensor2d(y.subarray(start, start + count), [count, 1]);
      const predicted = model.predict(input) as tf.Tensor;
      return tf.sum(tf.squaredDifference(predicted, target)).dataSync()[0]!;
    });
  }
  return sum / samples;
}

/**
 * Fits one batch at a time with a seeded shuffle, so the same seed on the same backend gives
 * the same weights; stops early once the validation loss has not improved for `patience`
 * epochs and hands back the best epoch's weights; checks the signal before every batch.
 */
async function fit(input: NeuralFitInput): Promise<NeuralFitOutput> {
  const { samples, lookback, features, batchSize, signal } = input;
  if (samples === 0) throw new AppError('VALIDATION', 'There are no training samples to fit.');
  const shape = { modelType: input.modelType, lookback, features };
  const layout = inputLayout(shape);
  const rowSize = lookback * features;
  const model = buildNetwork({ ...shape, hiddenUnits: input.hiddenUnits }, input.seed);
  const optimizer = tf.train.adam(input.learningRate);
  model.compile({ optimizer, loss: 'meanSquaredError' });
  const batchX = new Float32Array(batchSize * rowSize);
  const batchY = new Float32Array(batchSize);
  const lossHistory: LossPoint[] = [];
  let best: { epoch: number; loss: number; weights: Float32Array[] } | undefined;
  try {
    for (let epoch = 1; epoch <= input.epochs; epoch++) {
      const order = shuffledOrder(samples, input.seed, epoch);
      let lossSum = 0;
      for (let start = 0; start < samples; start += batchSize) {
        if (signal.aborted) throw trainingCancelled();
        const count = Math.min(batchSize, samples - start);
        for (let row = 0; row < count; row++) {
          const sample = order[start + row]!;
          batchX.set(input.x.subarray(sample * rowSize, (sample + 1) * rowSize), row * rowSize);
          batchY[row] = input.y[sample]!;
        }
        const xs = tf.tensor(batchX.subarray(0, count * rowSize), inputShape(layout, count));
        const ys = tf.tensor2d(batchY.subarray(0, count), [count, 1]);
        try {
          lossSum += ((await model.trainOnBatch(xs, ys)) as number) * count;
        } finally {
          tf.dispose([xs, ys]);
        }
        await yieldToEventLoop();
      }
      if (signal.aborted) throw trainingCancelled();
      const { validation } = input;
      const valLoss = validation.samples > 0 ? meanSquaredError(model, validation.x, validation.y, validation.samples, layout) : null;
      const point = { epoch, loss: lossSum / samples, valLoss };
      lossHistory.push(point);
      input.onEpoch({ ...point, epochs: input.epochs });
      // Without validation rows every epoch counts as the best so far: the last one is kept.
      if (!best || valLoss === null || valLoss < best.loss) best = { epoch, loss: valLoss ?? Number.NaN, weights: weightsSnapshot(model) };
      else if (epoch - best.epoch >= input.patience) break;
    }
    restoreWeights(model, best!.weights);
    return { weights: await serialise(model), lossHistory, bestEpoch: best!.epoch };
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}

async function predict(weights: NeuralWeights, x: Float32Array, samples: number, lookback: number, features: number): Promise<Float32Array> {
  const model = await deserialise(weights);
  try {
    const layout = { flattened: model.inputs[0]!.shape.length === 2, lookback, features };
    const rowSize = lookback * features;
    const out = new Float32Array(samples);
    for (let start = 0; start < samples; start += PREDICT_BATCH) {
      const count = Math.min(PREDICT_BATCH, samples - start);
      const values = tf.tidy(() => {
        const batch = tf.tensor(x.subarray(start * rowSize, (start + count) * rowSize), inputShape(layout, count));
        return (model.predict(batch) as tf.Tensor).dataSync();
      });
      out.set(values, start);
    }
    return out;
  } finally {
    model.dispose();
  }
}

/** The tfjs NeuralEngine on the backend `selectBackend` settled on. */
export function createTfjsEngine(backend: TfjsBackend): NeuralEngine {
  return { backend, fit, predict };
}
