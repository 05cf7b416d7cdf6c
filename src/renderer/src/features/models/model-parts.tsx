import type { DriftState, ModelMetrics, ModelSummary } from '../../../../shared/models';
import { DataTable } from '../data/data-table';
import { describeDrift, formatMetric, metricHelp, metricLabels, metricNames, stageLabels, verdictOf, verdictText } from './model-view';

export function StageBadge({ model }: { model: Pick<ModelSummary, 'stage' | 'isActive'> }) {
  const stage = model.isActive ? 'active' : model.stage;
  return <span className={`stage-badge stage-badge--${stage}`}>{stageLabels[stage]}</span>;
}

/** The honest verdict: "better" only with a DM p-value under 0.05. */
export function VerdictBadge({ model, testId }: { model: Pick<ModelSummary, 'modelType' | 'metrics'>; testId?: string }) {
  return (
    <span className={`verdict verdict--${verdictOf(model)}`} data-testid={testId}>
      {verdictText(model)}
    </span>
  );
}

/** Every metric per row: the model's own first, then what it is measured against. */
export function MetricsTable({ rows, testId }: { rows: ReadonlyArray<{ name: string; metrics: ModelMetrics; own?: boolean }>; testId?: string }) {
  return (
    <DataTable
      caption="Test metrics"
      className="metrics-table"
      testId={testId}
      columns={[{ label: 'Model', text: true }, ...metricNames.map((metric) => ({ label: metricLabels[metric], help: metricHelp[metric] }))]}
    >
      {rows.map((row) => (
        <tr key={row.name} className={row.own ? 'metrics-table__own' : undefined} data-testid={`${testId}-${row.own ? 'model' : row.name}`}>
          <th scope="row" className="data-table__text">
            {row.name}
          </th>
          {metricNames.map((metric) => (
            <td key={metric} data-metric={metric}>
              {formatMetric(metric, row.metrics[metric])}
            </td>
          ))}
        </tr>
      ))}
    </DataTable>
  );
}

export function DriftSummary({ drift, testId = 'drift-state' }: { drift: DriftState | null; testId?: string }) {
  const { tone, lines } = describeDrift(drift);
  return (
    <div className={`drift drift--${tone}`} data-testid={testId} data-tone={tone}>
      {lines.map((line) => (
        <p key={line}>{line}</p>
      ))}
    </div>
  );
}
