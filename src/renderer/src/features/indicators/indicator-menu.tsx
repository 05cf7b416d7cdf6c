import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { IndicatorKind, IndicatorSpec } from '../../../../shared/indicators';
import type { ActiveIndicator } from './active-indicators';
import { checkIndicatorParams, indicatorCatalog, indicatorId, indicatorKindsInMenuOrder, indicatorLabel } from '../../charts/indicator-catalog';
import './indicators.css';

/** The colour an indicator's lines are drawn in, for its chip. */
export const indicatorSlotColor = (slot: number) => `var(--indicator-${slot})`;

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

interface IndicatorMenuProps {
  active: readonly ActiveIndicator[];
  /** Ids of indicators the core refused, with the sentence to show on their chips. */
  failed: ReadonlyMap<string, string>;
  /** Room for more (one query carries a limited number). */
  canAdd: boolean;
  onAdd(spec: IndicatorSpec): void;
  onRemove(id: string): void;
}

/** The "Indicators" button with its menu, and a chip with × for every indicator on the chart. */
export function IndicatorMenu({ active, failed, canAdd, onAdd, onRemove }: IndicatorMenuProps) {
  const [open, setOpen] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const activeIds = new Set(active.map((indicator) => indicatorId(indicator.spec)));

  useEffect(() => {
    if (!open) return;
    const onPointerDown = (event: PointerEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      buttonRef.current?.focus();
    };
    document.addEventListener('pointerdown', onPointerDown);
    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('pointerdown', onPointerDown);
      document.removeEventListener('keydown', onKeyDown);
    };
  }, [open]);

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
    <div className="indicators" ref={rootRef}>
      <button
        ref={buttonRef}
        type="button"
        className="button button--tool"
        aria-expanded={open}
        aria-haspopup="dialog"
        data-testid="indicators-button"
        onClick={() => setOpen((o) => !o)}
      >
        <span aria-hidden="true" className="indicators__icon">
          ƒ
        </span>
        Indicators
      </button>
      {open && (
        <div className="indicator-menu" role="dialog" aria-label="Add an indicator" data-testid="indicators-menu">
          {!canAdd && <p className="indicator-menu__full muted">The chart holds as many indicators as it can; remove one to add another.</p>}
          <fieldset disabled={!canAdd}>
            {group('overlay', 'On the price chart')}
            {group('pane', 'In a pane below')}
          </fieldset>
        </div>
      )}
      <ul className="indicator-chips" aria-label="Indicators on the chart">
        {active.map(({ spec, slot }) => {
          const id = indicatorId(spec);
          const label = indicatorLabel(spec);
          const problem = failed.get(id);
          return (
            <li
              key={id}
              className={`indicator-chip${problem ? ' indicator-chip--failed' : ''}`}
              title={problem ?? indicatorCatalog[spec.kind].title}
              data-testid={`indicator-chip-${id}`}
            >
              <span className="indicator-chip__swatch" style={{ background: indicatorSlotColor(slot) }} aria-hidden="true" />
              {label}
              {problem && <span className="visually-hidden">: {problem}</span>}
              <button type="button" aria-label={`Remove ${label}`} data-testid={`indicator-remove-${id}`} onClick={() => onRemove(id)}>
                ×
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
