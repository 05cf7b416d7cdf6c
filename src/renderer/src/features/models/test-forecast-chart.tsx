import { useMemo } from 'react';
import type { ModelDetail } from '../../../../shared/models';
import type { ChartWindow } from '../../charts/price-chart';
import type { ResolvedTheme } from '../../ui/theme';
import { ForecastChart } from './forecast-chart';

/**
 * The version's test segment: the actual closes as a line, the model's forecasts with their
 * intervals over it. Naive's forecast is the previous close, so the line is its forecast too.
 */
export function TestForecastChart({ model, theme }: { model: ModelDetail; theme: ResolvedTheme }) {
  const window = useMemo<ChartWindow>(
    () => ({
      key: model.modelId,
      // Close-only bars draw as a line; the chart then shows just the actual closes.
      bars: model.testForecasts.map((point) => ({ time: point.targetTime, open: point.actual, high: point.actual, low: point.actual, close: point.actual, volume: 0 })),
      spans: [],
      indicators: [],
    }),
    [model],
  );
  const forecast = useMemo(
    () => model.testForecasts.map((point) => ({ time: point.targetTime, predicted: point.predicted, lower: point.lower, upper: point.upper, outOfDistribution: false })),
    [model],
  );
  const level = model.evaluation ? `${Math.round(model.evaluation.level * 100)}% ` : '';
  return (
    <>
      <div className="test-forecast-chart" data-testid="model-test-forecasts" data-points={model.testForecasts.length}>
        <ForecastChart data={window} forecast={forecast} timeframe={model.timeframe} theme={theme} />
      </div>
      <p className="loss-chart__key muted">
        The plain line is the actual close; the line with points the forecast, between the dashed bounds of its {level}interval.
      </p>
    </>
  );
}
