import { useMemo } from 'react';
import type { ModelSummary } from '../../../../shared/models';
import type { Timeframe } from '../../../../shared/timeframes';
import { useApiEvent, useApiQuery } from '../../api/hooks';
import type { ForecastMark } from '../../charts/forecast-overlay';
import { latestForecastPerTarget } from '../models/model-view';

/** Stored forecasts drawn at most; the newest, which cover the bars in view. */
const FORECASTS_DRAWN = 500;
const noMarks: readonly ForecastMark[] = [];

export interface ActiveForecast {
  /** The active model of the series; null when there is none (or the registry cannot be read). */
  model: ModelSummary | null;
  /** Its forecasts, when `show` asked for them. */
  marks: readonly ForecastMark[];
}

/**
 * The active model of a symbol and timeframe, always looked up so the chart can offer its
 * overlay, and its stored forecasts only while the overlay is on.
 */
export function useActiveForecast(symbol: string | undefined, timeframe: Timeframe, show: boolean): ActiveForecast {
  const active = useApiQuery('models.list', symbol ? { symbol, timeframe, stage: 'active' } : null);
  const model = active.data?.models.find((m) => m.isActive && m.symbol === symbol && m.timeframe === timeframe) ?? null;
  const stored = useApiQuery('predictions.query', show && model ? { modelId: model.modelId, limit: FORECASTS_DRAWN } : null);
  useApiEvent('models.changed', active.reload);
  useApiEvent('bars.appended', (appended) => {
    // New bars are when the predict job forecasts and scores.
    if (show && model && appended.symbol === symbol) stored.reload();
  });
  const predictions = stored.data?.predictions;
  const marks = useMemo(
    () =>
      show && model && predictions && predictions.every((p) => p.modelId === model.modelId)
        ? latestForecastPerTarget(predictions).map((p) => ({ time: p.targetTime, predicted: p.predicted, lower: p.lower, upper: p.upper, outOfDistribution: p.outOfDistribution }))
        : noMarks,
    [show, model, predictions],
  );
  return { model, marks };
}
