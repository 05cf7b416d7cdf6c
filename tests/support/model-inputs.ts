import type { BarColumns, TrainSpec } from '../../src/core/models/engine/ports';
import type { Bar } from '../../src/shared/domain';

/** Bars as the model worker takes them; fresh arrays every call, since a train or predict takes their buffers. */
export function barColumns(bars: readonly Bar[]): BarColumns {
  const column = (pick: (bar: Bar) => number) => Float64Array.from(bars, pick);
  return {
    time: column((bar) => bar.time),
    open: column((bar) => bar.open),
    high: column((bar) => bar.high),
    low: column((bar) => bar.low),
    close: column((bar) => bar.close),
    volume: column((bar) => bar.volume),
  };
}

/** A small, quick network's training spec; tests and the bench override what they measure. */
export function trainSpec(overrides: Partial<TrainSpec> = {}): TrainSpec {
  return {
    modelType: 'lstm',
    symbol: 'XAUUSD',
    timeframe: '1d',
    horizon: 1,
    level: 0.9,
    seed: 42,
    epochs: 3,
    lookback: 16,
    seasonLength: 5,
    hiddenUnits: 16,
    learningRate: 0.001,
    batchSize: 32,
    patience: 5,
    ridgeLambda: 1,
    validationFraction: 0.15,
    testFraction: 0.15,
    walkForwardEvery: null,
    featureSetVersion: 'v1',
    ...overrides,
  };
}
