import { useState, type FormEvent } from 'react';
import type { Instrument } from '../../../../shared/domain';
import type { ProviderStatus } from '../../../../shared/providers';
import type { Timeframe } from '../../../../shared/timeframes';
import { call } from '../../api/client';
import { useApiAction } from '../../api/use-api-action';
import { backfillFormToInput, type BackfillForm, type BackfillFormErrors } from './backfill-model';
import { FormField } from './form-field';

export type ProviderChoice = Pick<ProviderStatus, 'id' | 'name' | 'timeframes'>;

const emptyForm: BackfillForm = { provider: '', symbol: '', timeframe: '1d', from: '', to: '' };

/** Starts a backfill; the core answers at once and the row appears in the table above with its progress. */
export function BackfillStartForm({
  providers,
  instruments,
  onStarted,
}: {
  providers: readonly ProviderChoice[];
  instruments: readonly Instrument[];
  onStarted(): void;
}) {
  const [form, setForm] = useState<BackfillForm>(emptyForm);
  const [errors, setErrors] = useState<BackfillFormErrors>({});
  const { busy, error: coreError, run, clearError } = useApiAction();
  const change = (patch: Partial<BackfillForm>) => setForm((current) => ({ ...current, ...patch }));

  const provider = providers.find((p) => p.id === form.provider);
  const carried = instruments.filter((instrument) => provider !== undefined && provider.id in instrument.providerSymbols);

  // Keeps the timeframe when the new provider serves it, else takes its coarsest: the cheapest to fetch.
  const chooseProvider = (id: string) => {
    const served = providers.find((p) => p.id === id)?.timeframes ?? [];
    change({ provider: id, symbol: '', timeframe: served.includes(form.timeframe as Timeframe) ? form.timeframe : (served.at(-1) ?? '') });
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { input, errors: found } = backfillFormToInput(form);
    setErrors(found ?? {});
    if (!input) {
      clearError();
      return;
    }
    await run(async () => {
      await call('backfill.start', input);
      onStarted();
    });
  };

  return (
    <form className="data-form" onSubmit={(event) => void submit(event)} aria-labelledby="backfill-form-title" data-testid="backfill-form" noValidate>
      <h3 id="backfill-form-title">New backfill</h3>
      <div className="data-form__fields">
        <FormField id="backfill-provider" label="Provider" error={errors.provider}>
          <select
            id="backfill-provider"
            value={form.provider}
            aria-invalid={errors.provider !== undefined}
            aria-describedby="backfill-provider-error"
            data-testid="backfill-provider"
            onChange={(event) => chooseProvider(event.target.value)}
          >
            <option value="">Choose…</option>
            {providers.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </FormField>

        <FormField id="backfill-symbol" label="Instrument" error={errors.symbol}>
          <select
            id="backfill-symbol"
            value={form.symbol}
            disabled={provider === undefined}
            aria-invalid={errors.symbol !== undefined}
            aria-describedby="backfill-symbol-error"
            data-testid="backfill-symbol"
            onChange={(event) => change({ symbol: event.target.value })}
          >
            <option value="">{provider ? `${carried.length} carried by ${provider.name}…` : 'Choose a provider first'}</option>
            {carried.map((instrument) => (
              <option key={instrument.symbol} value={instrument.symbol}>
                {instrument.symbol} — {instrument.name}
              </option>
            ))}
          </select>
        </FormField>

        <FormField id="backfill-timeframe" label="Timeframe" error={errors.timeframe}>
          <select
            id="backfill-timeframe"
            value={form.timeframe}
            disabled={provider === undefined}
            aria-invalid={errors.timeframe !== undefined}
            aria-describedby="backfill-timeframe-error"
            data-testid="backfill-timeframe"
            onChange={(event) => change({ timeframe: event.target.value })}
          >
            {(provider?.timeframes ?? []).map((tf) => (
              <option key={tf} value={tf}>
                {tf}
              </option>
            ))}
          </select>
        </FormField>

        <FormField id="backfill-from" label="From (UTC)" error={errors.from}>
          <input
            id="backfill-from"
            type="date"
            value={form.from}
            aria-invalid={errors.from !== undefined}
            aria-describedby="backfill-from-error"
            data-testid="backfill-from"
            onChange={(event) => change({ from: event.target.value })}
          />
        </FormField>

        <FormField
          id="backfill-to"
          label="Until (UTC, not included)"
          error={errors.to}
          hint={
            <span id="backfill-to-hint" className="data-form__hint muted">
              empty = up to now
            </span>
          }
        >
          <input
            id="backfill-to"
            type="date"
            value={form.to}
            aria-invalid={errors.to !== undefined}
            aria-describedby="backfill-to-hint backfill-to-error"
            data-testid="backfill-to"
            onChange={(event) => change({ to: event.target.value })}
          />
        </FormField>
      </div>
      {coreError && (
        <p className="error-text" role="alert" data-testid="backfill-form-error">
          {coreError}
        </p>
      )}
      <div className="data-form__actions">
        <button type="submit" className="button button--primary" disabled={busy} data-testid="backfill-start">
          {busy ? 'Starting…' : 'Start backfill'}
        </button>
      </div>
    </form>
  );
}
