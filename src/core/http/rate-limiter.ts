const DAY_MS = 86_400_000;

/** Either a turn was taken, or how long until one is free and what is holding it. */
export type Turn = { taken: true } | { taken: false; waitMs: number; cause: 'spacing' | 'provider' | 'daily' };

interface RateLimiterOptions {
  /** Requests per minute; 0 = no limit of our own (the provider's answers still pause us). */
  requestsPerMinute: number;
  /** Requests allowed per UTC day (Twelve Data's credits); undefined or 0 = no daily cap. */
  dailyCredits?: number;
  now: () => number;
}

/**
 * One provider's token bucket. It holds a single token, so requests are spaced
 * 60/N seconds apart instead of leaving in bursts: a burst of N followed by refills
 * could put 2N requests into one of the provider's minute windows (Twelve Data counts
 * "credits for the current minute") and earn a 429.
 *
 * It is synchronous; the HTTP client does the waiting, so cancellation and the
 * caller's patience live in one place.
 */
export class ProviderRateLimiter {
  private tokens = 1;
  private refilledAt: number;
  private pausedUntil = Number.NEGATIVE_INFINITY;
  private creditDay: number;
  private creditsSpent = 0;

  constructor(private readonly options: RateLimiterOptions) {
    this.refilledAt = options.now();
    this.creditDay = Math.floor(this.refilledAt / DAY_MS);
  }

  tryTake(): Turn {
    const now = this.options.now();
    const day = Math.floor(now / DAY_MS);
    if (day !== this.creditDay) {
      this.creditDay = day;
      this.creditsSpent = 0;
    }
    const daily = this.options.dailyCredits;
    if (daily && this.creditsSpent >= daily) return { taken: false, waitMs: (day + 1) * DAY_MS - now, cause: 'daily' };
    if (now < this.pausedUntil) return { taken: false, waitMs: this.pausedUntil - now, cause: 'provider' };

    const perMinute = this.options.requestsPerMinute;
    if (perMinute > 0) {
      const perMs = perMinute / 60_000;
      this.tokens = Math.min(1, this.tokens + (now - this.refilledAt) * perMs);
      this.refilledAt = now;
      if (this.tokens < 1) return { taken: false, waitMs: Math.ceil((1 - this.tokens) / perMs), cause: 'spacing' };
      this.tokens -= 1;
    }
    this.creditsSpent += 1;
    return { taken: true };
  }

  /** The provider asked for a pause: Retry-After, a reset header, its minute or day allowance used up. */
  pauseUntil(time: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, time);
  }

  /** The provider said "too many" although the bucket had room (another app on the same key?): start empty. */
  drain(): void {
    this.tokens = 0;
    this.refilledAt = this.options.now();
  }
}
