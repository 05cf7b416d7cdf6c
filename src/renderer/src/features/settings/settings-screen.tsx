import { useState } from 'react';
import { describeError } from '../../api/api-error';
import { useApiQuery } from '../../api/hooks';
import { useApiAction } from '../../api/use-api-action';
import { useSettings } from '../../ui/settings-context';
import { databaseModeNames } from '../../ui/database-modes';
import type { ThemePreference } from '../../ui/theme';
import { formatCount } from '../../ui/format/numbers';
import { ProviderKeysSection } from './provider-keys-section';

const themeChoices: Array<{ value: ThemePreference; label: string }> = [
  { value: 'system', label: 'Follow the system' },
  { value: 'dark', label: 'Dark' },
  { value: 'light', label: 'Light' },
];

function useSave() {
  const { updateSettings } = useSettings();
  const { error, run } = useApiAction();
  const save = (patch: Parameters<typeof updateSettings>[0]) => run(() => updateSettings(patch));
  return { save, error };
}

function ThemeSection() {
  const { settings } = useSettings();
  const { save, error } = useSave();
  return (
    <section className="panel">
      <h2>Appearance</h2>
      <fieldset className="choice-group">
        <legend>Theme</legend>
        {themeChoices.map((choice) => (
          <label key={choice.value} className="choice">
            <input
              type="radio"
              name="theme"
              value={choice.value}
              checked={settings?.theme === choice.value}
              disabled={!settings}
              onChange={() => save({ theme: choice.value })}
              data-testid={`theme-${choice.value}`}
            />
            {choice.label}
          </label>
        ))}
      </fieldset>
      {error && <p className="error-text">{error}</p>}
    </section>
  );
}

function WatchlistSection() {
  const { settings } = useSettings();
  const { save, error } = useSave();
  const instruments = useApiQuery('instruments.list', {});
  const [toAdd, setToAdd] = useState('');
  const watchlist = settings?.watchlist ?? [];
  const names = new Map(instruments.data?.instruments.map((i) => [i.symbol, i.name]));
  const addable = (instruments.data?.instruments ?? []).filter((i) => !watchlist.includes(i.symbol));

  const move = (index: number, by: -1 | 1) => {
    const next = [...watchlist];
    const [symbol] = next.splice(index, 1);
    if (symbol === undefined) return;
    next.splice(index + by, 0, symbol);
    void save({ watchlist: next });
  };

  return (
    <section className="panel">
      <h2>Watchlist</h2>
      <p className="muted">The instruments at the top of the Markets screen, in this order.</p>
      <ol className="watchlist" data-testid="watchlist">
        {watchlist.map((symbol, index) => (
          <li key={symbol} className="watchlist__row">
            <span className="watchlist__symbol">{symbol}</span>
            <span className="watchlist__name muted">{names.get(symbol) ?? ''}</span>
            <button type="button" className="button button--small" disabled={index === 0} onClick={() => move(index, -1)} aria-label={`Move ${symbol} up`}>
              ↑
            </button>
            <button
              type="button"
              className="button button--small"
              disabled={index === watchlist.length - 1}
              onClick={() => move(index, 1)}
              aria-label={`Move ${symbol} down`}
            >
              ↓
            </button>
            <button
              type="button"
              className="button button--small"
              onClick={() => void save({ watchlist: watchlist.filter((s) => s !== symbol) })}
              data-testid={`watchlist-remove-${symbol}`}
            >
              Remove
            </button>
          </li>
        ))}
        {watchlist.length === 0 && <li className="muted">The watchlist is empty.</li>}
      </ol>
      <div className="inline-form">
        <select value={toAdd} onChange={(event) => setToAdd(event.target.value)} aria-label="Instrument to add" data-testid="watchlist-add-select">
          <option value="">Choose an instrument…</option>
          {addable.map((instrument) => (
            <option key={instrument.symbol} value={instrument.symbol}>
              {instrument.symbol} — {instrument.name}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="button"
          disabled={toAdd === '' || !settings}
          onClick={() => {
            void save({ watchlist: [...watchlist, toAdd] });
            setToAdd('');
          }}
          data-testid="watchlist-add"
        >
          Add
        </button>
      </div>
      {error && <p className="error-text">{error}</p>}
    </section>
  );
}

function DatabaseSection() {
  const status = useApiQuery('system.status', {});
  const database = status.data?.database;
  return (
    <section className="panel">
      <h2>Database</h2>
      {status.error !== null && <p className="error-text">{describeError(status.error)}</p>}
      {database && status.data && (
        <dl className="facts" data-testid="database-info">
          <dt>Mode</dt>
          <dd data-testid="database-mode">{databaseModeNames[database.mode]}</dd>
          <dt>Connection</dt>
          <dd>{database.online ? 'online' : 'offline, using the local cache'}</dd>
          <dt>Location</dt>
          <dd className="mono" data-testid="database-location">
            {database.location}
          </dd>
          <dt>Schema version</dt>
          <dd>{database.schemaVersion}</dd>
          <dt>Stored</dt>
          <dd>
            {status.data.bars === null
              ? 'unknown while the database is offline'
              : `${formatCount(status.data.bars)} bars, ${formatCount(status.data.instruments ?? 0)} instruments`}
          </dd>
          <dt>App version</dt>
          <dd>{status.data.appVersion}</dd>
        </dl>
      )}
      <p className="muted">Choosing another database (a shared Postgres or TimescaleDB server) from here is not available yet.</p>
    </section>
  );
}

export function SettingsScreen() {
  const { loadError } = useSettings();
  return (
    <section className="screen screen--scroll" data-testid="screen-settings">
      <h1 className="screen__title">Settings</h1>
      {loadError !== null && <p className="error-text">Settings could not be loaded. {describeError(loadError)}</p>}
      <div className="panels">
        <ThemeSection />
        <WatchlistSection />
        <DatabaseSection />
        <ProviderKeysSection />
      </div>
    </section>
  );
}
