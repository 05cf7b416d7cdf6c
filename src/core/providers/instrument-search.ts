import { providerIds, type ProviderId } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import type { InstrumentCandidate, InstrumentSearchOutcome } from '../../shared/providers';
import { providerNames } from './provider-errors';
import type { ProviderRegistry } from './registry';
import type { SearchLimits } from './types';

/**
 * A lookup is typed into a dialog and waited for: one attempt, and no longer than a few
 * seconds in the provider's rate-limit queue, after which the provider answers RATE_LIMITED
 * for itself instead of holding up the others.
 */
const SEARCH_LIMITS: SearchLimits = { maxWaitMs: 5_000, maxAttempts: 1 };

function retryAfterOf(error: AppError): number | null {
  const details = error.details as { retryAfterMs?: unknown } | undefined;
  return typeof details?.retryAfterMs === 'number' ? details.retryAfterMs : null;
}

/**
 * Asks every provider with a symbol lookup (or only `provider`) at once, through the shared
 * adapters so each lookup spends the same rate budget as backfills. A provider's failure is
 * its outcome, never the whole search's.
 */
export async function searchProviders(
  registry: Pick<ProviderRegistry, 'adapter'>,
  { query, provider }: { query: string; provider?: ProviderId },
): Promise<{ candidates: InstrumentCandidate[]; providers: InstrumentSearchOutcome[] }> {
  const asked = provider ? [provider] : providerIds;
  const answers = await Promise.all(
    asked.map(async (id): Promise<{ candidates: InstrumentCandidate[]; outcome: InstrumentSearchOutcome } | undefined> => {
      try {
        const adapter = await registry.adapter(id);
        if (!adapter.searchInstruments) {
          if (!provider) return undefined;
          throw new AppError('VALIDATION', `${providerNames[id]} has no symbol lookup; enter its ticker yourself.`);
        }
        const listings = await adapter.searchInstruments(query, SEARCH_LIMITS);
        const candidates = listings.map((listing) => ({ provider: id, ...listing }));
        return { candidates, outcome: { provider: id, ok: true, found: candidates.length, errorCode: null, message: null, retryAfterMs: null } };
      } catch (error) {
        // Anything else is a bug, which must surface as one rather than read as a provider's refusal.
        if (!(error instanceof AppError)) throw error;
        return {
          candidates: [],
          outcome: { provider: id, ok: false, found: 0, errorCode: error.code, message: error.message, retryAfterMs: retryAfterOf(error) },
        };
      }
    }),
  );
  const answered = answers.filter((answer) => answer !== undefined);
  return { candidates: answered.flatMap((answer) => answer.candidates), providers: answered.map((answer) => answer.outcome) };
}
