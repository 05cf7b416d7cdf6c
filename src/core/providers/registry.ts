import { providerIds, type ProviderId, type ProviderSettings } from '../../shared/domain';
import type { ProviderStatus } from '../../shared/providers';
import type { ProviderEnvironment } from '../config/runtime-config';
import type { HttpTuning } from '../http/http-client';
import type { Logger, SecretStore } from '../ports';
import { createMetalsApiAdapter } from './metals-api';
import { keyFingerprint, type ProviderPlan } from './plan-depth';
import { createPolygonAdapter } from './polygon';
import { keyInUse, originOf, providerEndpoint, type ProviderEndpoint, type ProviderKey } from './provider-config';
import { providerNames } from './provider-errors';
import { createTwelveDataAdapter } from './twelvedata';
import { providerDefaults, type AdapterDeps, type ProviderAdapter, type ProviderConfig } from './types';
import { createYahooAdapter } from './yahoo';

const factories: Readonly<Record<ProviderId, (deps: AdapterDeps) => ProviderAdapter>> = {
  yahoo: createYahooAdapter,
  polygon: createPolygonAdapter,
  twelvedata: createTwelveDataAdapter,
  metalsapi: createMetalsApiAdapter,
};

/** A key this short would be mostly shown by its last four characters; real provider keys are far longer. */
const MIN_KEY_LENGTH_FOR_LAST4 = 12;

/**
 * One adapter per provider for the whole core, built on first use: each owns its
 * provider's rate limiter, so every job calling that provider shares the same budget.
 * Address and rate limit come from the environment the shell resolved, else from Settings
 * (see providerEndpoint); the key from the environment when set, else from the secret store
 * (see keyInUse). A changed key or address builds a new adapter, since it is another account
 * and budget.
 */
export class ProviderRegistry {
  private readonly adapters = new Map<ProviderId, { identity: string; adapter: ProviderAdapter }>();

  constructor(
    private readonly environment: Readonly<Record<ProviderId, ProviderEnvironment>>,
    private readonly secrets: Pick<SecretStore, 'get'>,
    private readonly logger: Logger,
    private readonly http?: HttpTuning,
    /** The address and rate limit saved in Settings, read on every use so a change applies at once. */
    private readonly saved: () => Promise<Partial<Record<ProviderId, ProviderSettings>>> = async () => ({}),
  ) {}

  async adapter(provider: ProviderId): Promise<ProviderAdapter> {
    const saved = (await this.saved())[provider];
    const endpoint = providerEndpoint(provider, this.environment[provider], saved);
    return this.adapterFor(provider, endpoint, await this.key(provider), this.keyBoundTo(provider, saved));
  }

  /** Scheme, host and port of the address a provider is called at now. */
  async origin(provider: ProviderId): Promise<string> {
    return originOf(providerEndpoint(provider, this.environment[provider], (await this.saved())[provider]));
  }

  /** The cached adapter while its address, limit and key stay the same; the key only goes to the origin it is bound to. */
  private adapterFor(provider: ProviderId, endpoint: ProviderEndpoint, key: ProviderKey | undefined, boundTo: string): ProviderAdapter {
    const apiKey = key && boundTo === originOf(endpoint) ? key.value : undefined;
    const identity = JSON.stringify([endpoint.baseUrl, endpoint.rateLimitPerMinute, apiKey]);
    const cached = this.adapters.get(provider);
    if (cached && cached.identity === identity) return cached.adapter;
    const adapter = this.build(provider, { ...endpoint, apiKey });
    this.adapters.set(provider, { identity, adapter });
    return adapter;
  }

  /**
   * Where the provider's key may be sent: the address it was confirmed for in Settings, else
   * the one set up outside the app (METALYTICS_<PROVIDER>_BASE_URL, or the provider's own).
   */
  private keyBoundTo(provider: ProviderId, saved: ProviderSettings | undefined): string {
    return saved?.keyOrigin ?? originOf(providerEndpoint(provider, this.environment[provider], undefined));
  }

  /**
   * What the Data screen shows of a provider: where its key comes from and the key's last
   * four characters (never the key), address, limits and what it serves. A malformed
   * METALYTICS_* variable or an unreadable saved key becomes `configError` rather than a
   * failure, so one broken provider never hides the others.
   */
  async status(provider: ProviderId): Promise<ProviderStatus> {
    const problems: string[] = [];
    const saved = (await this.saved())[provider];
    let endpoint: ProviderEndpoint | undefined;
    try {
      endpoint = providerEndpoint(provider, this.environment[provider], saved);
    } catch (error) {
      problems.push(messageOf(error));
    }
    let key: ProviderKey | undefined;
    try {
      key = await this.key(provider);
    } catch (error) {
      problems.push(`The key saved in Settings could not be read: ${messageOf(error)}`);
    }
    // The environment is valid once `endpoint` is, so the binding can be read without another failure.
    const boundTo = endpoint ? this.keyBoundTo(provider, saved) : undefined;
    if (key && endpoint && boundTo !== originOf(endpoint)) {
      problems.push(`The key was confirmed for ${boundTo} and is not sent to ${originOf(endpoint)}. Save the key again to use it with this address.`);
    }
    const defaults = providerDefaults[provider];
    // Capabilities do not depend on the configuration, so a misconfigured provider still shows what it would serve.
    const adapter = endpoint && boundTo !== undefined && problems.length === 0 ? this.adapterFor(provider, endpoint, key, boundTo) : this.build(provider, defaults);
    const { capabilities } = adapter;
    const rateLimitPerMinute = endpoint?.rateLimitPerMinute ?? defaults.rateLimitPerMinute;
    // A daily cap belongs to the free tier; a limit above the free one (or none) declares a paid plan, as the adapters read it.
    const onFreeTier = rateLimitPerMinute > 0 && rateLimitPerMinute <= capabilities.defaultRateLimitPerMinute;
    return {
      id: provider,
      name: providerNames[provider],
      needsKey: capabilities.needsKey,
      keySource: key?.source ?? null,
      last4: key && key.value.length >= MIN_KEY_LENGTH_FOR_LAST4 ? key.value.slice(-4) : null,
      baseUrl: endpoint?.baseUrl ?? defaults.baseUrl,
      rateLimitPerMinute,
      dailyCredits: onFreeTier ? (capabilities.dailyCredits ?? null) : null,
      assetClasses: [...capabilities.assetClasses],
      timeframes: [...capabilities.timeframes],
      historyDepthDays: { ...capabilities.historyDepthDays },
      supportsLatest: adapter.fetchLatest !== undefined,
      supportsNews: adapter.fetchNews !== undefined,
      configError: problems.length === 0 ? null : problems.join(' '),
    };
  }

  /** The key in use, by fingerprint, and the plan history Settings state, for backfills to know how far back the key reads. */
  async plan(provider: ProviderId): Promise<ProviderPlan> {
    const stated = (await this.saved())[provider]?.planHistoryStart;
    return {
      keyFingerprint: keyFingerprint((await this.key(provider))?.value),
      ...(stated !== undefined && { statedHistoryStart: stated === 'full' ? 'full' : Date.parse(`${stated}T00:00:00Z`) }),
    };
  }

  /** Every provider's status, in the order of `providerIds`. */
  statuses(): Promise<ProviderStatus[]> {
    return Promise.all(providerIds.map((provider) => this.status(provider)));
  }

  /** The key in use (see keyInUse); keyless Yahoo has none. */
  private async key(provider: ProviderId): Promise<ProviderKey | undefined> {
    if (provider === 'yahoo') return undefined;
    return keyInUse(this.environment[provider].apiKey, () => this.secrets.get(provider));
  }

  private build(provider: ProviderId, config: ProviderConfig): ProviderAdapter {
    return factories[provider]({ config, logger: this.logger, ...(this.http ? { http: this.http } : {}) });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
