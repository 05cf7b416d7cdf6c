import { useEffect, useId, useState, type KeyboardEvent, type MouseEvent, type Ref } from 'react';
import type { OverviewItem } from '../../../../shared/overview';
import { useApiEvent, useApiQuery } from '../../api/hooks';
import { formatChangePercent, formatPrice, pricePrecision } from '../../ui/format/numbers';
import { formatBarTime, formatUtcDate } from '../../ui/format/time';
import { changeSpanDays, instrumentSections, type InstrumentRow } from './instrument-rows';
import { Sparkline, type Trend } from './sparkline';
import './watchlist.css';

/** Prices move while the app sits open; imports and demo loads announce themselves with `bars.changed`, live updates with `bars.appended`. */
const OVERVIEW_REFRESH_MS = 60_000;

interface InstrumentPickerProps {
  rows: readonly InstrumentRow[];
  watchlist: readonly string[];
  selected: string | undefined;
  onSelect(symbol: string): void;
  searchRef: Ref<HTMLInputElement>;
  onAdd(): void;
  onEdit(symbol: string): void;
  onDelete(symbol: string): void;
}

export function SyntheticBadge() {
  return (
    <span className="badge badge--synthetic" title="Generated demo prices, not real market data">
      Synthetic
    </span>
  );
}

function trendOf(item: OverviewItem | undefined): Trend {
  if (!item?.change) return 'flat';
  return item.change > 0 ? 'up' : 'down';
}

function signedPrice(value: number, precision: number): string {
  return `${value > 0 ? '+' : value < 0 ? '-' : ''}${formatPrice(Math.abs(value), precision)}`;
}

/** Last price, the day's change and a sparkline; "as of" when the last bar is not from today (UTC). */
function WatchFigures({ row, item }: { row: InstrumentRow; item: OverviewItem | undefined }) {
  if (!item) return null;
  const { last, previousClose, previousTime, change, sparkline } = item;
  if (!last) {
    return (
      <span className="watch__last watch__last--none" data-testid={`watch-last-${row.symbol}`}>
        no data
      </span>
    );
  }
  const precision = pricePrecision(last.close);
  const trend = trendOf(item);
  const lastDay = formatUtcDate(last.time);
  const stale = lastDay !== formatUtcDate(Date.now());
  const percent = previousClose === null ? null : formatChangePercent(previousClose, last.close);
  const spanDays = previousTime === null ? null : changeSpanDays(previousTime, last.time);
  return (
    <>
      <span className="watch__last" data-testid={`watch-last-${row.symbol}`}>
        {formatPrice(last.close, precision)}
      </span>
      {change !== null && previousTime !== null && (
        <span
          className={`watch__change watch__change--${trend}`}
          title={`Change since the previous close (bar of ${formatBarTime(previousTime, '1h')} UTC)`}
        >
          <span data-testid={`watch-change-${row.symbol}`}>{signedPrice(change, precision)}</span>{' '}
          {percent !== null && <span data-testid={`watch-percent-${row.symbol}`}>{percent}</span>}
          {spanDays !== null && <span data-testid={`watch-span-${row.symbol}`}> over {spanDays} days</span>}
        </span>
      )}
      {sparkline && (
        <span className={`watch__spark${stale ? '' : ' watch__spark--wide'}`} title={`Last ${sparkline.closes.length} ${sparkline.timeframe} closes`}>
          <Sparkline closes={sparkline.closes} reference={previousClose} trend={trend} />
        </span>
      )}
      {stale && (
        <span className="watch__asof" data-testid={`watch-asof-${row.symbol}`}>
          as of {lastDay}
        </span>
      )}
    </>
  );
}

interface OptionProps {
  id: string;
  row: InstrumentRow;
  selected: boolean;
  active: boolean;
  onSelect(symbol: string): void;
  /** Watched instruments show their figures (once loaded) instead of the stored timeframes. */
  watched: boolean;
  figures: OverviewItem | undefined;
  /** Edit and delete, for instruments in the list (not symbols that only have stored bars). */
  actions: { open: boolean; onToggle(open: boolean): void; onEdit(): void; onDelete(): void } | undefined;
}

type RowActions = NonNullable<OptionProps['actions']>;

/** The row's "⋯" menu, also opened by a right click on the row. */
function InstrumentActions({ symbol, actions }: { symbol: string; actions: RowActions }) {
  const choose = (action: () => void) => (event: MouseEvent) => {
    event.stopPropagation();
    actions.onToggle(false);
    action();
  };
  return (
    <span className="instrument__actions">
      <button
        type="button"
        className="instrument__more"
        aria-label={`Edit or delete ${symbol}`}
        aria-haspopup="menu"
        aria-expanded={actions.open}
        tabIndex={-1}
        data-testid={`instrument-actions-${symbol}`}
        onClick={(event) => {
          event.stopPropagation();
          actions.onToggle(!actions.open);
        }}
      >
        ⋯
      </button>
      {actions.open && (
        <span className="instrument__menu" role="menu">
          <button type="button" role="menuitem" onClick={choose(actions.onEdit)} data-testid={`instrument-edit-${symbol}`}>
            Edit…
          </button>
          <button type="button" role="menuitem" onClick={choose(actions.onDelete)} data-testid={`instrument-delete-${symbol}`}>
            Delete…
          </button>
        </span>
      )}
    </span>
  );
}

/**
 * One entry of the listbox. Watched instruments carry their figures; the rest keep the compact
 * row with the timeframes stored. The search field owns keyboard focus and points
 * at the active entry with aria-activedescendant, so entries are clicked, not tabbed to.
 */
function InstrumentOption({ id, row, selected, active, onSelect, watched, figures, actions }: OptionProps) {
  const hasData = row.barCount > 0;
  return (
    <li
      id={id}
      role="option"
      aria-selected={active}
      aria-current={selected ? 'true' : undefined}
      className={`instrument${watched ? ' instrument--watched' : ''}${selected ? ' instrument--selected' : ''}${active ? ' instrument--active' : ''}`}
      data-testid={`instrument-${row.symbol}`}
      data-has-data={hasData}
      onClick={() => onSelect(row.symbol)}
      onContextMenu={(event) => {
        if (!actions) return;
        event.preventDefault();
        actions.onToggle(true);
      }}
    >
      <span className={`instrument__dot${hasData ? ' instrument__dot--data' : ''}`} aria-hidden="true" />
      <span className="instrument__symbol">
        {row.symbol}
        {row.synthetic && <SyntheticBadge />}
      </span>
      {!watched && <span className="instrument__stored">{hasData ? row.storedTimeframes.join(' ') : ''}</span>}
      <span className="instrument__name">{row.name}</span>
      {watched && <WatchFigures row={row} item={figures} />}
      {!watched && <span className="visually-hidden">{hasData ? ', has stored data' : ', no data stored'}</span>}
      {actions && <InstrumentActions symbol={row.symbol} actions={actions} />}
    </li>
  );
}

/**
 * The instrument list: the watchlist with last price, the day's change and a sparkline, then
 * the other instruments. The search field (focus it with `/`) matches fuzzily; ArrowUp/Down
 * move through the list, Enter opens the highlighted instrument, Escape clears the search.
 */
export function InstrumentPicker({ rows, watchlist, selected, onSelect, searchRef, onAdd, onEdit, onDelete }: InstrumentPickerProps) {
  const [query, setQuery] = useState('');
  const [menuFor, setMenuFor] = useState<string | null>(null);
  const [activeSymbol, setActiveSymbol] = useState<string | null>(null);
  const listId = useId();
  const optionId = (symbol: string) => `${listId}-${symbol}`;

  const sections = instrumentSections(rows, watchlist, query);
  const shown = sections.flatMap((section) => section.rows);
  const watched = new Set(watchlist);

  // Only listed instruments can be described by the core; other symbols would fail the whole request.
  const listed = new Set(rows.filter((row) => row.listed).map((row) => row.symbol));
  const overviewSymbols = [...new Set(watchlist)].filter((symbol) => listed.has(symbol));
  const overview = useApiQuery('market.overview', overviewSymbols.length > 0 ? { symbols: overviewSymbols } : null, {
    refreshMs: OVERVIEW_REFRESH_MS,
  });
  const reloadIfShown = (change: { symbol: string }) => {
    if (overviewSymbols.includes(change.symbol)) overview.reload();
  };
  useApiEvent('bars.changed', reloadIfShown);
  useApiEvent('bars.appended', reloadIfShown);
  const figures = new Map(overview.data?.items.map((item) => [item.symbol, item]));

  // While searching, the best match is highlighted so Enter opens it; otherwise nothing is until an arrow key is pressed.
  const chosenIndex = activeSymbol === null ? -1 : shown.findIndex((row) => row.symbol === activeSymbol);
  const activeIndex = chosenIndex >= 0 ? chosenIndex : query.trim() !== '' && shown.length > 0 ? 0 : -1;
  const active = shown[activeIndex];
  const activeId = active ? optionId(active.symbol) : undefined;

  useEffect(() => {
    if (activeId) document.getElementById(activeId)?.scrollIntoView({ block: 'nearest' });
  }, [activeId]);

  const clear = () => {
    setQuery('');
    setActiveSymbol(null);
  };

  const onSearchKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (shown.length === 0) return;
      // The first move starts from the instrument on the chart, so arrows step through the watchlist from there.
      const from = activeIndex >= 0 ? activeIndex : shown.findIndex((row) => row.symbol === selected);
      const next = event.key === 'ArrowDown' ? (from < 0 ? 0 : from + 1) : from < 0 ? shown.length - 1 : from - 1;
      setActiveSymbol(shown[Math.min(shown.length - 1, Math.max(0, next))]!.symbol);
    } else if (event.key === 'Enter') {
      if (!active) return;
      event.preventDefault();
      onSelect(active.symbol);
      clear();
      // Back to the chart, where the timeframe keys work.
      event.currentTarget.blur();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      if (query === '' && activeSymbol === null) event.currentTarget.blur();
      else clear();
    }
  };

  return (
    <nav className="instrument-picker" aria-label="Instruments">
      <input
        ref={searchRef}
        className="instrument-picker__filter"
        type="search"
        role="combobox"
        aria-expanded="true"
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={activeId}
        placeholder="Search instruments  /"
        aria-label="Search instruments"
        autoComplete="off"
        spellCheck={false}
        data-testid="instrument-filter"
        value={query}
        onChange={(event) => {
          setQuery(event.target.value);
          setActiveSymbol(null);
        }}
        onKeyDown={onSearchKey}
        // A highlight left by the arrow keys means nothing once the keyboard is elsewhere; a search keeps its best match.
        onBlur={() => setActiveSymbol(null)}
      />
      <div className="instrument-picker__lists" id={listId} role="listbox" aria-label="Instruments">
        {sections.map((section, index) => {
          const headingId = `${listId}-section-${index}`;
          return (
            <ul key={section.title} role="group" aria-labelledby={headingId}>
              <li role="presentation" id={headingId} className="section-label">
                {section.title}
              </li>
              {section.rows.map((row) => (
                <InstrumentOption
                  key={row.symbol}
                  id={optionId(row.symbol)}
                  row={row}
                  selected={row.symbol === selected}
                  active={row === active}
                  onSelect={onSelect}
                  watched={watched.has(row.symbol)}
                  figures={figures.get(row.symbol)}
                  actions={
                    row.listed
                      ? {
                          open: menuFor === row.symbol,
                          onToggle: (open) => setMenuFor(open ? row.symbol : null),
                          onEdit: () => onEdit(row.symbol),
                          onDelete: () => onDelete(row.symbol),
                        }
                      : undefined
                  }
                />
              ))}
            </ul>
          );
        })}
        {sections.length === 0 && <p className="muted instrument-picker__none">No instrument matches “{query}”.</p>}
      </div>
      <button type="button" className="button instrument-picker__add" onClick={onAdd} data-testid="add-instrument">
        Add instrument…
      </button>
    </nav>
  );
}
