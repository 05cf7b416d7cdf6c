import type { ErrorCode, ErrorPayload, Result } from '../../../shared/errors';

/** A contract error surfaced as an exception, so screens can use try/catch and error boundaries. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  /** What the core attached, e.g. how many bars a refused instruments.delete would take with it. */
  readonly details: unknown;

  constructor(payload: ErrorPayload) {
    super(payload.message);
    this.name = 'ApiError';
    this.code = payload.code;
    this.details = payload.details;
  }
}

export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new ApiError(result.error);
}

function withPeriod(text: string): string {
  const trimmed = text.trim();
  return /[.!?…]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/**
 * The sentence a trader sees for a failure. The core's messages are written for users, so
 * they are kept, framed by what the code means; INTERNAL messages may be technical and
 * anything that is not an ApiError is a bug, so neither is shown verbatim.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something unexpected went wrong in the app. Try again; if it keeps happening, restart Metalytics.';
  const detail = withPeriod(error.message);
  switch (error.code) {
    case 'VALIDATION':
      return `That was not accepted: ${detail}`;
    case 'NOT_FOUND':
      return `Not found: ${detail}`;
    case 'CONFLICT':
      return `That clashes with something already there: ${detail}`;
    case 'AUTH':
      return `Access refused: ${detail}`;
    case 'FORBIDDEN':
      return `Not allowed: ${detail}`;
    case 'RATE_LIMITED':
      return `The data provider asked us to slow down: ${detail} Try again in a moment.`;
    case 'UNAVAILABLE':
      return `Not available right now: ${detail} Data already stored on this computer still works.`;
    case 'CORRUPT':
      return `The database is damaged: ${detail}`;
    case 'CANCELLED':
      return 'Cancelled.';
    case 'INTERNAL':
      return 'Metalytics hit an internal error. The details are in the application log; try again or restart the app.';
  }
}
