import { useRef, type KeyboardEvent, type ReactNode } from 'react';

export interface DataTab<T extends string> {
  id: T;
  label: ReactNode;
}

/**
 * The WAI-ARIA tabs pattern: one tab in the Tab order, arrows, Home and End move between
 * tabs and select them, the panel is labelled by its tab.
 */
export function DataTabs<T extends string>({
  tabs,
  current,
  onSelect,
  label,
}: {
  tabs: ReadonlyArray<DataTab<T>>;
  current: T;
  onSelect(id: T): void;
  label: string;
}) {
  const buttons = useRef(new Map<T, HTMLButtonElement>());
  const move = (event: KeyboardEvent, index: number) => {
    const last = tabs.length - 1;
    const target = { ArrowRight: index === last ? 0 : index + 1, ArrowLeft: index === 0 ? last : index - 1, Home: 0, End: last }[event.key];
    if (target === undefined) return;
    event.preventDefault();
    const tab = tabs[target]!;
    onSelect(tab.id);
    buttons.current.get(tab.id)?.focus();
  };
  return (
    <div className="data-tabs" role="tablist" aria-label={label}>
      {tabs.map((tab, index) => (
        <button
          key={tab.id}
          ref={(element) => {
            if (element) buttons.current.set(tab.id, element);
            else buttons.current.delete(tab.id);
          }}
          type="button"
          role="tab"
          id={tabId(tab.id)}
          aria-selected={tab.id === current}
          aria-controls={panelId(tab.id)}
          tabIndex={tab.id === current ? 0 : -1}
          className="data-tabs__tab"
          data-testid={`data-tab-${tab.id}`}
          onClick={() => onSelect(tab.id)}
          onKeyDown={(event) => move(event, index)}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
}

export const tabId = (id: string) => `data-tab-${id}`;
export const panelId = (id: string) => `data-panel-${id}`;
