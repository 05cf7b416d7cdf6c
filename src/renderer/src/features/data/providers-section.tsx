import { useState } from 'react';
import type { ProviderStatus, ProviderTestResult } from '../../../../shared/providers';
import { call } from '../../api/client';
import { useApiAction } from '../../api/use-api-action';
import { formatCount } from '../../ui/format/numbers';
import { QueryError } from '../../ui/load-error';
import { formatRateLimit } from './data-format';

function keyStatus(provider: ProviderStatus): { text: string; missing: boolean } {
  const variable = `METALYTICS_${provider.id.toUpperCase()}_API_KEY`;
  if (!provider.needsKey) return { text: 'No key needed', missing: false };
  const ending = provider.last4 ? ` ending in ${provider.last4}` : '';
  if (provider.keySource === 'environment') return { text: `Key${ending} from ${variable}`, missing: false };
  if (provider.keySource === 'secret-store') return { text: `Key${ending} saved in Settings`, missing: false };
  return { text: `No key: save one in Settings or set ${variable}`, missing: true };
}

function TestOutcome({ outcome }: { outcome: ProviderTestResult | { error: string } }) {
  if ('error' in outcome) return <span className="error-text">{outcome.error}</span>;
  return (
    <span className={outcome.ok ? 'test-ok' : 'error-text'}>
      {outcome.ok ? '✓ ' : '✗ '}
      {outcome.message}
    </span>
  );
}

function ProviderCard({ provider }: { provider: ProviderStatus }) {
  const { busy: testing, error, run } = useApiAction();
  const [result, setResult] = useState<ProviderTestResult | null>(null);
  const key = keyStatus(provider);
  const test = () => {
    setResult(null);
    return run(async () => setResult(await call('providers.test', { provider: provider.id })));
  };
  const outcome = error !== null ? { error } : result;
  const serves = [
    provider.assetClasses.join(', '),
    provider.timeframes.length > 0 ? `bars ${provider.timeframes.join(' ')}` : null,
    provider.supportsLatest ? 'latest price' : null,
    provider.supportsNews ? 'news' : null,
  ].filter((part): part is string => part !== null && part !== '');

  return (
    <section className="panel provider-card" aria-labelledby={`provider-${provider.id}-name`} data-testid={`provider-${provider.id}`}>
      <header className="provider-card__header">
        <h3 id={`provider-${provider.id}-name`}>{provider.name}</h3>
        <button
          type="button"
          className="button button--small"
          disabled={testing || provider.configError !== null}
          aria-label={`Test ${provider.name}`}
          data-testid={`provider-test-${provider.id}`}
          onClick={() => void test()}
        >
          {testing ? 'Testing…' : 'Test'}
        </button>
      </header>
      {provider.configError && (
        <p className="error-text" role="alert">
          {provider.configError}
        </p>
      )}
      <dl className="facts">
        <dt>Key</dt>
        <dd className={key.missing ? 'error-text' : undefined} data-testid={`provider-key-${provider.id}`}>
          {key.text}
        </dd>
        <dt>Address</dt>
        <dd className="mono" data-testid={`provider-url-${provider.id}`}>
          {provider.baseUrl}
        </dd>
        <dt>Rate limit</dt>
        <dd data-testid={`provider-rate-${provider.id}`}>
          {formatRateLimit(provider.rateLimitPerMinute)}
          {provider.dailyCredits !== null && `, ${formatCount(provider.dailyCredits)} a day`}
        </dd>
        <dt>Serves</dt>
        <dd>{serves.join(' · ')}</dd>
      </dl>
      <p className="provider-card__test" role="status" data-testid={`provider-test-result-${provider.id}`}>
        {outcome && <TestOutcome outcome={outcome} />}
      </p>
    </section>
  );
}

export function ProvidersSection({ providers, error }: { providers: readonly ProviderStatus[] | undefined; error: unknown }) {
  return (
    <div className="data-section" data-testid="providers">
      <p className="muted">
        Keys, addresses and rate limits come from Settings, or for a headless server from METALYTICS_&lt;PROVIDER&gt;_API_KEY, _BASE_URL and
        _RATE_LIMIT. Test sends one cheap real request.
      </p>
      <QueryError error={error} />
      <div className="provider-cards">
        {providers?.map((provider) => (
          <ProviderCard key={provider.id} provider={provider} />
        ))}
      </div>
    </div>
  );
}
