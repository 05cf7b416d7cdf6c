import type { ProviderId } from '../../shared/domain';
import { AppError, type ErrorCode } from '../../shared/errors';

/** How providers are named in sentences a trader reads. */
export const providerNames: Readonly<Record<ProviderId, string>> = {
  yahoo: 'Yahoo Finance',
  polygon: 'Polygon/Massive',
  twelvedata: 'Twelve Data',
  metalsapi: 'Metals-API',
};

/**
 * Why a provider call failed, finer than the contract's error codes: the HTTP client
 * decides retries from it and adapters react to a few (`no_data` → empty page,
 * `window_too_long` → split the window). It travels in `details.reason`.
 */
const reasonCodes = {
  /** Key missing, unknown or inactive. */
  auth: 'AUTH',
  /** The key is fine but the plan does not include this data or endpoint. */
  plan: 'AUTH',
  not_found: 'NOT_FOUND',
  /** The provider answered "nothing in this window" as an error; adapters yield an empty page. */
  no_data: 'NOT_FOUND',
  invalid_request: 'VALIDATION',
  /** The requested span is longer than the provider serves in one request. */
  window_too_long: 'VALIDATION',
  /** Per-minute limit or throttling: worth waiting for. */
  rate_limit: 'RATE_LIMITED',
  /** Daily or monthly allowance used up: not worth waiting for within one request. */
  quota: 'RATE_LIMITED',
  /** 5xx or the provider's own "internal error". */
  server: 'UNAVAILABLE',
  network: 'UNAVAILABLE',
  timeout: 'UNAVAILABLE',
  /** Refused in a way no retry fixes soon (Yahoo blocking a client, a redirect elsewhere). */
  blocked: 'UNAVAILABLE',
  /**
   * The response could not be read (malformed or cut-off JSON) or does not have the
   * documented shape (a field changed type). UNAVAILABLE because the data is not
   * available to us, with this reason so it is never mistaken for a network failure.
   */
  bad_payload: 'UNAVAILABLE',
  cancelled: 'CANCELLED',
} as const satisfies Record<string, ErrorCode>;

export type ProviderFailureReason = keyof typeof reasonCodes;

export interface ProviderErrorDetails {
  provider: ProviderId;
  reason: ProviderFailureReason;
  /** HTTP status, when there was a response. */
  status?: number;
  /** The provider's own error code (Twelve Data `code`, Metals-API `error.code`, Yahoo `error.code`). */
  providerCode?: string | number;
  /** How long until asking again makes sense, for RATE_LIMITED. */
  retryAfterMs?: number;
  /** Path of the offending field in a bad payload, e.g. `results[0].o`. */
  field?: string;
}

export function providerError(
  provider: ProviderId,
  reason: ProviderFailureReason,
  message: string,
  extra: Omit<ProviderErrorDetails, 'provider' | 'reason'> = {},
): AppError {
  const details: ProviderErrorDetails = { provider, reason, ...extra };
  return new AppError(reasonCodes[reason], message, details);
}

/** The reason of an error raised by a provider call, if it is one. */
export function failureReason(error: unknown): ProviderFailureReason | undefined {
  if (!(error instanceof AppError) || typeof error.details !== 'object' || error.details === null) return undefined;
  const reason = (error.details as { reason?: unknown }).reason;
  return typeof reason === 'string' && reason in reasonCodes ? (reason as ProviderFailureReason) : undefined;
}

/** A payload that does not have the shape we rely on; names the field so a changed API is easy to spot. */
export function badPayload(provider: ProviderId, field: string, problem: string): AppError {
  return providerError(
    provider,
    'bad_payload',
    `The provider sent a response Metalytics cannot read: ${providerNames[provider]} field "${field}" ${problem}.`,
    { field },
  );
}

/** "45 s", "12 min", "5 h 3 min", "2 days 4 h": waits in words a trader reads at a glance. */
export function formatWait(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days ${hours % 24} h`;
}
