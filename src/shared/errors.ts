/** The few error codes that cross the process boundary; the UI maps each to a sentence. */
export const errorCodes = [
  'VALIDATION',
  'NOT_FOUND',
  'CONFLICT',
  'AUTH',
  /** Allowed to call, not allowed to do this: a path outside the import folder over HTTP. */
  'FORBIDDEN',
  'RATE_LIMITED',
  'UNAVAILABLE',
  /** The database file is damaged; restoring the last backup is the way out. */
  'CORRUPT',
  'CANCELLED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/**
 * Every reply crosses the boundary as a Result, because Electron keeps only `message`
 * of a thrown error and HTTP clients need a stable shape.
 */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorPayload };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(error: ErrorPayload): Result<never> {
  return { ok: false, error };
}

/** What every shell answers for an unexpected failure: the cause goes to the log, never to the caller. */
export const INTERNAL_ERROR_MESSAGE = 'Something went wrong inside Metalytics; the details are in the log.';

/** An error the core means to show to the user; anything else is reported as INTERNAL. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  toPayload(): ErrorPayload {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
