import { useState, type FormEvent } from 'react';
import type { ProviderId, SecretName } from '../../../../shared/domain';
import type { ProviderStatus } from '../../../../shared/providers';
import { describeUnreadableSecret } from '../../../../shared/secret-health';
import { describeError } from '../../api/api-error';
import { call } from '../../api/client';
import { useApiAction } from '../../api/use-api-action';
import { useApiQuery } from '../../api/hooks';
import { useSettings } from '../../ui/settings-context';
import { parsePlanHistory, planHistoryFields, type PlanHistoryChoice } from './plan-history-field';
import { parseRateLimit } from './rate-limit-field';
import './settings.css';

/** The providers whose key lives in the secret store under the provider's own name. */
const keyedProviders = new Set<string>(['polygon', 'twelvedata', 'metalsapi'] satisfies SecretName[]);

function KeyForm({ provider, onChanged }: { provider: ProviderStatus; onChanged(): void }) {
  const [value, setValue] = useState('');
  const { busy, error, run: runAction } = useApiAction();
  const name = provider.id as SecretName;
  const variable = `METALYTICS_${provider.id.toUpperCase()}_API_KEY`;

  const run = (action: () => Promise<unknown>) =>
    runAction(async () => {
      await action();
      setValue('');
      onChanged();
    });
  const save = (event: FormEvent) => {
    event.preventDefault();
    if (value.trim() !== '') void run(() => call('secrets.set', { name, value }));
  };

  return (
    <form className="inline-form" onSubmit={save}>
      <input
        type="password"
        autoComplete="off"
        spellCheck={false}
        value={value}
        onChange={(event) => setValue(event.target.value)}
        placeholder={provider.keySource === 'secret-store' ? `Saved key ending in ${provider.last4 ?? '…'}` : 'API key'}
        aria-label={`${provider.name} API key`}
        disabled={busy}
        data-testid={`settings-key-${provider.id}`}
      />
      <button type="submit" className="button" disabled={busy || value.trim() === ''} data-testid={`settings-key-save-${provider.id}`}>
        Save key
      </button>
      {provider.keySource === 'secret-store' && (
        <button type="button" className="button" disabled={busy} onClick={() => void run(() => call('secrets.delete', { name }))}>
          Remove key
        </button>
      )}
      {provider.keySource === 'environment' && <span className="muted">{variable} is set and is used instead.</span>}
      {error && <span className="error-text inline-form__message">{error}</span>}
    </form>
  );
}

function AddressForm({ provider, onChanged }: { provider: ProviderStatus; onChanged(): void }) {
  const { settings, updateSettings } = useSettings();
  const saved = settings?.providers[provider.id as ProviderId];
  const [baseUrl, setBaseUrl] = useState(saved?.baseUrl ?? '');
  const [rate, setRate] = useState(saved?.rateLimitPerMinute === undefined ? '' : String(saved.rateLimitPerMinute));
  const [planHistory, setPlanHistory] = useState(() => planHistoryFields(saved?.planHistoryStart));
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);

  const save = (event: FormEvent) => {
    event.preventDefault();
    const rateLimit = parseRateLimit(rate);
    const plan = parsePlanHistory(planHistory.choice, planHistory.date);
    if (!rateLimit.ok) {
      setMessage({ error: true, text: rateLimit.message });
      return;
    }
    if (!plan.ok) {
      setMessage({ error: true, text: plan.message });
      return;
    }
    const entry = {
      ...(baseUrl.trim() !== '' && { baseUrl: baseUrl.trim() }),
      ...(rateLimit.value !== undefined && { rateLimitPerMinute: rateLimit.value }),
      ...(plan.value !== undefined && { planHistoryStart: plan.value }),
    };
    updateSettings({ providers: { [provider.id]: entry } }).then(
      () => {
        setMessage({ error: false, text: 'Saved; the next request uses it.' });
        onChanged();
      },
      (failure: unknown) => setMessage({ error: true, text: describeError(failure) }),
    );
  };

  return (
    // The core's and our own messages say what is wrong; the browser's bubbles would not show in every shell.
    <form className="inline-form" onSubmit={save} noValidate>
      <input
        type="url"
        value={baseUrl}
        onChange={(event) => setBaseUrl(event.target.value)}
        placeholder={provider.baseUrl}
        aria-label={`${provider.name} address`}
        data-testid={`settings-url-${provider.id}`}
      />
      <input
        type="number"
        min={0}
        value={rate}
        onChange={(event) => setRate(event.target.value)}
        placeholder={String(provider.rateLimitPerMinute)}
        aria-label={`${provider.name} requests per minute`}
        className="input--narrow"
        data-testid={`settings-rate-${provider.id}`}
      />
      {provider.needsKey && (
        <>
          <select
            value={planHistory.choice}
            onChange={(event) => setPlanHistory({ ...planHistory, choice: event.target.value as PlanHistoryChoice })}
            aria-label={`History in your ${provider.name} plan`}
            title="How far back your plan reads. Backfills learn it from the provider's answers unless you say."
            data-testid={`settings-plan-${provider.id}`}
          >
            <option value="learn">History: learn from the provider</option>
            <option value="full">History: all of it (paid plan)</option>
            <option value="date">History starts on…</option>
          </select>
          {planHistory.choice === 'date' && (
            <input
              type="date"
              value={planHistory.date}
              onChange={(event) => setPlanHistory({ ...planHistory, date: event.target.value })}
              aria-label={`First day your ${provider.name} plan includes`}
              data-testid={`settings-plan-date-${provider.id}`}
            />
          )}
        </>
      )}
      <button type="submit" className="button" disabled={!settings} data-testid={`settings-provider-save-${provider.id}`}>
        Save
      </button>
      {message && <span className={`inline-form__message ${message.error ? 'error-text' : 'muted'}`}>{message.text}</span>}
    </form>
  );
}

/**
 * API keys (kept by the secret store; the UI only learns whether one is set and its last
 * four characters) and each provider's address and rate limit. Testing a provider is on
 * the Data screen, beside what it serves.
 */
export function ProviderKeysSection() {
  const providers = useApiQuery('providers.list', {});
  const secrets = useApiQuery('secrets.list', {});
  const health = useApiQuery('secrets.health', {});
  const reload = () => {
    providers.reload();
    secrets.reload();
    health.reload();
  };

  return (
    <section className="panel panel--providers" data-testid="settings-providers">
      <h2>Market data providers</h2>
      <p className="muted">
        Yahoo needs no key. Saved keys are never shown again, only their last four characters; a METALYTICS_&lt;PROVIDER&gt;_API_KEY, _BASE_URL or
        _RATE_LIMIT variable wins over what is saved here. Leave the address or rate empty for the provider&apos;s own address and
        free-tier limit. History says how far back your plan reads: backfills learn it from the provider&apos;s answers for each key
        unless you say.
      </p>
      {secrets.data?.encryptionAvailable === false && (
        <p className="muted" data-testid="settings-keys-unencrypted">
          This system offers no encryption for secrets: a headless server keeps saved keys in secrets.json, readable by its own user
          only, and the desktop app refuses to store them. METALYTICS_&lt;PROVIDER&gt;_API_KEY variables work everywhere.
        </p>
      )}
      {health.data && health.data.unreadable.length > 0 && (
        <div className="error-text" role="alert" data-testid="settings-keys-unreadable">
          {health.data.unreadable.map((secret) => (
            <p key={secret.name}>{describeUnreadableSecret(secret, health.data?.backend ?? null)}</p>
          ))}
        </div>
      )}
      {(providers.error ?? secrets.error) !== null && <p className="error-text">{describeError(providers.error ?? secrets.error)}</p>}
      {providers.data?.providers.map((provider) => (
        <div key={provider.id} className="provider-settings" data-testid={`settings-provider-${provider.id}`}>
          <h3>{provider.name}</h3>
          {provider.configError && <p className="error-text">{provider.configError}</p>}
          {keyedProviders.has(provider.id) && <KeyForm provider={provider} onChanged={reload} />}
          <AddressForm provider={provider} onChanged={reload} />
        </div>
      ))}
    </section>
  );
}
