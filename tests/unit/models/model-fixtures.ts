import type { BarColumns, TrainSpec } from '../../../src/core/models/engine/ports';
import type { TrainHooks } from '../../../src/core/models/pipeline/train';
import { toBarColumns } from '../../../src/core/models/pipeline/bar-columns';
import { metaTraderDailyBars } from '../../support/shared-data';

/** The first `count` XAU/USD daily bars of ../shared/data, enough for every feature and a few hundred test targets. */
export function xauDaily(count = 1_500): BarColumns {
  return toBarColumns(metaTraderDailyBars().slice(0, count));
}

function slice(bars: BarColumns, from: number, to: number): BarColumns {
  return {
    time: bars.time.slice(from, to),
    open: bars.open.slice(from, to),
    high: bars.high.slice(from, to),
    low: bars.low.slice(from, to),
    close: bars.close.slice(from, to),
    volume: bars.volume.slice(from, to),
  };
}

/** A copy of the first `length` bars. */
export const cut = (bars: BarColumns, length: number) => slice(bars, 0, length);

/** A copy of the last `count` bars. */
export const lastBars = (bars: BarColumns, count: number) => slice(bars, bars.close.length - count, bars.close.length);

/** The same bars up to `last`, every later bar's prices scrambled (doubled and jittered). */
export function changedAfter(bars: BarColumns, last: number): BarColumns {
  const copy = cut(bars, bars.close.length);
  for (let i = last + 1; i < copy.close.length; i++) {
    const factor = 2 + Math.sin(i);
    copy.open[i]! *= factor;
    copy.high[i]! *= factor * 1.01;
    copy.low[i]! *= factor * 0.99;
    copy.close[i]! *= factor;
  }
  return copy;
}

export function spec(overrides: Partial<TrainSpec> = {}): TrainSpec {
  return {
    modelType: 'ridge',
    symbol: 'XAUUSD',
    timeframe: '1d',
    horizon: 1,
    level: 0.9,
    seed: 42,
    epochs: 5,
    lookback: 10,
    seasonLength: 5,
    hiddenUnits: 8,
    learningRate: 0.01,
    batchSize: 32,
    patience: 2,
    ridgeLambda: 10,
    validationFraction: 0.15,
    testFraction: 0.2,
    walkForwardEvery: null,
    featureSetVersion: 'v1',
    ...overrides,
  };
}

export const noHooks = (): TrainHooks => ({ onEpoch: () => {}, signal: new AbortController().signal });
