import type { z } from 'zod';
import { methods, type MethodInput } from '../../../../shared/contract';
import type { ModelType, PresetName } from '../../../../shared/models';
import type { Timeframe } from '../../../../shared/timeframes';

/** What the training form holds: text as typed, so a half-typed number is not lost; '' leaves a choice to the model type's default. */
export interface TrainForm {
  preset: PresetName | '';
  symbol: string;
  timeframe: Timeframe;
  modelType: ModelType;
  horizon: string;
  /** YYYY-MM-DD, UTC. */
  from: string;
  to: string;
  epochs: string;
  seed: string;
  level: string;
  lookback: string;
}

export type TrainFormField = Exclude<keyof TrainForm, 'preset'>;
export type TrainFormErrors = Partial<Record<TrainFormField, string>>;

export const emptyTrainForm: TrainForm = {
  preset: '',
  symbol: '',
  timeframe: '1d',
  modelType: 'ridge',
  horizon: '1',
  from: '',
  to: '',
  epochs: '',
  seed: '42',
  level: '0.9',
  lookback: '',
};

export const presetLabels: Record<PresetName, string> = {
  spot_12h: 'Last 12 hours of spot prices',
  daily_lstm: 'Daily LSTM',
  intraday_gru: 'Intraday GRU',
};

/**
 * What choosing a preset puts in the form. The preset's name goes to the core with the
 * request, which fills what the form leaves blank from the preset; the form shows the
 * choices a preset fixes so they can still be changed.
 */
export const presetChoices: Record<PresetName, Pick<TrainForm, 'timeframe' | 'modelType'>> = {
  spot_12h: { timeframe: '1m', modelType: 'ridge' },
  daily_lstm: { timeframe: '1d', modelType: 'lstm' },
  intraday_gru: { timeframe: '1h', modelType: 'gru' },
};

export function applyPreset(form: TrainForm, preset: PresetName | ''): TrainForm {
  if (preset === '') return { ...form, preset };
  return { ...form, preset, ...presetChoices[preset], epochs: '', lookback: '' };
}

/** Fields only a neural network reads. */
export function takesEpochs(modelType: ModelType): boolean {
  return modelType === 'mlp' || modelType === 'lstm' || modelType === 'gru';
}

const numberFields = {
  horizon: 'Horizon',
  epochs: 'Epochs',
  seed: 'Seed',
  level: 'Interval level',
  lookback: 'Look-back',
} as const satisfies Partial<Record<TrainFormField, string>>;

function issueMessage(field: TrainFormField, issue: z.core.$ZodIssue): string {
  if (field in numberFields) {
    const label = numberFields[field as keyof typeof numberFields];
    if (issue.code === 'too_small') return `${label} must be ${issue.inclusive === false ? 'above' : 'at least'} ${String(issue.minimum)}.`;
    if (issue.code === 'too_big') return `${label} must be ${issue.inclusive === false ? 'below' : 'at most'} ${String(issue.maximum)}.`;
    return field === 'level' ? `${label} must be a number between 0 and 1, such as 0.9.` : `${label} must be a whole number.`;
  }
  if (field === 'symbol') return 'Choose the instrument to train on.';
  if (field === 'from' || field === 'to') return 'Give a date as YYYY-MM-DD.';
  return issue.message;
}

export type TrainInput = MethodInput<'models.train'>;

/**
 * The request models.train receives, checked with the contract's own schema so a field is
 * refused here exactly when the core would refuse it, with the reason beside that field.
 */
export function trainFormToInput(form: TrainForm): { input: TrainInput; errors: null } | { input: null; errors: TrainFormErrors } {
  const number = (text: string) => (text.trim() === '' ? undefined : Number(text));
  const neural = takesEpochs(form.modelType);
  const candidate = {
    symbol: form.symbol,
    timeframe: form.timeframe,
    modelType: form.modelType,
    ...(form.preset !== '' && { preset: form.preset }),
    horizon: number(form.horizon),
    ...(form.from.trim() !== '' && { from: form.from.trim() }),
    ...(form.to.trim() !== '' && { to: form.to.trim() }),
    ...(neural && form.epochs.trim() !== '' && { epochs: number(form.epochs) }),
    seed: number(form.seed),
    level: number(form.level),
    ...(neural && form.lookback.trim() !== '' && { lookback: number(form.lookback) }),
    wait: false,
  };
  const errors: TrainFormErrors = {};
  const parsed = methods['models.train'].input.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as TrainFormField;
      errors[field] ??= issueMessage(field, issue);
    }
  }
  if (parsed.success && parsed.data.from !== undefined && parsed.data.to !== undefined && parsed.data.from >= parsed.data.to) {
    errors.to = 'The range must end after it starts.';
  }
  if (!parsed.success || Object.keys(errors).length > 0) return { input: null, errors };
  // The form's own values (dates as typed) go over the wire; the core parses them with the same schema.
  return { input: candidate as TrainInput, errors: null };
}
