import { describe, expect, it } from 'vitest';
import { applyPreset, emptyTrainForm, trainFormToInput, type TrainForm } from './train-form';

const form = (patch: Partial<TrainForm> = {}): TrainForm => ({ ...emptyTrainForm, symbol: 'DEMO.XAUUSD', ...patch });

describe('trainFormToInput', () => {
  it('sends what the form holds, without waiting, leaving blank choices to the model type', () => {
    expect(trainFormToInput(form({ modelType: 'lstm', epochs: '5', from: '2024-01-01', to: '2025-06-30' }))).toEqual({
      errors: null,
      input: { symbol: 'DEMO.XAUUSD', timeframe: '1d', modelType: 'lstm', horizon: 1, from: '2024-01-01', to: '2025-06-30', epochs: 5, seed: 42, level: 0.9, wait: false },
    });
  });

  it('leaves out epochs and look-back for models that do not train by epochs', () => {
    const result = trainFormToInput(form({ modelType: 'ridge', epochs: '5', lookback: '30' }));
    expect(result.input).not.toHaveProperty('epochs');
    expect(result.input).not.toHaveProperty('lookback');
  });

  it('refuses each field as the contract would, with the reason beside it', () => {
    const result = trainFormToInput(form({ symbol: '', modelType: 'gru', horizon: '0', epochs: '2.5', seed: '-1', level: '1', lookback: '1', from: '2024-13-01' }));
    expect(result.input).toBeNull();
    expect(result.errors).toEqual({
      symbol: 'Choose the instrument to train on.',
      horizon: 'Horizon must be at least 1.',
      epochs: 'Epochs must be a whole number.',
      seed: 'Seed must be at least 0.',
      level: 'Interval level must be below 1.',
      lookback: 'Look-back must be at least 2.',
      from: 'Give a date as YYYY-MM-DD.',
    });
  });

  it('refuses a range that ends before it starts', () => {
    expect(trainFormToInput(form({ from: '2025-01-01', to: '2024-01-01' })).errors).toEqual({ to: 'The range must end after it starts.' });
  });

  it('says a number field left empty where the contract needs one is not a number', () => {
    expect(trainFormToInput(form({ horizon: 'abc' })).errors).toEqual({ horizon: 'Horizon must be a whole number.' });
  });
});

describe('applyPreset', () => {
  it('fills the timeframe and model a preset fixes and names the preset in the request', () => {
    const chosen = applyPreset(form({ epochs: '3' }), 'daily_lstm');
    expect(chosen).toMatchObject({ preset: 'daily_lstm', timeframe: '1d', modelType: 'lstm', epochs: '' });
    expect(trainFormToInput(chosen).input).toMatchObject({ preset: 'daily_lstm', modelType: 'lstm', timeframe: '1d' });
    expect(applyPreset(chosen, '').preset).toBe('');
  });
});
