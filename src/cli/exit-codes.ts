import type { ErrorCode } from '../shared/errors';

/** What the `metalytics` command returns, so cron jobs and scripts can react without parsing text. */
export const exitCodes = {
  ok: 0,
  /** Anything else: an internal error, a conflict, a cancelled job, a damaged database. */
  failure: 1,
  /** Wrong arguments, or input the core refused as invalid or not allowed. */
  usage: 2,
  /** An unknown symbol, a missing file. */
  notFound: 3,
  /** The database or a provider is unreachable or rate-limited; trying later may work. */
  unavailable: 4,
  /** The user answered no when asked to confirm (a restore). */
  cancelled: 5,
} as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'VALIDATION':
    case 'FORBIDDEN':
      return exitCodes.usage;
    case 'NOT_FOUND':
      return exitCodes.notFound;
    case 'UNAVAILABLE':
    case 'RATE_LIMITED':
      return exitCodes.unavailable;
    default:
      return exitCodes.failure;
  }
}

/** A failure the CLI explains in one sentence and ends with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
