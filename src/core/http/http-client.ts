import { setImmediate as nextTurn } from 'node:timers/promises';
import type { z } from 'zod';
import type { ProviderId } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import type { Logger } from '../ports';
import {
  badPayload,
  formatWait,
  providerError,
  providerNames,
  type ProviderErrorDetails,
} from '../providers/provider-errors';
import { ProviderRateLimiter, type Turn } from './rate-limiter';
import { maskSecrets, redactUrl } from '../logging/redact';

/** Bodies longer than this are parsed in a later event-loop turn than the one that read them. */
const LARGE_BODY_CHARS = 1_000_000;

/** Resolves after `ms`; rejects promptly when `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** What a provider's error interpreter sees of a response. */
export interface ProviderResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON; undefined when the body is empty or not JSON (Yahoo's plain-text 429). */
  body: unknown;
}

/** Tuning and test seams; each has a production default. */
export interface HttpTuning {
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: Sleep;
  /** Jitter source in [0, 1). */
  random?: () => number;
  /** Per attempt, covering the connection and the whole body. */
  timeoutMs?: number;
  /** Attempts per request, the first included. */
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Longest single wait (our limit, Retry-After, a reset header) a request accepts; longer fails with RATE_LIMITED. */
  maxWaitMs?: number;
}

export interface HttpClientOptions extends HttpTuning {
  provider: ProviderId;
  logger: Logger;
  /** 0 = no limit of our own. */
  requestsPerMinute: number;
  dailyCredits?: number;
  /** Values masked in anything logged or put into an error: the API key. */
  secrets?: readonly string[];
  /** Reads the provider's error bodies; runs on every response because some providers fail with HTTP 200. */
  interpretFailure?: (response: ProviderResponse) => AppError | undefined;
  /** Provider-specific rate headers (Twelve Data credits); returns when the next request may go, if later than now. */
  pauseFromHeaders?: (headers: Headers, now: number) => number | undefined;
}

interface JsonRequest<T> {
  url: URL;
  headers?: Readonly<Record<string, string>>;
  schema: z.ZodType<T>;
  signal?: AbortSignal;
  /** Overrides the client's maxWaitMs for this request. */
  maxWaitMs?: number;
  /** Overrides the client's maxAttempts for this request; 1 = never retry. */
  maxAttempts?: number;
}

type Attempt<T> = { ok: true; value: T } | { ok: false; error: AppError; unreadable?: boolean };

const defaultSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * The one way Metalytics talks HTTP to market-data providers: a per-provider rate limiter
 * (token bucket, Retry-After, reset headers, daily credits), a timeout per attempt, retries
 * with exponential backoff and full jitter for transient failures only, cancellation at
 * every wait, zod-checked JSON, and logs without secrets.
 *
 * Retry policy by failure reason (see provider-errors.ts):
 * - network, timeout, server (5xx): backoff, up to maxAttempts;
 * - rate_limit: wait the provider's Retry-After / reset when given (failing at once with
 *   RATE_LIMITED + retryAfterMs when that is longer than maxWaitMs), else backoff;
 * - bad_payload: one more try only when the body was unreadable (cut-off or malformed
 *   JSON can be a broken transfer); a well-formed body of the wrong shape is not retried;
 * - auth, plan, not_found, no_data, invalid_request, quota, blocked: never.
 *
 * Create one client per provider and share it, so all of that provider's requests share
 * one rate limiter.
 */
export class HttpClient {
  private readonly provider: ProviderId;
  private readonly name: string;
  private readonly limiter: ProviderRateLimiter;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly maxWaitMs: number;

  constructor(private readonly options: HttpClientOptions) {
    this.provider = options.provider;
    this.name = providerNames[options.provider];
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.backoffBaseMs = options.backoffBaseMs ?? 500;
    this.backoffMaxMs = options.backoffMaxMs ?? 30_000;
    this.maxWaitMs = options.maxWaitMs ?? 60_000;
    this.limiter = new ProviderRateLimiter({
      requestsPerMinute: options.requestsPerMinute,
      dailyCredits: options.dailyCredits,
      now: this.now,
    });
  }

  async getJson<T>(request: JsonRequest<T>): Promise<T> {
    const maxWaitMs = request.maxWaitMs ?? this.maxWaitMs;
    const maxAttempts = Math.max(1, request.maxAttempts ?? this.maxAttempts);
    let unreadableRetried = false;
    for (let attempt = 1; ; attempt++) {
      await this.takeTurn(maxWaitMs, request.signal);
      const outcome = await this.attempt(request, attempt);
      if (outcome.ok) return outcome.value;

      const { error } = outcome;
      const details = error.details as ProviderErrorDetails;
      let waitMs: number | undefined;
      switch (details.reason) {
        case 'network':
        case 'timeout':
        case 'server':
          waitMs = this.backoff(attempt);
          break;
        case 'rate_limit':
          if (details.retryAfterMs === undefined) {
            this.limiter.drain();
            waitMs = this.backoff(attempt);
          } else {
            this.limiter.pauseUntil(this.now() + details.retryAfterMs);
            if (details.retryAfterMs > maxWaitMs) throw error;
            waitMs = 0; // takeTurn waits out the pause
          }
          break;
        case 'quota':
          if (details.retryAfterMs !== undefined) this.limiter.pauseUntil(this.now() + details.retryAfterMs);
          break;
        case 'bad_payload':
          if (outcome.unreadable && !unreadableRetried) {
            unreadableRetried = true;
            waitMs = this.backoff(attempt);
          }
          break;
        default:
          break;
      }
      if (waitMs === undefined || attempt >= maxAttempts) throw withRetryTime(error);
      this.options.logger.info('provider request failed; retrying', {
        provider: this.provider,
        url: redactUrl(request.url),
        attempt,
        reason: details.reason,
        waitMs,
      });
      if (waitMs > 0) await this.pause(waitMs, request.signal);
    }
  }

  /** Full jitter: uniform in [0, min(max, base·2^(attempt-1))], so retrying clients spread out. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** (attempt - 1));
    return Math.round(this.random() * ceiling);
  }

  private async takeTurn(maxWaitMs: number, signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw this.cancelled();
      const turn = this.limiter.tryTake();
      if (turn.taken) return;
      if (turn.waitMs > maxWaitMs) throw this.waitTooLong(turn);
      this.options.logger.debug('provider rate limit: waiting', { provider: this.provider, waitMs: turn.waitMs, cause: turn.cause });
      await this.pause(turn.waitMs, signal);
    }
  }

  private waitTooLong(turn: Extract<Turn, { taken: false }>): AppError {
    const wait = formatWait(turn.waitMs);
    const retryAfterMs = turn.waitMs;
    switch (turn.cause) {
      case 'daily':
        return providerError(
          this.provider,
          'quota',
          `The daily allowance of ${this.options.dailyCredits} requests to ${this.name} is used up; fetching can resume in ${wait}.`,
          { retryAfterMs },
        );
      case 'provider':
        return providerError(this.provider, 'rate_limit', `${this.name} asked Metalytics to pause for ${wait}; try again then.`, { retryAfterMs });
      case 'spacing':
        return providerError(
          this.provider,
          'rate_limit',
          `The limit of ${this.options.requestsPerMinute} requests per minute to ${this.name} means a ${wait} wait, longer than this request may wait.`,
          { retryAfterMs },
        );
    }
  }

  private async pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      await this.sleep(ms, signal);
    } catch (error) {
      if (signal?.aborted) throw this.cancelled();
      throw error;
    }
  }

  private cancelled(): AppError {
    return providerError(this.provider, 'cancelled', `The request to ${this.name} was cancelled.`);
  }

  private async attempt<T>(request: JsonRequest<T>, attempt: number): Promise<Attempt<T>> {
    const url = redactUrl(request.url);
    const started = performance.now();
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    let response: Response;
    let text: string;
    try {
      // Manual redirects: following one would carry a key in the query string to another host.
      response = await this.fetch(request.url, { headers: request.headers, signal, redirect: 'manual' });
      text = await response.text();
    } catch (error) {
      if (request.signal?.aborted) return { ok: false, error: this.cancelled() };
      if (timeout.aborted) {
        this.options.logger.debug('provider request timed out', { provider: this.provider, url, attempt, timeoutMs: this.timeoutMs });
        return {
          ok: false,
          error: providerError(this.provider, 'timeout', `${this.name} did not answer within ${formatWait(this.timeoutMs)}.`),
        };
      }
      const code = networkErrorCode(error);
      this.options.logger.debug('provider request failed', { provider: this.provider, url, attempt, code });
      return {
        ok: false,
        error: providerError(
          this.provider,
          'network',
          `Could not reach ${this.name}${code ? ` (${code})` : ''}. Check the network connection.`,
        ),
      };
    }

    const { status, headers } = response;
    this.options.logger.debug('provider request', {
      provider: this.provider,
      url,
      status,
      attempt,
      ms: Math.round(performance.now() - started),
    });
    this.observeRateHeaders(headers);

    let body: unknown;
    let readable = text.trim().length > 0;
    if (readable) {
      // A 50,000-bar page is ~5 MB: reading it and parsing it are each tens of milliseconds, so not in one turn.
      if (text.length > LARGE_BODY_CHARS) await nextTurn();
      try {
        body = JSON.parse(text);
      } catch {
        readable = false;
      }
    }
    const failure = this.options.interpretFailure?.({ status, headers, body });
    if (failure) return { ok: false, error: this.masked(this.withRetryAfter(failure, headers)) };
    if (status < 200 || status > 299) return { ok: false, error: this.statusError(status, headers) };
    if (!readable) {
      return {
        ok: false,
        unreadable: true,
        error: providerError(
          this.provider,
          'bad_payload',
          `The provider sent a response Metalytics cannot read: ${this.name} sent ${text.trim() ? 'cut-off or malformed JSON' : 'an empty body'}.`,
          { status },
        ),
      };
    }
    const parsed = request.schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ok: false, error: badPayload(this.provider, formatPath(issue?.path ?? []), `is not as documented (${issue?.message ?? 'unknown problem'})`) };
    }
    return { ok: true, value: parsed.data };
  }

  /** Retry-After (seconds or HTTP date), X-RateLimit-Remaining/Reset, and the provider's own headers. */
  private observeRateHeaders(headers: Headers): void {
    const now = this.now();
    const retryAfter = parseRetryAfter(headers.get('retry-after'), now);
    if (retryAfter !== undefined) this.limiter.pauseUntil(now + retryAfter);

    const remaining = headers.get('x-ratelimit-remaining') ?? headers.get('ratelimit-remaining');
    if (remaining !== null && /^\s*0+\s*$/.test(remaining)) {
      const reset = parseReset(headers.get('x-ratelimit-reset') ?? headers.get('ratelimit-reset'), now);
      if (reset === undefined) this.limiter.drain();
      else this.limiter.pauseUntil(reset);
    }
    const until = this.options.pauseFromHeaders?.(headers, now);
    if (until !== undefined) this.limiter.pauseUntil(until);
  }

  private withRetryAfter(error: AppError, headers: Headers): AppError {
    const details = error.details as ProviderErrorDetails;
    if (details.reason !== 'rate_limit' || details.retryAfterMs !== undefined) return error;
    const retryAfterMs = parseRetryAfter(headers.get('retry-after'), this.now());
    return retryAfterMs === undefined ? error : new AppError(error.code, error.message, { ...details, retryAfterMs });
  }

  private masked(error: AppError): AppError {
    const secrets = this.options.secrets ?? [];
    const message = maskSecrets(error.message, secrets);
    return message === error.message ? error : new AppError(error.code, message, error.details);
  }

  /** Errors from the status line alone, when the provider's body said nothing we understand. */
  private statusError(status: number, headers: Headers): AppError {
    const name = this.name;
    if (status >= 300 && status < 400) {
      return providerError(this.provider, 'blocked', `${name} redirected the request elsewhere (HTTP ${status}); check its base URL.`, { status });
    }
    if (status === 401 || status === 403) {
      return providerError(this.provider, 'auth', `${name} refused the API key (HTTP ${status}). Check the key in Settings.`, { status });
    }
    if (status === 404) return providerError(this.provider, 'not_found', `${name} has no data at this address (HTTP 404).`, { status });
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(headers.get('retry-after'), this.now());
      const extra = retryAfterMs === undefined ? { status } : { status, retryAfterMs };
      return providerError(this.provider, 'rate_limit', `${name} is limiting requests (HTTP 429).`, extra);
    }
    if (status === 408 || status >= 500) return providerError(this.provider, 'server', `${name} is having trouble (HTTP ${status}).`, { status });
    return providerError(this.provider, 'invalid_request', `${name} rejected the request (HTTP ${status}).`, { status });
  }
}

/**
 * RATE_LIMITED always says when to try again. Without the provider's word, a minute: every
 * provider here counts its limit per minute.
 */
function withRetryTime(error: AppError): AppError {
  const details = error.details as ProviderErrorDetails;
  if (error.code !== 'RATE_LIMITED' || details.retryAfterMs !== undefined) return error;
  return new AppError(error.code, error.message, { ...details, retryAfterMs: 60_000 });
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A reset header as an absolute time: epoch seconds or ms when large, else seconds from now. */
function parseReset(value: string | null, now: number): number | undefined {
  if (value === null || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  const n = Number(value);
  if (n > 1e12) return n;
  if (n > 1e9) return n * 1000;
  return now + n * 1000;
}

/** ECONNRESET, ECONNREFUSED, UND_ERR_SOCKET…: undici puts the system error in `cause`. */
function networkErrorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** `results[0].o` from zod's path, so the message names the field a provider changed. */
function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(whole response)';
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
    .join('');
}
