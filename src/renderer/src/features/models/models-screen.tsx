import { useMemo, useRef, useState, type ChangeEvent } from 'react';
import { modelStages, modelTypes, type ModelSummary } from '../../../../shared/models';
import { timeframes } from '../../../../shared/timeframes';
import { call } from '../../api/client';
import { useApiEvent, useApiQuery } from '../../api/hooks';
import { useApiAction } from '../../api/use-api-action';
import { useInstrumentCatalogue } from '../../api/use-instrument-catalogue';
import { formatUtcDate } from '../../ui/format/time';
import { QueryError } from '../../ui/load-error';
import type { ResolvedTheme } from '../../ui/theme';
import { ModelCompare } from './model-compare';
import { ModelDetailView } from './model-detail';
import { StageBadge, VerdictBadge } from './model-parts';
import { anyFilters, byNameThenVersion, formatMetric, listInput, metricHelp, metricLabels, stageLabels, type RegistryFilters } from './model-view';
import { TrainingPanel } from './training-panel';
import { DataTable } from '../data/data-table';
import './models.css';

const MAX_COMPARED = 20;

function Filters({ filters, symbols, onChange }: { filters: RegistryFilters; symbols: readonly string[]; onChange(filters: RegistryFilters): void }) {
  const select = (field: keyof RegistryFilters, label: string, options: readonly string[], name: (option: string) => string = (option) => option) => (
    <label className="models-filters__filter">
      {label}
      <select value={filters[field]} data-testid={`models-filter-${field}`} onChange={(e) => onChange({ ...filters, [field]: e.target.value })}>
        <option value="">Any</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {name(option)}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <div className="models-filters" role="group" aria-label="Filter the registry">
      {select('symbol', 'Instrument', symbols)}
      {select('timeframe', 'Timeframe', timeframes)}
      {select('modelType', 'Type', modelTypes)}
      {select('stage', 'Stage', modelStages, (stage) => stageLabels[stage as keyof typeof stageLabels])}
    </div>
  );
}

function RegistryTable({
  models,
  selected,
  compared,
  onSelect,
  onToggleCompare,
}: {
  models: readonly ModelSummary[];
  selected: string | null;
  compared: readonly string[];
  onSelect(modelId: string): void;
  onToggleCompare(modelId: string): void;
}) {
  const metricColumn = (metric: 'rel_mae' | 'mase' | 'dm_pvalue' | 'interval_coverage') => ({ label: metricLabels[metric], help: metricHelp[metric] });
  return (
    <DataTable
      caption="Model registry"
      wide
      className="registry-table"
      testId="models-table"
      columns={[
        { label: 'Compare', unlabelled: true },
        { label: 'Version', text: true },
        { label: 'Type', text: true },
        { label: 'Series', text: true },
        { label: 'Stage', text: true },
        { label: 'Backend', text: true },
        metricColumn('rel_mae'),
        metricColumn('mase'),
        metricColumn('dm_pvalue'),
        metricColumn('interval_coverage'),
        { label: 'Against naive', text: true },
        { label: 'Trained', text: true },
      ]}
    >
      {models.map((model) => (
        <tr
          key={model.modelId}
          className={model.modelId === selected ? 'registry-table__row registry-table__row--selected' : 'registry-table__row'}
          aria-selected={model.modelId === selected}
          data-testid={`model-row-${model.modelId}`}
          data-model-type={model.modelType}
          data-stage={model.isActive ? 'active' : model.stage}
          onClick={() => onSelect(model.modelId)}
        >
          <td onClick={(event) => event.stopPropagation()}>
            <input
              type="checkbox"
              aria-label={`Compare ${model.modelName} v${model.version}`}
              checked={compared.includes(model.modelId)}
              disabled={!compared.includes(model.modelId) && compared.length >= MAX_COMPARED}
              data-testid={`model-compare-${model.modelId}`}
              onChange={() => onToggleCompare(model.modelId)}
            />
          </td>
          <th scope="row" className="data-table__text">
            <button type="button" className="link-button" data-testid={`model-open-${model.modelId}`} onClick={() => onSelect(model.modelId)}>
              {model.modelName} v{model.version}
            </button>
            {model.flagged && (
              <span className="flag" title={model.flagged} aria-label={`Flagged: ${model.flagged}`}>
                ⚑
              </span>
            )}
          </th>
          <td className="data-table__text">{model.modelType}</td>
          <td className="data-table__text">
            <span className="mono">{model.symbol}</span> {model.timeframe} · h{model.horizon}
          </td>
          <td className="data-table__text">
            <StageBadge model={model} />
          </td>
          <td className="data-table__text">{model.backend}</td>
          <td>{formatMetric('rel_mae', model.metrics.rel_mae)}</td>
          <td>{formatMetric('mase', model.metrics.mase)}</td>
          <td>{formatMetric('dm_pvalue', model.metrics.dm_pvalue)}</td>
          <td>{formatMetric('interval_coverage', model.metrics.interval_coverage)}</td>
          <td className="data-table__text">
            <VerdictBadge model={model} testId={`model-verdict-${model.modelId}`} />
          </td>
          <td className="data-table__text">{formatUtcDate(model.trainingDate)}</td>
        </tr>
      ))}
    </DataTable>
  );
}

/**
 * The model registry: every version with its test scores against naive and an honest verdict,
 * filters, a version's detail with its actions, versions compared side by side, training, and
 * import of an exported model file.
 */
export function ModelsScreen({ theme }: { theme: ResolvedTheme }) {
  const catalogue = useInstrumentCatalogue();
  const [filters, setFilters] = useState<RegistryFilters>(anyFilters);
  const [selected, setSelected] = useState<string | null>(null);
  const [compared, setCompared] = useState<string[]>([]);
  const [comparing, setComparing] = useState(false);
  const [training, setTraining] = useState(false);
  const fileRef = useRef<HTMLInputElement>(null);
  const importAction = useApiAction();
  const list = useApiQuery('models.list', listInput(filters));
  useApiEvent('models.changed', list.reload);
  useApiEvent('job.finished', (finished) => {
    // A training run ends with a new version in the registry.
    if (finished.kind === 'train') list.reload();
  });

  const models = useMemo(() => [...(list.data?.models ?? [])].sort(byNameThenVersion), [list.data]);
  const symbolsWithBars = useMemo(() => [...new Set((catalogue.coverage ?? []).map((c) => c.symbol))].sort(), [catalogue.coverage]);
  const filterSymbols = useMemo(() => [...new Set([...symbolsWithBars, ...models.map((m) => m.symbol)])].sort(), [symbolsWithBars, models]);
  const filtered = Object.values(filters).some((value) => value !== '');

  const importFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    void importAction.run(async () => {
      const imported = await call('models.import', { content: await file.text() });
      setSelected(imported.modelId);
      list.reload();
    });
  };

  return (
    <section className="screen screen--scroll models-screen" data-testid="screen-models">
      <header className="models-screen__header">
        <div>
          <h1 className="screen__title">Models</h1>
          <p className="muted models-screen__lede">
            Forecasts of the close a few bars ahead, each scored on held-out bars against naive (“the next close = the last close”). A
            version is called better only when the Diebold–Mariano test finds it so at p &lt; 0.05.
          </p>
        </div>
        <div className="models-screen__tools">
          <button type="button" className="button button--primary" data-testid="models-train" onClick={() => setTraining(true)} disabled={training}>
            Train a model…
          </button>
          <button type="button" className="button" data-testid="models-import" disabled={importAction.busy} onClick={() => fileRef.current?.click()}>
            {importAction.busy ? 'Importing…' : 'Import…'}
          </button>
          <input ref={fileRef} type="file" accept=".json,application/json" hidden data-testid="models-import-file" onChange={importFile} />
          <button
            type="button"
            className="button"
            data-testid="models-compare"
            disabled={compared.length < 2}
            title={compared.length < 2 ? 'Tick two or more versions to compare' : undefined}
            onClick={() => setComparing(true)}
          >
            Compare{compared.length > 0 ? ` (${compared.length})` : ''}
          </button>
        </div>
      </header>
      {importAction.error && (
        <p className="error-text" role="alert" data-testid="models-import-error">
          {importAction.error}
        </p>
      )}

      {training && (
        <TrainingPanel
          symbols={symbolsWithBars}
          theme={theme}
          onClose={() => setTraining(false)}
          onOpenModel={(modelId) => {
            setSelected(modelId);
            list.reload();
          }}
        />
      )}

      <Filters filters={filters} symbols={filterSymbols} onChange={setFilters} />
      <QueryError error={list.error} />
      {list.data &&
        (models.length === 0 ? (
          <div className="models-empty muted" data-testid="models-empty">
            {filtered ? (
              <p>No version matches these filters.</p>
            ) : (
              <p>
                No models yet. Train one with <strong>Train a model…</strong> (a ridge model on daily bars takes seconds), import an exported
                model file, or use <code>metalytics train</code>. The naive, seasonal naive and drift baselines are scored with every model.
              </p>
            )}
          </div>
        ) : (
          <RegistryTable
            models={models}
            selected={selected}
            compared={compared}
            onSelect={setSelected}
            onToggleCompare={(modelId) => setCompared((current) => (current.includes(modelId) ? current.filter((id) => id !== modelId) : [...current, modelId]))}
          />
        ))}

      {comparing && compared.length >= 2 && <ModelCompare modelIds={compared} theme={theme} onClose={() => setComparing(false)} />}
      {selected && (
        <ModelDetailView
          key={selected}
          modelId={selected}
          all={list.data?.models ?? []}
          theme={theme}
          onDeleted={() => {
            setCompared((current) => current.filter((id) => id !== selected));
            setSelected(null);
            list.reload();
          }}
        />
      )}
    </section>
  );
}
