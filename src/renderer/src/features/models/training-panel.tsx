import { useEffect, useId, useState, type FormEvent } from 'react';
import { modelTypes, presetNames, type ModelDetail, type ModelType, type PresetName } from '../../../../shared/models';
import { timeframes, type Timeframe } from '../../../../shared/timeframes';
import { describeError } from '../../api/api-error';
import { call } from '../../api/client';
import { useApiEvent } from '../../api/hooks';
import { useApiAction } from '../../api/use-api-action';
import { formatDuration } from '../../ui/format/time';
import type { ResolvedTheme } from '../../ui/theme';
import { FormField } from '../data/form-field';
import { ProgressBar } from '../data/progress-bar';
import { LossChart } from './loss-chart';
import { formatMetric, metricLabels, verdictOf, verdictText, versionLabel } from './model-view';
import { applyPreset, emptyTrainForm, presetLabels, takesEpochs, trainFormToInput, type TrainForm, type TrainFormErrors, type TrainFormField } from './train-form';
import { recordEpoch, recordFinished, recordProgress, trainingFraction, type TrainingLog } from './training-log';

export const modelTypeLabels: Record<ModelType, string> = {
  naive: 'naive (tomorrow = today)',
  seasonal_naive: 'seasonal naive',
  drift: 'drift (random walk with drift)',
  ridge: 'ridge (linear)',
  mlp: 'MLP',
  lstm: 'LSTM',
  gru: 'GRU',
};

/** The registry version a finished run made: the newest of its kind whose lineage names the run. */
async function findTrainedModel(runId: string, form: TrainForm): Promise<ModelDetail | null> {
  const { models } = await call('models.list', { symbol: form.symbol, timeframe: form.timeframe, modelType: form.modelType });
  const newest = [...models].sort((a, b) => b.trainingDate - a.trainingDate).slice(0, 5);
  for (const model of newest) {
    const detail = await call('models.get', { modelId: model.modelId });
    if (detail.lineage.trainingRunId === runId) return detail;
  }
  return null;
}

/**
 * Trains a model from the form: models.train answers with the run at once, and the run is
 * followed through its events, loss curves drawn epoch by epoch from training.epoch,
 * progress and time left from job.progress, and the new version's verdict once
 * job.finished says it is in the registry.
 */
export function TrainingPanel({
  symbols,
  theme,
  onClose,
  onOpenModel,
}: {
  /** Instruments with stored bars, the ones a model can learn from. */
  symbols: readonly string[];
  theme: ResolvedTheme;
  onClose(): void;
  onOpenModel(modelId: string): void;
}) {
  const [form, setForm] = useState<TrainForm>(() => ({ ...emptyTrainForm, symbol: symbols[0] ?? '' }));
  const [errors, setErrors] = useState<TrainFormErrors>({});
  const [runId, setRunId] = useState<string | null>(null);
  const [trainedWith, setTrainedWith] = useState<TrainForm | null>(null);
  const [log, setLog] = useState<TrainingLog>(new Map());
  const [result, setResult] = useState<ModelDetail | null>(null);
  const [resultError, setResultError] = useState<string | null>(null);
  const start = useApiAction();
  const cancel = useApiAction();
  const prefix = useId();
  const id = (field: TrainFormField) => `${prefix}-${field}`;
  const describedBy = (field: TrainFormField) => ({ 'aria-invalid': errors[field] !== undefined, 'aria-describedby': `${id(field)}-error` });
  const change = (patch: Partial<TrainForm>) => setForm((current) => ({ ...current, ...patch }));

  useApiEvent('training.epoch', (event) => setLog((current) => recordEpoch(current, event)));
  useApiEvent('job.progress', (event) => setLog((current) => recordProgress(current, event)));
  useApiEvent('job.finished', (event) => setLog((current) => recordFinished(current, event)));

  const run = runId === null ? undefined : log.get(runId);
  const finished = run?.finished ?? null;
  const running = runId !== null && finished === null;

  useEffect(() => {
    if (finished?.status !== 'succeeded' || runId === null || trainedWith === null) return;
    let current = true;
    findTrainedModel(runId, trainedWith).then(
      (detail) => {
        if (!current) return;
        setResult(detail);
        setResultError(detail ? null : 'The run finished, but its version is not in the registry list; reload the list to look for it.');
      },
      (failure: unknown) => current && setResultError(describeError(failure)),
    );
    return () => {
      current = false;
    };
  }, [finished, runId, trainedWith]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { input, errors: found } = trainFormToInput(form);
    setErrors(found ?? {});
    if (!input) {
      start.clearError();
      return;
    }
    setResult(null);
    setResultError(null);
    await start.run(async () => {
      const reply = await call('models.train', input);
      setTrainedWith(form);
      setRunId(reply.runId);
    });
  };

  const neural = takesEpochs(form.modelType);
  const losses = run?.losses ?? [];
  const lastLoss = losses.at(-1);
  const status = finished
    ? finished.status === 'succeeded'
      ? 'Finished'
      : finished.status === 'cancelled'
        ? 'Cancelled'
        : `Failed${finished.error ? `: ${finished.error}` : ''}`
    : runId
      ? [
          lastLoss ? `Epoch ${losses.length}${run?.epochs ? ` of up to ${run.epochs}` : ''}` : 'Preparing features and splits…',
          run?.backend ? `backend ${run.backend}` : null,
          run?.etaMs != null ? `${formatDuration(run.etaMs)} left` : null,
        ]
          .filter(Boolean)
          .join(' · ')
      : null;

  return (
    <section className="models-panel training-panel" aria-labelledby={`${prefix}-title`} data-testid="training-panel">
      <header className="models-panel__header">
        <h2 id={`${prefix}-title`}>Train a model</h2>
        <button type="button" className="button button--small button--ghost" onClick={onClose} aria-label="Close the training panel">
          ×
        </button>
      </header>
      <div className="training-panel__body">
        <form className="data-form training-form" onSubmit={(event) => void submit(event)} noValidate data-testid="train-form">
          <div className="data-form__fields">
            <FormField id={`${prefix}-preset`} label="Preset">
              <select
                id={`${prefix}-preset`}
                value={form.preset}
                data-testid="train-preset"
                onChange={(e) => setForm((current) => applyPreset(current, e.target.value as PresetName | ''))}
              >
                <option value="">None: choose below</option>
                {presetNames.map((preset) => (
                  <option key={preset} value={preset}>
                    {presetLabels[preset]}
                  </option>
                ))}
              </select>
            </FormField>
            <FormField id={id('symbol')} label="Instrument" error={errors.symbol}>
              <select id={id('symbol')} value={form.symbol} data-testid="train-symbol" {...describedBy('symbol')} onChange={(e) => change({ symbol: e.target.value })}>
                {symbols.length === 0 && <option value="">No stored prices yet</option>}
                {symbols.map((symbol) => (
                  <option key={symbol} value={symbol}>
                    {symbol}
                  </option>
                ))}
              </select>
            </FormField>
            <FormField id={id('timeframe')} label="Timeframe" error={errors.timeframe}>
              <select id={id('timeframe')} value={form.timeframe} data-testid="train-timeframe" {...describedBy('timeframe')} onChange={(e) => change({ timeframe: e.target.value as Timeframe })}>
                {timeframes.map((tf) => (
                  <option key={tf} value={tf}>
                    {tf}
                  </option>
                ))}
              </select>
            </FormField>
            <FormField id={id('modelType')} label="Model" error={errors.modelType}>
              <select id={id('modelType')} value={form.modelType} data-testid="train-model-type" {...describedBy('modelType')} onChange={(e) => change({ modelType: e.target.value as ModelType })}>
                {modelTypes.map((type) => (
                  <option key={type} value={type}>
                    {modelTypeLabels[type]}
                  </option>
                ))}
              </select>
            </FormField>
            <FormField id={id('horizon')} label="Horizon" error={errors.horizon} hint={<span className="data-form__hint muted">bars ahead</span>}>
              <input id={id('horizon')} type="number" min={1} value={form.horizon} data-testid="train-horizon" {...describedBy('horizon')} onChange={(e) => change({ horizon: e.target.value })} />
            </FormField>
            <FormField id={id('from')} label="Range" error={errors.from ?? errors.to} hint={<span className="data-form__hint muted">UTC; empty = all stored</span>}>
              <span className="training-form__range">
                <input id={id('from')} type="date" value={form.from} aria-label="From" data-testid="train-from" {...describedBy('from')} onChange={(e) => change({ from: e.target.value })} />
                <span aria-hidden="true">→</span>
                <input id={id('to')} type="date" value={form.to} aria-label="To" data-testid="train-to" {...describedBy('to')} onChange={(e) => change({ to: e.target.value })} />
              </span>
            </FormField>
            {neural && (
              <>
                <FormField id={id('epochs')} label="Epochs" error={errors.epochs} hint={<span className="data-form__hint muted">at most; empty = the model’s default</span>}>
                  <input id={id('epochs')} type="number" min={1} value={form.epochs} data-testid="train-epochs" {...describedBy('epochs')} onChange={(e) => change({ epochs: e.target.value })} />
                </FormField>
                <FormField id={id('lookback')} label="Look-back" error={errors.lookback} hint={<span className="data-form__hint muted">bars per sample</span>}>
                  <input id={id('lookback')} type="number" min={2} value={form.lookback} data-testid="train-lookback" {...describedBy('lookback')} onChange={(e) => change({ lookback: e.target.value })} />
                </FormField>
              </>
            )}
            <FormField id={id('seed')} label="Seed" error={errors.seed} hint={<span className="data-form__hint muted">same seed, same result</span>}>
              <input id={id('seed')} type="number" min={0} value={form.seed} data-testid="train-seed" {...describedBy('seed')} onChange={(e) => change({ seed: e.target.value })} />
            </FormField>
            <FormField id={id('level')} label="Interval level" error={errors.level} hint={<span className="data-form__hint muted">e.g. 0.9 for 90% intervals</span>}>
              <input id={id('level')} type="number" step={0.05} min={0} max={1} value={form.level} data-testid="train-level" {...describedBy('level')} onChange={(e) => change({ level: e.target.value })} />
            </FormField>
          </div>
          {start.error && (
            <p className="error-text form-alert" role="alert" data-testid="train-error">
              {start.error}
            </p>
          )}
          <div className="data-form__actions">
            <button type="submit" className="button button--primary" disabled={start.busy || running} data-testid="train-start">
              {start.busy ? 'Starting…' : running ? 'Training…' : 'Train'}
            </button>
            {running && (
              <button
                type="button"
                className="button"
                disabled={cancel.busy}
                data-testid="train-cancel"
                onClick={() => void cancel.run(() => call('jobs.cancel', { runId: runId! }))}
              >
                Cancel training
              </button>
            )}
          </div>
          {cancel.error && <p className="error-text">{cancel.error}</p>}
        </form>

        <div className="training-panel__live" data-testid="training-live">
          {runId === null ? (
            <p className="muted">
              Every model is scored on the same test bars as the naive forecast “the next close = the last close”. A model is only called
              better when the Diebold–Mariano test says so (p &lt; 0.05); most price models are not.
            </p>
          ) : (
            <>
              <p className="training-panel__status" role="status" data-testid="training-status">
                {status}
              </p>
              {run && (
                <ProgressBar
                  fraction={trainingFraction(run)}
                  label="Training progress"
                  state={finished ? (finished.status === 'succeeded' ? 'done' : 'stopped') : 'running'}
                  testId="training-progress"
                />
              )}
              {losses.length > 0 ? (
                <LossChart losses={losses} theme={theme} testId="training-loss-chart" />
              ) : (
                trainedWith &&
                !takesEpochs(trainedWith.modelType) && <p className="muted">{modelTypeLabels[trainedWith.modelType]} is fitted in one step; it has no loss curve.</p>
              )}
              {resultError && <p className="error-text">{resultError}</p>}
              {result && (
                <div className={`training-result verdict--${verdictOf(result)}`} data-testid="training-result">
                  <p>
                    <strong>{versionLabel(result)}</strong> on {result.symbol} {result.timeframe}:{' '}
                    <span className="verdict" data-testid="training-verdict">
                      {verdictText(result)}
                    </span>
                  </p>
                  <p className="muted">
                    {metricLabels.rel_mae} {formatMetric('rel_mae', result.metrics.rel_mae)} · {metricLabels.mase} {formatMetric('mase', result.metrics.mase)} ·{' '}
                    {metricLabels.dm_pvalue} {formatMetric('dm_pvalue', result.metrics.dm_pvalue)} · {metricLabels.interval_coverage}{' '}
                    {formatMetric('interval_coverage', result.metrics.interval_coverage)}
                  </p>
                  <button type="button" className="button button--small" data-testid="training-open-model" onClick={() => onOpenModel(result.modelId)}>
                    Open this version
                  </button>
                </div>
              )}
            </>
          )}
        </div>
      </div>
    </section>
  );
}
