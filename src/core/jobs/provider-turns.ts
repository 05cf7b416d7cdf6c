import type { ProviderId } from '../../shared/domain';
import { AppError } from '../../shared/errors';

/**
 * Work against one provider takes turns, first come first served: its rate limit is shared,
 * so running two jobs side by side only slows both. Manual backfills and scheduled jobs
 * wait in the same line.
 */
export class ProviderTurns {
  /** Per provider, settles when the latest caller to ask for a turn has ended it. */
  private readonly tails = new Map<ProviderId, Promise<void>>();
  private waiting = 0;

  /** Callers waiting for a turn now, over all providers. */
  get queued(): number {
    return this.waiting;
  }

  /**
   * Waits for the callers of `provider` that asked earlier; returns the function that ends
   * this caller's turn. An abort while waiting leaves the line at once with CANCELLED.
   */
  async take(provider: ProviderId, signal: AbortSignal): Promise<() => void> {
    const earlier = this.tails.get(provider) ?? Promise.resolve();
    let endTurn!: () => void;
    const mine = new Promise<void>((resolve) => (endTurn = resolve));
    // A later caller waits for this one and, through it, for every earlier one.
    this.tails.set(provider, earlier.then(() => mine));
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new AppError('CANCELLED', 'cancelled while waiting for the provider'));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    this.waiting++;
    try {
      await Promise.race([earlier, aborted]);
    } catch (error) {
      endTurn();
      throw error;
    } finally {
      this.waiting--;
      signal.removeEventListener('abort', onAbort!);
    }
    return endTurn;
  }
}
