import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import type { IndicatorSpec } from '../../../../shared/indicators';
import type { ActiveIndicator } from './active-indicators';
import { indicatorCatalog, indicatorId, indicatorLabel } from '../../charts/indicator-catalog';
import './indicators.css';

const IndicatorMenuPanel = lazy(() => import('./indicator-menu-panel').then((module) => ({ default: module.IndicatorMenuPanel })));

/** The colour an indicator's lines are drawn in, for its chip. */
export const indicatorSlotColor = (slot: number) => `var(--indicator-${slot})`;

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
          <Suspense fallback={<p className="muted">Loading…</p>}>
            <IndicatorMenuPanel activeIds={activeIds} canAdd={canAdd} onAdd={onAdd} />
          </Suspense>
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
