import { useState, type KeyboardEvent, type Ref } from 'react';
import { groupInstrumentRows, type InstrumentRow } from './instrument-rows';

interface InstrumentPickerProps {
  rows: readonly InstrumentRow[];
  watchlist: readonly string[];
  selected: string | undefined;
  onSelect(symbol: string): void;
  searchRef: Ref<HTMLInputElement>;
}

export function SyntheticBadge() {
  return (
    <span className="badge badge--synthetic" title="Generated demo prices, not real market data">
      Synthetic
    </span>
  );
}

function InstrumentButton({ row, selected, onSelect }: { row: InstrumentRow; selected: boolean; onSelect(symbol: string): void }) {
  const hasData = row.barCount > 0;
  return (
    <li>
      <button
        type="button"
        className={`instrument${selected ? ' instrument--selected' : ''}`}
        aria-current={selected ? 'true' : undefined}
        data-testid={`instrument-${row.symbol}`}
        data-has-data={hasData}
        onClick={() => onSelect(row.symbol)}
      >
        <span className={`instrument__dot${hasData ? ' instrument__dot--data' : ''}`} aria-hidden="true" />
        <span className="instrument__symbol">
          {row.symbol}
          {row.synthetic && <SyntheticBadge />}
        </span>
        <span className="instrument__stored">{hasData ? row.storedTimeframes.join(' ') : ''}</span>
        <span className="instrument__name">{row.name}</span>
        <span className="visually-hidden">{hasData ? ', has stored data' : ', no data stored'}</span>
      </button>
    </li>
  );
}

/** The instrument list: watchlist first, a filter field (focus it with `/`), and a dot on every instrument with data. */
export function InstrumentPicker({ rows, watchlist, selected, onSelect, searchRef }: InstrumentPickerProps) {
  const [filter, setFilter] = useState('');
  const { watched, others } = groupInstrumentRows(rows, watchlist, filter);

  const onFilterKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      const first = watched[0] ?? others[0];
      if (first) onSelect(first.symbol);
    } else if (event.key === 'Escape') {
      setFilter('');
      event.currentTarget.blur();
    }
  };

  return (
    <nav className="instrument-picker" aria-label="Instruments">
      <input
        ref={searchRef}
        className="instrument-picker__filter"
        type="search"
        placeholder="Search instruments  /"
        aria-label="Search instruments"
        data-testid="instrument-filter"
        value={filter}
        onChange={(event) => setFilter(event.target.value)}
        onKeyDown={onFilterKey}
      />
      <div className="instrument-picker__lists">
        {watched.length > 0 && (
          <>
            <h2 className="section-label">Watchlist</h2>
            <ul>
              {watched.map((row) => (
                <InstrumentButton key={row.symbol} row={row} selected={row.symbol === selected} onSelect={onSelect} />
              ))}
            </ul>
          </>
        )}
        {others.length > 0 && (
          <>
            <h2 className="section-label">{watched.length > 0 ? 'Other instruments' : 'Instruments'}</h2>
            <ul>
              {others.map((row) => (
                <InstrumentButton key={row.symbol} row={row} selected={row.symbol === selected} onSelect={onSelect} />
              ))}
            </ul>
          </>
        )}
        {watched.length === 0 && others.length === 0 && <p className="muted instrument-picker__none">No instrument matches “{filter}”.</p>}
      </div>
    </nav>
  );
}
