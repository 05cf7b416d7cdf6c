import type { ProviderId, ProviderSettings } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import type { ProviderStatus } from '../../shared/providers';
import { providerVariable } from '../config/environment';
import type { ProviderEnvironment } from '../config/runtime-config';
import { isSecureProviderUrl, providerDefaults, type ProviderConfig } from './types';

/** Where a provider is called and how often: a ProviderConfig without its key. */
export type ProviderEndpoint = Omit<ProviderConfig, 'apiKey'>;

/**
 * A provider's address and rate limit now: each from METALYTICS_<PROVIDER>_BASE_URL and
 * _RATE_LIMIT when set, else from Settings, else the provider's defaults. Whatever the source,
 * the address must be https (http only to this computer) and the limit a number of requests per
 * minute (0 = unlimited); anything else fails with VALIDATION naming the variable rather than
 * silently falling back.
 */
export function providerEndpoint(provider: ProviderId, environment: ProviderEnvironment, saved: ProviderSettings | undefined): ProviderEndpoint {
  const defaults = providerDefaults[provider];
  const baseUrlVariable = providerVariable(provider, 'BASE_URL');
  const baseUrlText = environment.baseUrl ?? (saved?.baseUrl?.trim() || undefined) ?? defaults.baseUrl;
  let baseUrl: URL;
  try {
    baseUrl = new URL(baseUrlText);
  } catch {
    throw new AppError('VALIDATION', `${baseUrlVariable} is not a URL: "${baseUrlText}".`);
  }
  if (baseUrl.protocol !== 'https:' && baseUrl.protocol !== 'http:') {
    throw new AppError('VALIDATION', `${baseUrlVariable} must start with https:// or http://.`);
  }
  if (!isSecureProviderUrl(baseUrl)) {
    throw new AppError('VALIDATION', `${baseUrlVariable} must use https:// (http:// only for this computer), so the key never travels in clear text.`);
  }

  const rateLimitPerMinute =
    environment.rateLimit === undefined ? (saved?.rateLimitPerMinute ?? defaults.rateLimitPerMinute) : Number(environment.rateLimit);
  if (!Number.isFinite(rateLimitPerMinute) || rateLimitPerMinute < 0) {
    const written = environment.rateLimit ?? saved?.rateLimitPerMinute;
    throw new AppError('VALIDATION', `${providerVariable(provider, 'RATE_LIMIT')} must be a number of requests per minute (0 = unlimited), not "${written}".`);
  }
  return { baseUrl: baseUrlText.replace(/\/+$/, ''), rateLimitPerMinute };
}

/** Scheme, host and port of a provider's address: what a key is bound to. */
export function originOf(endpoint: ProviderEndpoint): string {
  return new URL(endpoint.baseUrl).origin;
}

export interface ProviderKey {
  source: NonNullable<ProviderStatus['keySource']>;
  value: string;
}

/**
 * The key in use: the environment's (METALYTICS_<PROVIDER>_API_KEY) wins over the one saved in
 * Settings, which is then not even read (reading a secret may prompt for the keychain).
 */
export async function keyInUse(environmentKey: string | undefined, readSaved: () => Promise<string | undefined>): Promise<ProviderKey | undefined> {
  if (environmentKey !== undefined) return { source: 'environment', value: environmentKey };
  const saved = await readSaved();
  return saved ? { source: 'secret-store', value: saved } : undefined;
}
