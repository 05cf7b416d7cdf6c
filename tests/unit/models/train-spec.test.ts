import { describe, expect, it } from 'vitest';
import { resampleSnapshots } from '../../../src/core/models/service/bar-data';
import { resolveTraining } from '../../../src/core/models/service/train-spec';
import { FEATURE_SET_VERSION } from '../../../src/core/models/pipeline/features';
import { trainParamsSchema, type TrainParams } from '../../../src/shared/models';

const params = (input: Record<string, unknown>): TrainParams => trainParamsSchema.parse({ symbol: 'XAUUSD', timeframe: '1d', ...input });

describe('resolveTraining', () => {
  it('fills what the caller left out from the model type, and keeps what it gave', () => {
    const lstm = resolveTraining(params({ modelType: 'lstm' }), undefined);
    expect(lstm.modelName).toBe('lstm-1d');
    expect(lstm.spec).toMatchObject({ epochs: 50, lookback: 30, hiddenUnits: 32, seasonLength: 5, horizon: 1, level: 0.9, seed: 42, featureSetVersion: FEATURE_SET_VERSION, walkForwardEvery: null });
    const given = resolveTraining(params({ modelType: 'lstm', epochs: 7, lookback: 12, modelName: 'mine', timeframe: '1h', walkForwardEvery: 50 }), undefined);
    expect(given.modelName).toBe('mine');
    expect(given.spec).toMatchObject({ epochs: 7, lookback: 12, seasonLength: 24, walkForwardEvery: 50 });
  });

  it('needs more bars for a longer window, a longer horizon or a longer season', () => {
    const base = resolveTraining(params({ modelType: 'ridge' }), undefined).minimumBars;
    expect(resolveTraining(params({ modelType: 'lstm' }), undefined).minimumBars).toBe(base + 29);
    expect(resolveTraining(params({ modelType: 'ridge', horizon: 5 }), undefined).minimumBars).toBe(base + 12);
    expect(resolveTraining(params({ modelType: 'seasonal_naive', timeframe: '5m' }), undefined).minimumBars).toBeGreaterThan(288);
  });

  it('applies a preset under what the caller gave, and refuses a model type or timeframe it does not train', () => {
    const daily = resolveTraining(params({ modelType: 'lstm', epochs: 3 }), 'daily_lstm');
    expect(daily).toMatchObject({ modelName: 'daily_lstm', preset: 'daily_lstm', spec: { epochs: 3, lookback: 30 } });
    expect(resolveTraining(params({ modelType: 'gru', timeframe: '15m' }), 'intraday_gru').spec.lookback).toBe(60);
    expect(resolveTraining(params({ modelType: 'ridge', timeframe: '1m' }), 'spot_12h').modelName).toBe('spot_12h');
    expect(() => resolveTraining(params({ modelType: 'gru' }), 'daily_lstm')).toThrow(/daily_lstm preset trains lstm, not gru/);
    expect(() => resolveTraining(params({ modelType: 'gru', timeframe: '1d' }), 'intraday_gru')).toThrow(/timeframe 1m, 5m, 15m, 30m, 1h, 4h, not 1d/);
  });
});

describe('resampleSnapshots', () => {
  it('makes one 1m bar per minute holding snapshots: first, highest, lowest and last price, no volume', () => {
    const at = (minute: number, second: number) => Date.UTC(2025, 0, 6, 10, minute, second);
    const snapshot = (timestamp: number, price: number) => ({ metal: 'XAUUSD', source: 'metalsapi', timestamp, price });
    const bars = resampleSnapshots([snapshot(at(1, 50), 10), snapshot(at(0, 5), 5), snapshot(at(0, 40), 7), snapshot(at(0, 20), 3), snapshot(at(3, 0), 9)]);
    expect(bars).toEqual([
      { time: at(0, 0), open: 5, high: 7, low: 3, close: 7, volume: 0 },
      { time: at(1, 0), open: 10, high: 10, low: 10, close: 10, volume: 0 },
      { time: at(3, 0), open: 9, high: 9, low: 9, close: 9, volume: 0 },
    ]);
  });
});
