import { AppError, type ErrorCode } from '../../shared/errors';
import type { RetryPolicy } from '../../shared/scheduler';

/**
 * Errors that may go away by themselves: a provider busy, rate-limited or unreachable, a run
 * that timed out, a range another run holds. A refused key (AUTH), a bad request
 * (VALIDATION), a missing instrument (NOT_FOUND), a user's cancel and our own bugs
 * (INTERNAL) fail the same way on every attempt.
 */
const transientCodes: ReadonlySet<ErrorCode> = new Set(['RATE_LIMITED', 'UNAVAILABLE', 'CONFLICT']);

export function isTransient(error: unknown): boolean {
  return error instanceof AppError && transientCodes.has(error.code);
}

/** The longest single wait between attempts, whatever the policy and attempt. */
export const MAX_RETRY_DELAY_MS = 6 * 3_600_000;

/**
 * Wait before the attempt after `failedAttempt` (1 = the first failed): exponential backoff
 * with full jitter, a uniform draw from [0, backoffMs · 2^(failedAttempt−1)), so jobs that
 * failed together do not retry together. Never sooner than a provider's own Retry-After.
 */
export function retryDelayMs(policy: RetryPolicy, failedAttempt: number, error: unknown, random: () => number): number {
  const ceiling = Math.min(MAX_RETRY_DELAY_MS, policy.backoffMs * 2 ** (failedAttempt - 1));
  const jittered = Math.floor(random() * ceiling);
  const retryAfter = error instanceof AppError ? (error.details as { retryAfterMs?: unknown } | undefined)?.retryAfterMs : undefined;
  return typeof retryAfter === 'number' && Number.isFinite(retryAfter) ? Math.max(jittered, Math.min(retryAfter, MAX_RETRY_DELAY_MS)) : jittered;
}

/** Whether a failed attempt gets another: only transient errors, and only within the policy. */
export function shouldRetry(policy: RetryPolicy, failedAttempt: number, error: unknown): boolean {
  return failedAttempt < policy.maxAttempts && isTransient(error);
}
