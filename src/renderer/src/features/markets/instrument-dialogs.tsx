import { useState, type FormEvent, type ReactNode } from 'react';
import { methods } from '../../../../shared/contract';
import { instrumentKinds, providerIds, type Instrument, type ProviderId } from '../../../../shared/domain';
import type { InstrumentCandidate, InstrumentSearchOutcome, ProviderStatus } from '../../../../shared/providers';
import { ApiError } from '../../api/api-error';
import { call } from '../../api/client';
import { useApiAction } from '../../api/use-api-action';
import { formatCount } from '../../ui/format/numbers';
import { useModal } from '../../ui/use-modal';
import './instrument-dialogs.css';

type Kind = Instrument['kind'];
type Field = 'symbol' | 'name' | 'kind' | 'unit' | 'currency' | 'exchangeTimeZone' | ProviderId;

interface Draft {
  symbol: string;
  name: string;
  kind: Kind;
  unit: string;
  currency: string;
  /** IANA name, or empty for none (over the counter, crypto). */
  exchangeTimeZone: string;
  tickers: Record<ProviderId, string>;
}

const noTickers = (): Record<ProviderId, string> => ({ yahoo: '', polygon: '', twelvedata: '', metalsapi: '' });

function draftOf(instrument: Instrument | undefined): Draft {
  if (!instrument) return { symbol: '', name: '', kind: 'stock', unit: '', currency: 'USD', exchangeTimeZone: '', tickers: noTickers() };
  return { ...instrument, exchangeTimeZone: instrument.exchangeTimeZone ?? '', tickers: { ...noTickers(), ...instrument.providerSymbols } };
}

/** What the contract takes: blank fields are left out, so its own defaults (name = symbol, "<currency> per unit") apply. */
function inputOf(draft: Draft, editing: boolean) {
  const providerSymbols = Object.fromEntries(providerIds.flatMap((id) => (draft.tickers[id].trim() ? [[id, draft.tickers[id]]] : [])));
  const zone = draft.exchangeTimeZone.trim();
  return {
    // Emptied while editing clears the zone; a new instrument simply has none.
    ...(zone ? { exchangeTimeZone: zone } : editing ? { exchangeTimeZone: null } : {}),
    symbol: draft.symbol,
    kind: draft.kind,
    currency: draft.currency,
    providerSymbols,
    ...(draft.name.trim() && { name: draft.name }),
    ...(draft.unit.trim() && { unit: draft.unit }),
  };
}

/**
 * The contract's own schema checks the form, so a field is refused here exactly when the
 * core would refuse it, and the reason shows beside that field.
 */
function fieldErrors(draft: Draft, editing: boolean): Partial<Record<Field, string>> {
  const input = inputOf(draft, editing);
  const parsed = editing ? methods['instruments.update'].input.safeParse(input) : methods['instruments.create'].input.safeParse(input);
  if (parsed.success) return {};
  const errors: Partial<Record<Field, string>> = {};
  for (const issue of parsed.error.issues) {
    const [first, second] = issue.path;
    const field = (first === 'providerSymbols' ? second : first) as Field | undefined;
    if (field && !errors[field]) errors[field] = issue.message;
  }
  return errors;
}

/** The unit a listing's price is in, as the built-in catalogue words it. */
function unitFor(kind: Kind, currency: string): string {
  return kind === 'stock' || kind === 'etf' ? `${currency} per share` : `${currency} per unit`;
}

/**
 * A chosen listing fills the form: symbol, name, kind and currency from it, its ticker at its
 * provider, and the same ticker at every other provider whose lookup found it too.
 */
function fillFromCandidate(draft: Draft, chosen: InstrumentCandidate, all: readonly InstrumentCandidate[]): Draft {
  const kind = chosen.kind ?? draft.kind;
  const currency = chosen.currency ?? all.find((c) => c.ticker === chosen.ticker && c.currency)?.currency ?? draft.currency;
  const tickers = { ...draft.tickers, [chosen.provider]: chosen.ticker };
  for (const other of all) {
    if (other.provider !== chosen.provider && other.ticker.toUpperCase() === chosen.ticker.toUpperCase() && !tickers[other.provider]) {
      tickers[other.provider] = other.ticker;
    }
  }
  return {
    symbol: chosen.ticker.replace(/[^A-Za-z0-9.=^:_/-]/g, '').toUpperCase(),
    name: chosen.name,
    kind,
    currency,
    unit: unitFor(kind, currency),
    exchangeTimeZone: draft.exchangeTimeZone,
    tickers,
  };
}

function Labelled({ id, label, error, children }: { id: string; label: string; error: string | undefined; children: ReactNode }) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <div>
        {children}
        {error && (
          <span className="field-error" id={`${id}-error`} data-testid={`${id}-error`}>
            {error}
          </span>
        )}
      </div>
    </>
  );
}

function outcomeLine(outcome: InstrumentSearchOutcome, names: ReadonlyMap<ProviderId, string>): string {
  const name = names.get(outcome.provider) ?? outcome.provider;
  if (outcome.ok) return `${name}: ${outcome.found === 0 ? 'nothing found' : `${outcome.found} found`}`;
  const reason = outcome.message ?? 'no answer';
  // The core's sentences usually name the provider already.
  return reason.startsWith(name) ? reason : `${name}: ${reason}`;
}

interface LookupProps {
  names: ReadonlyMap<ProviderId, string>;
  onChoose(candidate: InstrumentCandidate, all: readonly InstrumentCandidate[]): void;
}

/** The providers' symbol lookup: each provider answers or says why not, and a chosen listing fills the form. */
function InstrumentLookup({ names, onChoose }: LookupProps) {
  const [query, setQuery] = useState('');
  const [answer, setAnswer] = useState<{ candidates: InstrumentCandidate[]; providers: InstrumentSearchOutcome[] } | null>(null);
  const [chosen, setChosen] = useState<InstrumentCandidate | null>(null);
  const search = useApiAction();
  const run = () =>
    search.run(async () => {
      setChosen(null);
      setAnswer(await call('instruments.search', { query }));
    });
  return (
    <section className="instrument-lookup" aria-label="Look up at the providers">
      <div className="instrument-lookup__bar">
        <input
          type="search"
          aria-label="Ticker or name to look up"
          placeholder="Ticker or name, e.g. MSFT or Microsoft"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={(event) => {
            // Enter looks up rather than saving the form around it.
            if (event.key === 'Enter') {
              event.preventDefault();
              if (query.trim()) void run();
            }
          }}
          data-testid="lookup-query"
        />
        <button type="button" className="button" disabled={search.busy || !query.trim()} onClick={() => void run()} data-testid="lookup-run">
          {search.busy ? 'Looking up…' : 'Look up'}
        </button>
      </div>
      {search.error && <p className="error-text">{search.error}</p>}
      {answer && (
        <>
          <ul className="instrument-lookup__outcomes" data-testid="lookup-outcomes">
            {answer.providers.map((outcome) => (
              <li key={outcome.provider} className={outcome.ok ? 'muted' : 'error-text'} data-testid={`lookup-outcome-${outcome.provider}`}>
                {outcomeLine(outcome, names)}
              </li>
            ))}
          </ul>
          {answer.candidates.length > 0 && (
            <ul className="instrument-lookup__candidates" role="listbox" aria-label="Listings found">
              {answer.candidates.map((candidate) => {
                const key = `${candidate.provider}:${candidate.ticker}`;
                const selected = chosen === candidate;
                return (
                  <li key={key} role="option" aria-selected={selected} className={selected ? 'candidate candidate--chosen' : 'candidate'}>
                    <button
                      type="button"
                      onClick={() => {
                        setChosen(candidate);
                        onChoose(candidate, answer.candidates);
                      }}
                      data-testid={`candidate-${candidate.provider}-${candidate.ticker}`}
                    >
                      <span className="candidate__ticker">{candidate.ticker}</span>
                      <span className="candidate__name">{candidate.name}</span>
                      <span className="candidate__meta muted">
                        {[candidate.kind, candidate.exchange, candidate.currency].filter(Boolean).join(' · ')} — {names.get(candidate.provider) ?? candidate.provider}
                      </span>
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

interface InstrumentDialogProps {
  /** The instrument to edit; absent to add one. */
  instrument?: Instrument;
  providers: readonly ProviderStatus[];
  onClose(): void;
  onSaved(symbol: string): void;
}

/** Add or edit an instrument: the lookup fills the form, the contract's rules check it, and problems show beside their field. */
export function InstrumentDialog({ instrument, providers, onClose, onSaved }: InstrumentDialogProps) {
  const dialogRef = useModal();
  const editing = instrument !== undefined;
  const [draft, setDraft] = useState<Draft>(() => draftOf(instrument));
  const [touched, setTouched] = useState(false);
  const [conflict, setConflict] = useState<string | null>(null);
  const save = useApiAction();
  const names = new Map(providers.map((p) => [p.id, p.name] as const));
  const errors: Partial<Record<Field, string>> = touched ? fieldErrors(draft, editing) : {};
  if (conflict) errors.symbol = conflict;

  const set = (changes: Partial<Draft>) => {
    setDraft((current) => ({ ...current, ...changes }));
    if ('symbol' in changes) setConflict(null);
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (Object.keys(fieldErrors(draft, editing)).length > 0) return;
    void save.run(async () => {
      try {
        const saved = editing ? await call('instruments.update', inputOf(draft, true)) : await call('instruments.create', inputOf(draft, false));
        onSaved(saved.symbol);
      } catch (failure) {
        // A taken symbol belongs beside the symbol field; anything else below the form.
        if (failure instanceof ApiError && failure.code === 'CONFLICT') setConflict(failure.message);
        else throw failure;
      }
    });
  };

  const fieldProps = (field: Field) => ({
    id: `instrument-${field}`,
    'aria-invalid': errors[field] ? true : undefined,
    'aria-describedby': errors[field] ? `instrument-${field}-error` : undefined,
    'data-testid': `instrument-${field}`,
  });

  return (
    <dialog ref={dialogRef} className="dialog instrument-dialog" aria-labelledby="instrument-dialog-title" onClose={onClose} data-testid="instrument-dialog">
      <form onSubmit={onSubmit} noValidate>
        <header className="dialog__header">
          <h2 id="instrument-dialog-title">{editing ? `Edit ${instrument.symbol}` : 'Add an instrument'}</h2>
          <button type="button" className="button button--ghost" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </header>
        <div className="dialog__body">
          {!editing && <InstrumentLookup names={names} onChoose={(candidate, all) => set(fillFromCandidate(draft, candidate, all))} />}
          <div className="form-grid instrument-dialog__fields">
            <Labelled id="instrument-symbol" label="Symbol" error={errors.symbol}>
              <input {...fieldProps('symbol')} value={draft.symbol} disabled={editing} onChange={(event) => set({ symbol: event.target.value })} />
            </Labelled>
            <Labelled id="instrument-name" label="Name" error={errors.name}>
              <input {...fieldProps('name')} value={draft.name} placeholder="The symbol, when left empty" onChange={(event) => set({ name: event.target.value })} />
            </Labelled>
            <Labelled id="instrument-kind" label="Kind" error={errors.kind}>
              <select {...fieldProps('kind')} value={draft.kind} onChange={(event) => set({ kind: event.target.value as Kind })}>
                {instrumentKinds.map((kind) => (
                  <option key={kind} value={kind}>
                    {kind}
                  </option>
                ))}
              </select>
            </Labelled>
            <Labelled id="instrument-unit" label="Unit" error={errors.unit}>
              <input {...fieldProps('unit')} value={draft.unit} placeholder={`${draft.currency || 'USD'} per unit`} onChange={(event) => set({ unit: event.target.value })} />
            </Labelled>
            <Labelled id="instrument-currency" label="Currency" error={errors.currency}>
              <input {...fieldProps('currency')} value={draft.currency} onChange={(event) => set({ currency: event.target.value })} />
            </Labelled>
            <Labelled id="instrument-exchangeTimeZone" label="Exchange time zone" error={errors.exchangeTimeZone}>
              <input
                {...fieldProps('exchangeTimeZone')}
                value={draft.exchangeTimeZone}
                placeholder="none, e.g. America/New_York"
                onChange={(event) => set({ exchangeTimeZone: event.target.value })}
              />
            </Labelled>
          </div>
          <fieldset className="instrument-dialog__tickers">
            <legend>Ticker at each provider</legend>
            <div className="form-grid">
              {providerIds.map((id) => (
                <Labelled key={id} id={`instrument-${id}`} label={names.get(id) ?? id} error={errors[id]}>
                  <input
                    {...fieldProps(id)}
                    value={draft.tickers[id]}
                    placeholder="Not carried"
                    onChange={(event) => set({ tickers: { ...draft.tickers, [id]: event.target.value } })}
                  />
                </Labelled>
              ))}
            </div>
          </fieldset>
          {save.error && (
            <p className="error-text" role="alert" data-testid="instrument-save-error">
              {save.error}
            </p>
          )}
        </div>
        <footer className="dialog__footer">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={save.busy} data-testid="instrument-save">
            {save.busy ? 'Saving…' : editing ? 'Save changes' : 'Add instrument'}
          </button>
        </footer>
      </form>
    </dialog>
  );
}

/** How many bars a refused instruments.delete says would go with the instrument. */
function barsHeld(failure: unknown): number | null {
  if (!(failure instanceof ApiError) || failure.code !== 'CONFLICT') return null;
  const bars = (failure.details as { bars?: unknown } | undefined)?.bars;
  return typeof bars === 'number' ? bars : null;
}

interface DeleteInstrumentDialogProps {
  instrument: Instrument;
  onClose(): void;
  onDeleted(symbol: string): void;
}

/**
 * Deleting asks first; when the core refuses because the instrument holds bars, it says how
 * many and deletes them too only on a second, explicit confirmation.
 */
export function DeleteInstrumentDialog({ instrument, onClose, onDeleted }: DeleteInstrumentDialogProps) {
  const dialogRef = useModal();
  const [bars, setBars] = useState<number | null>(null);
  const deletion = useApiAction();
  const remove = () =>
    deletion.run(async () => {
      try {
        await call('instruments.delete', { symbol: instrument.symbol, deleteBars: bars !== null });
        onDeleted(instrument.symbol);
      } catch (failure) {
        const held = barsHeld(failure);
        if (held === null) throw failure;
        setBars(held);
      }
    });
  return (
    <dialog ref={dialogRef} className="dialog dialog--narrow" aria-labelledby="delete-instrument-title" onClose={onClose} data-testid="delete-instrument-dialog">
      <header className="dialog__header">
        <h2 id="delete-instrument-title">Delete {instrument.symbol}?</h2>
      </header>
      <div className="dialog__body">
        {bars === null ? (
          <p>
            {instrument.name} ({instrument.symbol}) leaves the instrument list. A built-in instrument deleted stays deleted; you can add it
            again yourself.
          </p>
        ) : (
          <p role="alert" data-testid="delete-instrument-bars">
            {instrument.symbol} holds {formatCount(bars)} stored bars. They are deleted with it and cannot be brought back except from a
            backup.
          </p>
        )}
        {deletion.error && <p className="error-text">{deletion.error}</p>}
      </div>
      <footer className="dialog__footer">
        <button type="button" className="button" onClick={onClose}>
          Keep it
        </button>
        <button type="button" className="button button--danger" disabled={deletion.busy} onClick={() => void remove()} data-testid="delete-instrument-confirm">
          {bars === null ? 'Delete' : `Delete with ${formatCount(bars)} bars`}
        </button>
      </footer>
    </dialog>
  );
}
