import { useState } from 'react';
import type { ModelDetail, ModelSummary } from '../../../../shared/models';
import { call } from '../../api/client';
import { useApiEvent, useApiQuery } from '../../api/hooks';
import { useApiAction } from '../../api/use-api-action';
import { formatCount } from '../../ui/format/numbers';
import { formatBarTime, formatUtcDate } from '../../ui/format/time';
import { QueryError } from '../../ui/load-error';
import type { ResolvedTheme } from '../../ui/theme';
import { useModal } from '../../ui/use-modal';
import { downloadBlob } from '../markets/chart-export';
import { DataTable } from '../data/data-table';
import { LossChart } from './loss-chart';
import { DriftSummary, MetricsTable, StageBadge, VerdictBadge } from './model-parts';
import { TestForecastChart } from './test-forecast-chart';
import { metricsBesideBaselines, olderVersions, versionLabel } from './model-view';

function DeleteModelDialog({ model, onClose, onDeleted }: { model: ModelSummary; onClose(): void; onDeleted(): void }) {
  const dialogRef = useModal();
  const deletion = useApiAction();
  return (
    <dialog ref={dialogRef} className="dialog dialog--narrow" aria-labelledby="delete-model-title" onClose={onClose} data-testid="delete-model-dialog">
      <header className="dialog__header">
        <h2 id="delete-model-title">Delete {versionLabel(model)}?</h2>
      </header>
      <div className="dialog__body">
        <p>
          The version leaves the registry and its artifact file is deleted. Export it first if you may want it back.
        </p>
        {model.isActive && (
          <p className="notice" data-testid="delete-model-active">
            It is the active version of {model.modelName} on {model.symbol}: activate another version or archive this one first.
          </p>
        )}
        {deletion.error && <p className="error-text">{deletion.error}</p>}
      </div>
      <footer className="dialog__footer">
        <button type="button" className="button" onClick={onClose}>
          Keep it
        </button>
        <button
          type="button"
          className="button button--danger"
          disabled={deletion.busy || model.isActive}
          data-testid="delete-model-confirm"
          onClick={() =>
            void deletion.run(async () => {
              await call('models.delete', { modelId: model.modelId });
              onDeleted();
            })
          }
        >
          Delete
        </button>
      </footer>
    </dialog>
  );
}

function ModelActions({ model, all, onDeleted }: { model: ModelDetail; all: readonly ModelSummary[]; onDeleted(): void }) {
  const action = useApiAction();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [rollbackTo, setRollbackTo] = useState('');
  const older = olderVersions(model, all);
  const exportFile = () =>
    action.run(async () => {
      const exported = await call('models.export', { modelId: model.modelId });
      if (exported.content === null) throw new Error('The export came back without its content.');
      downloadBlob(new Blob([exported.content], { type: 'application/json' }), `${model.modelName}-${model.symbol}-v${model.version}.metalytics-model.json`);
    });
  return (
    <div className="model-actions" role="group" aria-label="Model actions">
      {!model.isActive && model.stage !== 'archived' && (
        <button
          type="button"
          className="button button--primary button--small"
          disabled={action.busy}
          data-testid="model-activate"
          onClick={() => void action.run(() => call('models.activate', { modelId: model.modelId, reason: 'activated from the Models screen' }))}
        >
          Activate
        </button>
      )}
      {model.stage === 'shadow' && (
        <button
          type="button"
          className="button button--small"
          disabled={action.busy}
          title="Activate only if the Diebold–Mariano test over the live window says it beats the active version (p < 0.05)"
          data-testid="model-promote-gated"
          onClick={() => void action.run(() => call('models.activate', { modelId: model.modelId, gate: 'live_dm', reason: 'promoted from shadow on the live DM test' }))}
        >
          Promote if it wins live
        </button>
      )}
      {model.isActive && older.length > 0 && (
        <span className="model-actions__rollback">
          <select aria-label="Version to roll back to" value={rollbackTo} data-testid="model-rollback-version" onChange={(e) => setRollbackTo(e.target.value)}>
            <option value="">Roll back to…</option>
            {older.map((version) => (
              <option key={version.modelId} value={version.modelId}>
                v{version.version} ({formatUtcDate(version.trainingDate)})
              </option>
            ))}
          </select>
          <button
            type="button"
            className="button button--small"
            disabled={action.busy || rollbackTo === ''}
            data-testid="model-rollback"
            onClick={() => void action.run(() => call('models.activate', { modelId: rollbackTo, reason: `rolled back from v${model.version}` }))}
          >
            Roll back
          </button>
        </span>
      )}
      {model.stage !== 'shadow' && !model.isActive && model.stage !== 'archived' && (
        <button
          type="button"
          className="button button--small"
          disabled={action.busy}
          title="Predict beside the active version on the same bars, to be compared live before promotion"
          data-testid="model-shadow"
          onClick={() => void action.run(() => call('models.setStage', { modelId: model.modelId, stage: 'shadow', reason: 'shadowed from the Models screen' }))}
        >
          Run in shadow
        </button>
      )}
      {model.stage !== 'archived' && (
        <button
          type="button"
          className="button button--small"
          disabled={action.busy}
          data-testid="model-archive"
          onClick={() => void action.run(() => call('models.archive', { modelId: model.modelId, reason: 'archived from the Models screen' }))}
        >
          Archive
        </button>
      )}
      <button type="button" className="button button--small" disabled={action.busy} data-testid="model-export" onClick={() => void exportFile()}>
        Export…
      </button>
      <button type="button" className="button button--small button--danger" disabled={action.busy} data-testid="model-delete" onClick={() => setConfirmDelete(true)}>
        Delete…
      </button>
      {action.error && (
        <p className="error-text" role="alert" data-testid="model-action-error">
          {action.error}
        </p>
      )}
      {confirmDelete && <DeleteModelDialog model={model} onClose={() => setConfirmDelete(false)} onDeleted={onDeleted} />}
    </div>
  );
}

function Facts({ rows, testId }: { rows: ReadonlyArray<[string, string]>; testId?: string }) {
  return (
    <dl className="facts" data-testid={testId}>
      {rows.map(([term, value]) => (
        <div key={term} className="facts__row">
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function describeParam(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** One version: its scores beside the baselines, what it was trained with and on, how it learned, its stages and its drift. */
export function ModelDetailView({ modelId, all, theme, onDeleted }: { modelId: string; all: readonly ModelSummary[]; theme: ResolvedTheme; onDeleted(): void }) {
  const query = useApiQuery('models.get', { modelId });
  useApiEvent('models.changed', (change) => {
    if (change.modelId === modelId || change.change === 'activated') query.reload();
  });
  const model = query.dataKey === JSON.stringify({ modelId }) ? query.data : undefined;
  if (!model) {
    return (
      <section className="models-panel" data-testid="model-detail">
        <QueryError error={query.error} />
        {query.loading && <p className="muted">Loading the version…</p>}
      </section>
    );
  }
  const timeframe = model.timeframe;
  const segment = (s: { from: number; to: number; samples: number } | null) =>
    s === null ? '–' : `${formatBarTime(s.from, timeframe)} → ${formatBarTime(s.to, timeframe)}, ${formatCount(s.samples)} targets`;
  return (
    <section className="models-panel model-detail" aria-labelledby="model-detail-title" data-testid="model-detail" data-model-id={model.modelId}>
      <header className="models-panel__header">
        <div>
          <h2 id="model-detail-title">
            {versionLabel(model)} <span className="muted">· {model.modelType} · {model.symbol} {model.timeframe}</span>
          </h2>
          <p className="model-detail__badges">
            <StageBadge model={model} />
            <VerdictBadge model={model} testId="model-detail-verdict" />
          </p>
        </div>
        <ModelActions model={model} all={all} onDeleted={onDeleted} />
      </header>
      {model.flagged && (
        <p className="notice" role="status" data-testid="model-flagged">
          Flagged: {model.flagged}
        </p>
      )}
      <QueryError error={query.error} />
      <div className="model-detail__grid">
        <div className="model-detail__section model-detail__section--wide">
          <h3>Test scores beside the baselines</h3>
          <MetricsTable rows={metricsBesideBaselines(model)} testId="model-metrics" />
          <Facts
            rows={[
              ['Training targets', segment(model.training)],
              ['Test targets', segment(model.evaluation)],
              ['Horizon', `${model.horizon} bar${model.horizon === 1 ? '' : 's'} ahead`],
              ['Interval level', model.evaluation ? `${Math.round(model.evaluation.level * 100)}%` : '–'],
            ]}
          />
        </div>
        {model.testForecasts.length > 0 && (
          <div className="model-detail__section model-detail__section--wide">
            <h3>Test forecasts against the actual closes</h3>
            <TestForecastChart model={model} theme={theme} />
          </div>
        )}
        <div className="model-detail__section">
          <h3>Loss curves</h3>
          {model.lossHistory.length > 0 ? (
            <LossChart losses={model.lossHistory} theme={theme} testId="model-loss-chart" />
          ) : (
            <p className="muted">{model.modelType} is fitted without epochs, so it has no loss curve.</p>
          )}
        </div>
        <div className="model-detail__section">
          <h3>Drift</h3>
          <DriftSummary drift={model.drift} />
        </div>
        <div className="model-detail__section">
          <h3>Parameters</h3>
          <Facts rows={Object.entries(model.hyperparameters).map(([name, value]) => [name, describeParam(value)])} testId="model-params" />
        </div>
        <div className="model-detail__section">
          <h3>Lineage</h3>
          <Facts
            testId="model-lineage"
            rows={[
              ['Training run', model.lineage.trainingRunId ?? '–'],
              ['Feature set', `${model.featureSetVersion} (${model.featureColumns.length} columns)`],
              ['Data range', `${formatBarTime(model.lineage.dataFrom, timeframe)} → ${formatBarTime(model.lineage.dataTo, timeframe)}`],
              ['Data fingerprint', model.lineage.dataFingerprint ?? '–'],
              ['App version', model.lineage.appVersion ?? '–'],
              ['Backend', model.backend],
              ['Trained', formatBarTime(model.trainingDate, '1h')],
              ['Artifact sha256', model.artifactSha256],
            ]}
          />
        </div>
        <div className="model-detail__section">
          <h3>Stage history</h3>
          {model.stageHistory.length === 0 ? (
            <p className="muted">No stage changes yet.</p>
          ) : (
            <DataTable
              caption="Stage history"
              testId="model-stage-history"
              columns={[
                { label: 'When (UTC)', text: true },
                { label: 'Change', text: true },
                { label: 'Why', text: true },
              ]}
            >
              {[...model.stageHistory].reverse().map((change) => (
                <tr key={`${change.at}-${change.to}`}>
                  <td className="data-table__text">{formatBarTime(change.at, '1m')}</td>
                  <td className="data-table__text">
                    {change.from ?? 'new'} → {change.to}
                  </td>
                  <td className="data-table__text">{change.reason}</td>
                </tr>
              ))}
            </DataTable>
          )}
        </div>
      </div>
    </section>
  );
}
