import { useMemo, useState } from 'react';
import type { ModelSummary, StoredPrediction } from '../../../../shared/models';
import { nominalTimeframeMs } from '../../../../shared/timeframes';
import { call } from '../../api/client';
import { useApiEvent, useApiQuery } from '../../api/hooks';
import { useApiAction } from '../../api/use-api-action';
import type { ChartWindow } from '../../charts/price-chart';
import { formatPrice, pricePrecision } from '../../ui/format/numbers';
import { formatBarTime } from '../../ui/format/time';
import { QueryError } from '../../ui/load-error';
import type { ResolvedTheme } from '../../ui/theme';
import { DataTable } from '../data/data-table';
import { ForecastChart } from '../models/forecast-chart';
import { DriftSummary, StageBadge, VerdictBadge } from '../models/model-parts';
import { byStageThenNewest, describeLiveScore, latestForecastPerTarget, predictionErrors, stageLabels, versionLabel } from '../models/model-view';
import '../models/models.css';

/** Bars of history under the forecasts: enough to see how the last weeks of forecasts fared. */
const BARS_SHOWN = 400;
/** Newest rows of the forecast-versus-actual table. */
const ROWS_SHOWN = 60;
/** Bars of context left of the first forecast when the chart opens. */
const BARS_BEFORE_FORECASTS = 60;

function modelOption(model: ModelSummary): string {
  return `${versionLabel(model)} · ${model.modelType} · ${model.symbol} ${model.timeframe} · ${model.isActive ? 'active' : stageLabels[model.stage].toLowerCase()}`;
}

function ForecastTable({ predictions, precision, timeframe }: { predictions: readonly StoredPrediction[]; precision: number; timeframe: ModelSummary['timeframe'] }) {
  const price = (value: number | null) => (value === null ? '–' : formatPrice(value, precision));
  const rows = [...predictions].sort((a, b) => b.targetTime - a.targetTime || b.madeAt - a.madeAt).slice(0, ROWS_SHOWN);
  return (
    <DataTable
      caption="Forecasts against actual closes"
      wide
      testId="forecast-table"
      columns={[
        { label: 'Target bar (UTC)', text: true },
        { label: 'Made with bar', text: true },
        { label: 'Forecast' },
        { label: 'Interval' },
        { label: 'Actual' },
        { label: 'Naive' },
        { label: 'Error model / naive', help: 'Absolute error of the model and of naive on the same bar' },
        { label: 'Out of distribution', text: true, unlabelled: true },
      ]}
    >
      {rows.map((prediction) => {
        const errors = predictionErrors(prediction);
        return (
          <tr key={`${prediction.madeAt}-${prediction.targetTime}`} data-testid="forecast-row" data-scored={prediction.actual !== null}>
            <td className="data-table__text">{formatBarTime(prediction.targetTime, timeframe)}</td>
            <td className="data-table__text">{formatBarTime(prediction.madeAt, timeframe)}</td>
            <td>{price(prediction.predicted)}</td>
            <td>{prediction.lower === null || prediction.upper === null ? '–' : `${price(prediction.lower)} – ${price(prediction.upper)}`}</td>
            <td>{price(prediction.actual)}</td>
            <td>{price(prediction.naive)}</td>
            <td>
              {errors === null ? (
                <span className="muted">not scored yet</span>
              ) : (
                <span className={errors.naive !== null && errors.model < errors.naive ? 'verdict--better' : undefined}>
                  {price(errors.model)} / {price(errors.naive)}
                </span>
              )}
            </td>
            <td className="data-table__text">
              {prediction.outOfDistribution && (
                <span className="ood-flag" title={`Far from every training row (score ${prediction.oodScore?.toFixed(2) ?? '–'}): an extrapolation`}>
                  OOD
                </span>
              )}
            </td>
          </tr>
        );
      })}
    </DataTable>
  );
}

/**
 * A model's forecasts with their intervals over the candles, scored against the actual closes
 * as they arrive and beside naive's, with the model's drift state and a way to predict now.
 */
export function PredictionsScreen({ theme }: { theme: ResolvedTheme }) {
  const list = useApiQuery('models.list', {});
  useApiEvent('models.changed', list.reload);
  const models = useMemo(() => [...(list.data?.models ?? [])].sort(byStageThenNewest), [list.data]);
  const [chosen, setChosen] = useState<string | null>(null);
  const model = models.find((m) => m.modelId === chosen) ?? models[0];
  const modelId = model?.modelId ?? null;

  const detail = useApiQuery('models.get', modelId === null ? null : { modelId });
  const bars = useApiQuery('bars.query', model ? { symbol: model.symbol, timeframe: model.timeframe, limit: BARS_SHOWN } : null);
  const predictions = useApiQuery('predictions.query', modelId === null ? null : { modelId, limit: 2_000 });
  useApiEvent('bars.appended', (appended) => {
    if (!model || appended.symbol !== model.symbol) return;
    bars.reload();
    // Scoring follows new bars, so the table's actuals and the live score change with them.
    predictions.reload();
  });
  useApiEvent('models.changed', (change) => {
    if (change.modelId === modelId) detail.reload();
  });
  const predict = useApiAction();
  const [fresh, setFresh] = useState<{ modelId: string; asOf: number; count: number } | null>(null);

  const reply = bars.data;
  const predictionsKey = JSON.stringify({ modelId, limit: 2_000 });
  const predictionsSettled = predictions.dataKey === predictionsKey || predictions.error !== null;
  const stored = useMemo(() => (predictions.dataKey === predictionsKey ? (predictions.data?.predictions ?? []) : []), [predictions, predictionsKey]);
  const firstTarget = stored.length > 0 ? Math.min(...stored.map((p) => p.targetTime)) : null;
  // The candles wait for the forecasts, so the view opens once, on the stretch the forecasts cover.
  const window = useMemo<ChartWindow | null>(
    () =>
      model && reply && predictionsSettled
        ? { key: `${model.modelId}|${model.symbol}|${model.timeframe}`, bars: reply.bars, spans: reply.spans, indicators: [] }
        : null,
    [model, reply, predictionsSettled],
  );
  const viewStart = model && firstTarget !== null ? firstTarget - BARS_BEFORE_FORECASTS * nominalTimeframeMs(model.timeframe) : null;
  const forecast = useMemo(
    () =>
      latestForecastPerTarget(stored).map((p) => ({ time: p.targetTime, predicted: p.predicted, lower: p.lower, upper: p.upper, outOfDistribution: p.outOfDistribution })),
    [stored],
  );
  const liveScore = describeLiveScore(predictions.data?.performance ?? []);
  const precision = pricePrecision(reply?.bars.at(-1)?.close ?? stored.at(-1)?.predicted ?? 0);
  const oodCount = stored.filter((p) => p.outOfDistribution).length;

  if (list.data && models.length === 0) {
    return (
      <section className="screen screen--centred" data-testid="screen-predictions">
        <div className="upcoming" data-testid="predictions-empty">
          <h1>Predictions</h1>
          <p>
            No models in the registry yet. Train one on the Models screen and activate it; its forecasts then appear here over the prices,
            with their intervals, scored against naive as the actual bars arrive.
          </p>
        </div>
      </section>
    );
  }

  return (
    <section className="screen screen--scroll predictions-screen" data-testid="screen-predictions">
      <header className="models-screen__header">
        <h1 className="screen__title">Predictions</h1>
        <div className="predictions-toolbar">
          <label>
            Model
            <select value={modelId ?? ''} data-testid="predictions-model" onChange={(e) => setChosen(e.target.value)} disabled={models.length === 0}>
              {models.length === 0 && <option value="">No models</option>}
              {models.map((m) => (
                <option key={m.modelId} value={m.modelId}>
                  {modelOption(m)}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="button button--primary"
            disabled={!model || predict.busy || model.stage === 'archived'}
            data-testid="predict-now"
            title="Forecast from the latest stored bar and keep the forecast, so it is scored when its bar arrives"
            onClick={() =>
              void predict.run(async () => {
                const made = await call('predictions.make', { modelId: model!.modelId, store: true });
                setFresh({ modelId: made.modelId, asOf: made.asOf, count: made.predictions.length });
                predictions.reload();
              })
            }
          >
            {predict.busy ? 'Predicting…' : 'Predict now'}
          </button>
        </div>
      </header>
      <QueryError error={list.error} />
      {!model && (
        <p className="muted">
          A model’s forecasts appear here over the prices, with their prediction intervals, scored against the actual closes and beside
          naive’s as the bars arrive.
        </p>
      )}
      {predict.error && (
        <p className="error-text" role="alert" data-testid="predict-error">
          {predict.error}
        </p>
      )}
      {model && (
        <div className="predictions-layout">
          <div className="predictions-chart">
            <ForecastChart data={window} forecast={forecast} timeframe={model.timeframe} theme={theme} viewStart={viewStart}>
              {(bars.error !== null || predictions.error !== null) && (
                <div className="chart-overlay" role="alert">
                  <QueryError error={bars.error ?? predictions.error} />
                </div>
              )}
              {bars.data && bars.data.bars.length === 0 && (
                <div className="chart-overlay">
                  <p>
                    No {model.timeframe} bars of {model.symbol} are stored.
                  </p>
                </div>
              )}
            </ForecastChart>
          </div>
          <aside className="predictions-side">
            <div className="models-panel" data-testid="predictions-model-summary">
              <h2>
                {versionLabel(model)} <StageBadge model={model} />
              </h2>
              <p>
                Test: <VerdictBadge model={model} testId="predictions-verdict" />
              </p>
              <p className="muted">
                {model.symbol} {model.timeframe}, {model.horizon} bar{model.horizon === 1 ? '' : 's'} ahead
                {stored.length > 0 ? ` · ${stored.length} stored forecasts` : ''}
                {oodCount > 0 ? ` · ${oodCount} out of distribution` : ''}
              </p>
              {fresh && fresh.modelId === model.modelId && (
                <p data-testid="predict-result">
                  {fresh.count} forecast{fresh.count === 1 ? '' : 's'} made from the bar of {formatBarTime(fresh.asOf, model.timeframe)}.
                </p>
              )}
            </div>
            <div className="models-panel">
              <h3>Live score beside naive</h3>
              <p data-testid="predictions-live-score">{liveScore ?? 'Nothing scored yet: forecasts are scored when their target bar arrives.'}</p>
            </div>
            <div className="models-panel">
              <h3>Drift</h3>
              <QueryError error={detail.error} />
              {detail.data && detail.data.modelId === model.modelId && <DriftSummary drift={detail.data.drift} />}
            </div>
          </aside>
        </div>
      )}
      {model && stored.length > 0 && <ForecastTable predictions={stored} precision={precision} timeframe={model.timeframe} />}
      {model && predictions.data && stored.length === 0 && (
        <p className="muted" data-testid="predictions-none">
          No stored forecasts for {versionLabel(model)} yet. An active model predicts when new bars land; <strong>Predict now</strong> makes one
          from the latest bar.
        </p>
      )}
    </section>
  );
}
