import { useId, useState, type FormEvent } from 'react';
import type { IndicatorKind, IndicatorSpec } from '../../../../shared/indicators';
import { indicatorCatalog, indicatorId, indicatorKindsInMenuOrder } from '../../charts/indicator-catalog';
import { checkIndicatorParams } from './indicator-params';

function IndicatorRow({ kind, activeIds, onAdd }: { kind: IndicatorKind; activeIds: ReadonlySet<string>; onAdd(spec: IndicatorSpec): void }) {
  const info = indicatorCatalog[kind];
  const defaults = info.defaults.params as Readonly<Record<string, number>>;
  const [draft, setDraft] = useState<Record<string, string>>(() =>
    Object.fromEntries(info.fields.map((field) => [field.name, String(defaults[field.name] ?? '')])),
  );
  const check = checkIndicatorParams(kind, Object.fromEntries(info.fields.map((field) => [field.name, Number(draft[field.name] || Number.NaN)])));
  const already = check.ok && activeIds.has(indicatorId(check.spec));
  const messageId = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (check.ok && !already) onAdd(check.spec);
  };
  return (
    <form className="indicator-menu__row" onSubmit={submit} data-testid={`indicator-row-${kind}`}>
      <span className="indicator-menu__name" title={info.title}>
        <b>{info.short}</b>
        <span className="muted">{info.title}</span>
      </span>
      <span className="indicator-menu__params">
        {info.fields.map((field) => (
          <label key={field.name} className="indicator-menu__param">
            <span>{field.label}</span>
            <input
              type="number"
              inputMode="decimal"
              min={field.min}
              max={field.max}
              step={field.step}
              value={draft[field.name] ?? ''}
              aria-invalid={!check.ok}
              aria-describedby={check.ok ? undefined : messageId}
              data-testid={`indicator-param-${kind}-${field.name}`}
              onChange={(event) => setDraft((d) => ({ ...d, [field.name]: event.target.value }))}
            />
          </label>
        ))}
      </span>
      <button type="submit" className="button button--small" disabled={!check.ok || already} data-testid={`indicator-add-${kind}`}>
        {already ? 'On chart' : 'Add'}
      </button>
      {!check.ok && (
        <span id={messageId} className="indicator-menu__error error-text">
          {check.message}
        </span>
      )}
    </form>
  );
}

interface IndicatorMenuPanelProps {
  activeIds: ReadonlySet<string>;
  canAdd: boolean;
  onAdd(spec: IndicatorSpec): void;
}

/**
 * The rows of the indicators menu, with their parameter fields. It loads when the menu first
 * opens: the fields are checked against the contract's zod schema, which the first screen
 * should not wait for.
 */
export function IndicatorMenuPanel({ activeIds, canAdd, onAdd }: IndicatorMenuPanelProps) {
  const group = (placement: 'overlay' | 'pane', title: string) => (
    <section className="indicator-menu__group" aria-label={title}>
      <h3>{title}</h3>
      {indicatorKindsInMenuOrder
        .filter((kind) => indicatorCatalog[kind].placement === placement)
        .map((kind) => (
          <IndicatorRow key={kind} kind={kind} activeIds={activeIds} onAdd={onAdd} />
        ))}
    </section>
  );

  return (
    <>
      {!canAdd && <p className="indicator-menu__full muted">The chart holds as many indicators as it can; remove one to add another.</p>}
      <fieldset disabled={!canAdd}>
        {group('overlay', 'On the price chart')}
        {group('pane', 'In a pane below')}
      </fieldset>
    </>
  );
}
