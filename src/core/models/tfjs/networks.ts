import * as tf from '@tensorflow/tfjs';
import type { NeuralModelType } from '../../../shared/models';

export interface NetworkShape {
  modelType: NeuralModelType;
  lookback: number;
  features: number;
  hiddenUnits: number;
}

/** Every layer's name is fixed so that the saved topology, and the artifact, are the same for the same seed. */
const layerSeed = (seed: number, layer: number, part: number) => (seed * 7 + layer * 3 + part) % 2 ** 31;

/**
 * mlp: two dense ReLU layers over the window flattened; lstm and gru: one recurrent layer over
 * the window, its last state feeding a linear output. Every initializer is seeded (tfjs would
 * otherwise draw from Math.random), so one seed gives one set of starting weights.
 */
export function buildNetwork({ modelType, lookback, features, hiddenUnits }: NetworkShape, seed: number): tf.LayersModel {
  const model = tf.sequential({ name: `metalytics_${modelType}` });
  const glorot = (layer: number) => tf.initializers.glorotUniform({ seed: layerSeed(seed, layer, 0) });
  if (modelType === 'mlp') {
    model.add(tf.layers.dense({ name: 'hidden_1', inputShape: [lookback * features], units: hiddenUnits, activation: 'relu', kernelInitializer: glorot(1) }));
    model.add(tf.layers.dense({ name: 'hidden_2', units: hiddenUnits, activation: 'relu', kernelInitializer: glorot(2) }));
  } else {
    const recurrent = modelType === 'lstm' ? tf.layers.lstm : tf.layers.gru;
    model.add(
      recurrent({
        name: modelType,
        inputShape: [lookback, features],
        units: hiddenUnits,
        kernelInitializer: glorot(1),
        recurrentInitializer: tf.initializers.orthogonal({ seed: layerSeed(seed, 1, 1) }),
      }),
    );
  }
  model.add(tf.layers.dense({ name: 'output', units: 1, kernelInitializer: glorot(3) }));
  return model;
}

export interface InputLayout {
  /** The MLP sees each window as one row; the recurrent networks see it step by step. */
  flattened: boolean;
  lookback: number;
  features: number;
}

export const inputLayout = (shape: Omit<NetworkShape, 'hiddenUnits'>): InputLayout => ({ ...shape, flattened: shape.modelType === 'mlp' });

/** The input tensor's shape for `samples` windows. */
export function inputShape({ flattened, lookback, features }: InputLayout, samples: number): number[] {
  return flattened ? [samples, lookback * features] : [samples, lookback, features];
}
