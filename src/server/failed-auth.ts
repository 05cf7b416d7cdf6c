import type { Logger } from '../core/ports';

/** Wrong tokens one address may send within the window before it must wait. */
const FREE_FAILURES = 5;
/** Failures older than this are forgotten, and a new burst begins. */
const WINDOW_MS = 60_000;
const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 5 * 60_000;
/** Addresses remembered at once; the oldest go first, so a flood of sources cannot grow memory without end. */
const MAX_TRACKED = 10_000;

interface Failures {
  count: number;
  lastAt: number;
  blockedUntil: number;
}

/**
 * Slows token guessing from one address: after FREE_FAILURES wrong tokens within a minute,
 * every request from it is refused for a backoff that doubles with each further failure (1 s,
 * 2 s, … up to 5 minutes), whatever token it sends, so guessing costs time and a correct
 * guess during the wait gains nothing. A success clears the address. One warning is logged
 * when a burst starts and one when it is blocked, never one per request.
 */
export class FailedAuthLimiter {
  private readonly byAddress = new Map<string, Failures>();

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds `address` must still wait; 0 when it may try. */
  waitFor(address: string): number {
    const entry = this.byAddress.get(address);
    return entry ? Math.max(0, entry.blockedUntil - this.now()) : 0;
  }

  fail(address: string, where: string): void {
    const now = this.now();
    let entry = this.byAddress.get(address);
    if (!entry || now - entry.lastAt > WINDOW_MS) {
      entry = { count: 0, lastAt: now, blockedUntil: 0 };
      this.logger.warn('failed authentication', { address, where });
    }
    entry.count++;
    entry.lastAt = now;
    if (entry.count > FREE_FAILURES) {
      const backoff = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (entry.count - FREE_FAILURES - 1));
      entry.blockedUntil = now + backoff;
      if (entry.count === FREE_FAILURES + 1) {
        this.logger.warn('repeated failed authentication: refusing the address for a while', { address, failures: entry.count, backoffMs: backoff });
      }
    }
    // Re-inserting keeps the map in order of last failure, so the first key is the stalest.
    this.byAddress.delete(address);
    this.byAddress.set(address, entry);
    if (this.byAddress.size > MAX_TRACKED) this.byAddress.delete(this.byAddress.keys().next().value!);
  }

  succeed(address: string): void {
    this.byAddress.delete(address);
  }
}
