import { useMemo, useState } from 'react';
import { useApiQuery } from '../../api/hooks';
import { NumericLineChart, type NumericLine } from '../../charts/numeric-line-chart';
import { QueryError } from '../../ui/load-error';
import type { ResolvedTheme } from '../../ui/theme';
import { MetricsTable } from './model-parts';
import { formatMetric, metricAcrossVersions, metricLabels, metricNames, verdictText, versionLabel, type MetricName } from './model-view';

/** Versions side by side, and one metric across them as a chart, in the order they were picked. */
export function ModelCompare({ modelIds, theme, onClose }: { modelIds: readonly string[]; theme: ResolvedTheme; onClose(): void }) {
  const [metric, setMetric] = useState<MetricName>('rel_mae');
  const query = useApiQuery('models.compare', { modelIds: [...modelIds] });
  const models = useMemo(() => query.data?.models ?? [], [query.data]);
  const points = useMemo(() => metricAcrossVersions(models, metric), [models, metric]);
  const lines = useMemo<NumericLine[]>(() => {
    const across: NumericLine = { id: 'metric', label: metricLabels[metric], colorVariable: '--forecast-line', points };
    // rel. MAE is naive's error ratio, so naive sits at exactly 1: the line a model must stay under.
    if (metric !== 'rel_mae' || points.length === 0) return [across];
    return [across, { id: 'naive', label: 'naive', colorVariable: '--chart-crosshair', dashed: true, points: [...new Set([1, models.length])].map((x) => ({ x, y: 1 })) }];
  }, [metric, points, models.length]);

  return (
    <section className="models-panel model-compare" aria-labelledby="model-compare-title" data-testid="model-compare">
      <header className="models-panel__header">
        <h2 id="model-compare-title">Compare {modelIds.length} versions</h2>
        <button type="button" className="button button--small button--ghost" onClick={onClose} aria-label="Close the comparison">
          ×
        </button>
      </header>
      <QueryError error={query.error} />
      {models.length > 0 && (
        <>
          <MetricsTable rows={models.map((model) => ({ name: `${versionLabel(model)} (${model.modelType}, ${model.symbol} ${model.timeframe})`, metrics: model.metrics }))} testId="compare-metrics" />
          <ul className="model-compare__verdicts">
            {models.map((model) => (
              <li key={model.modelId}>
                {versionLabel(model)}: {verdictText(model)}
              </li>
            ))}
          </ul>
          <div className="model-compare__chart">
            <label className="model-compare__metric">
              Metric across versions{' '}
              <select value={metric} data-testid="compare-metric" onChange={(e) => setMetric(e.target.value as MetricName)}>
                {metricNames.map((name) => (
                  <option key={name} value={name}>
                    {metricLabels[name]}
                  </option>
                ))}
              </select>
            </label>
            <NumericLineChart
              lines={lines}
              theme={theme}
              xLabel={(x) => models[x - 1] ? versionLabel(models[x - 1]!) : String(x)}
              formatValue={(value) => formatMetric(metric, value)}
              testId="compare-metric-chart"
              ariaLabel={`${metricLabels[metric]} across the compared versions`}
            />
            <ol className="model-compare__key muted">
              {models.map((model) => (
                <li key={model.modelId}>{versionLabel(model)}</li>
              ))}
            </ol>
          </div>
        </>
      )}
    </section>
  );
}
