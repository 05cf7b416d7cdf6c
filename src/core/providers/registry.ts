import { providerIds, type ProviderId, type ProviderSettings } from '../../shared/domain';
import type { ProviderStatus } from '../../shared/providers';
import type { HttpTuning } from '../http/http-client';
import { providerNames } from './provider-errors';
import type { Logger, SecretStore } from '../ports';
import { keyFingerprint, type ProviderPlan } from './plan-depth';
import { createMetalsApiAdapter } from './metals-api';
import { createPolygonAdapter } from './polygon';
import { createTwelveDataAdapter } from './twelvedata';
import {
  envApiKey,
  providerConfigFromEnv,
  providerDefaults,
  type AdapterDeps,
  type ProviderAdapter,
  type ProviderConfig,
} from './types';
import { createYahooAdapter } from './yahoo';

const factories: Readonly<Record<ProviderId, (deps: AdapterDeps) => ProviderAdapter>> = {
  yahoo: createYahooAdapter,
  polygon: createPolygonAdapter,
  twelvedata: createTwelveDataAdapter,
  metalsapi: createMetalsApiAdapter,
};

/** A key this short would be mostly shown by its last four characters; real provider keys are far longer. */
const MIN_KEY_LENGTH_FOR_LAST4 = 12;

interface ProviderKey {
  source: NonNullable<ProviderStatus['keySource']>;
  value: string;
}

/**
 * One adapter per provider for the whole core, built on first use: each owns its
 * provider's rate limiter, so every job calling that provider shares the same budget.
 * Address and rate limit come from METALYTICS_<PROVIDER>_*, else from Settings; the key
 * from METALYTICS_<PROVIDER>_API_KEY when set, else from the secret store (the key saved in
 * Settings). A changed key or address builds a new adapter, since it is another account
 * and budget.
 */
export class ProviderRegistry {
  private readonly adapters = new Map<ProviderId, { identity: string; adapter: ProviderAdapter }>();

  constructor(
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly secrets: Pick<SecretStore, 'get'>,
    private readonly logger: Logger,
    private readonly http?: HttpTuning,
    /** The address and rate limit saved in Settings, read on every use so a change applies at once. */
    private readonly saved: () => Promise<Partial<Record<ProviderId, ProviderSettings>>> = async () => ({}),
  ) {}

  async adapter(provider: ProviderId): Promise<ProviderAdapter> {
    const saved = (await this.saved())[provider];
    const config = providerConfigFromEnv(this.layeredEnv(provider, saved), provider);
    return this.adapterFor(provider, config, await this.key(provider), this.keyBoundTo(provider, saved));
  }

  /** Scheme, host and port of the address a provider is called at now. */
  async origin(provider: ProviderId): Promise<string> {
    return originOf(providerConfigFromEnv(this.layeredEnv(provider, (await this.saved())[provider]), provider));
  }

  /** The cached adapter while its address, limit and key stay the same; the key only goes to the origin it is bound to. */
  private adapterFor(provider: ProviderId, config: ProviderConfig, key: ProviderKey | undefined, boundTo: string): ProviderAdapter {
    const apiKey = key && boundTo === originOf(config) ? key.value : undefined;
    const identity = JSON.stringify([config.baseUrl, config.rateLimitPerMinute, apiKey]);
    const cached = this.adapters.get(provider);
    if (cached && cached.identity === identity) return cached.adapter;
    const adapter = this.build(provider, { ...config, apiKey });
    this.adapters.set(provider, { identity, adapter });
    return adapter;
  }

  /**
   * Where the provider's key may be sent: the address it was confirmed for in Settings, else
   * the one set up outside the app (METALYTICS_<PROVIDER>_BASE_URL, or the provider's own).
   */
  private keyBoundTo(provider: ProviderId, saved: ProviderSettings | undefined): string {
    return saved?.keyOrigin ?? originOf(providerConfigFromEnv(this.env, provider));
  }

  /**
   * The environment with Settings beneath it: a saved address or rate limit stands in for a
   * METALYTICS_<PROVIDER>_* variable that is not set, and is validated the same way.
   */
  private layeredEnv(provider: ProviderId, saved: ProviderSettings | undefined): Readonly<Record<string, string | undefined>> {
    const prefix = `METALYTICS_${provider.toUpperCase()}`;
    const fromSettings: Record<string, string> = {};
    if (saved?.baseUrl !== undefined) fromSettings[`${prefix}_BASE_URL`] = saved.baseUrl;
    if (saved?.rateLimitPerMinute !== undefined) fromSettings[`${prefix}_RATE_LIMIT`] = String(saved.rateLimitPerMinute);
    const setInEnvironment = Object.entries(this.env).filter(([, value]) => value?.trim());
    return { ...fromSettings, ...Object.fromEntries(setInEnvironment) };
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
    let config: ProviderConfig | undefined;
    try {
      config = providerConfigFromEnv(this.layeredEnv(provider, saved), provider);
    } catch (error) {
      problems.push(messageOf(error));
    }
    let key: ProviderKey | undefined;
    try {
      key = await this.key(provider);
    } catch (error) {
      problems.push(`The key saved in Settings could not be read: ${messageOf(error)}`);
    }
    // The environment is valid once `config` is, so the binding can be read without another failure.
    const boundTo = config ? this.keyBoundTo(provider, saved) : undefined;
    if (key && config && boundTo !== originOf(config)) {
      problems.push(`The key was confirmed for ${boundTo} and is not sent to ${originOf(config)}. Save the key again to use it with this address.`);
    }
    const defaults = providerDefaults[provider];
    // Capabilities do not depend on the configuration, so a misconfigured provider still shows what it would serve.
    const adapter = config && boundTo !== undefined && problems.length === 0 ? this.adapterFor(provider, config, key, boundTo) : this.build(provider, defaults);
    const { capabilities } = adapter;
    const rateLimitPerMinute = config?.rateLimitPerMinute ?? defaults.rateLimitPerMinute;
    // A daily cap belongs to the free tier; a limit above the free one (or none) declares a paid plan, as the adapters read it.
    const onFreeTier = rateLimitPerMinute > 0 && rateLimitPerMinute <= capabilities.defaultRateLimitPerMinute;
    return {
      id: provider,
      name: providerNames[provider],
      needsKey: capabilities.needsKey,
      keySource: key?.source ?? null,
      last4: key && key.value.length >= MIN_KEY_LENGTH_FOR_LAST4 ? key.value.slice(-4) : null,
      baseUrl: config?.baseUrl ?? defaults.baseUrl,
      rateLimitPerMinute,
      dailyCredits: onFreeTier ? (capabilities.dailyCredits ?? null) : null,
      assetClasses: [...capabilities.assetClasses],
      timeframes: [...capabilities.timeframes],
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

  /** The key in use: METALYTICS_<PROVIDER>_API_KEY wins over the one saved in Settings; keyless Yahoo has none. */
  private async key(provider: ProviderId): Promise<ProviderKey | undefined> {
    if (provider === 'yahoo') return undefined;
    const fromEnvironment = envApiKey(this.env, provider);
    if (fromEnvironment !== undefined) return { source: 'environment', value: fromEnvironment };
    const saved = await this.secrets.get(provider);
    return saved ? { source: 'secret-store', value: saved } : undefined;
  }

  private build(provider: ProviderId, config: ProviderConfig): ProviderAdapter {
    return factories[provider]({ config, logger: this.logger, ...(this.http ? { http: this.http } : {}) });
  }
}

function originOf(config: ProviderConfig): string {
  return new URL(config.baseUrl).origin;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
