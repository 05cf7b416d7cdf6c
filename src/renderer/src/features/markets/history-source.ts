import type { Instrument, ProviderId, ProviderSettings } from '../../../../shared/domain';
import type { ProviderStatus } from '../../../../shared/providers';
import { timeframes, type Timeframe } from '../../../../shared/timeframes';

const DAY_MS = 86_400_000;
/**
 * Where a fetch starts when neither the provider nor the plan names a start: earlier than
 * any provider's data. The provider answers from its first bar, and a plan that refuses the
 * range is probed for its start by the backfill (see plan-depth.ts).
 */
const BEFORE_ANY_HISTORY = Date.UTC(1970, 0, 1);

/** The backfill an empty chart offers: which provider, at which timeframe, from when. */
export interface HistoryFetch {
  provider: ProviderId;
  providerName: string;
  ticker: string;
  timeframe: Timeframe;
  from: number;
}

/** Served without a problem: no configuration error, and a key when the provider needs one. */
function isUsable(status: ProviderStatus): boolean {
  return status.configError === null && (!status.needsKey || status.keySource !== null) && status.timeframes.length > 0;
}

/**
 * The first provider in the instrument's ticker mapping that can be used now, at the finest
 * timeframe it serves over its whole history (finer ones reach back only days), from where the
 * user's plan starts (Settings) or else from before any history. When every timeframe is
 * limited, the deepest one is fetched as far back as it reaches. Null when no provider that
 * carries the instrument is usable.
 */
export function historyFetchFor(
  instrument: Instrument,
  statuses: readonly ProviderStatus[],
  plans: Readonly<Partial<Record<ProviderId, ProviderSettings>>>,
  now: number,
): HistoryFetch | null {
  for (const [provider, ticker] of Object.entries(instrument.providerSymbols) as [ProviderId, string][]) {
    const status = statuses.find((candidate) => candidate.id === provider);
    if (!status || !isUsable(status)) continue;
    const served = timeframes.filter((tf) => status.timeframes.includes(tf));
    const depth = (tf: Timeframe) => status.historyDepthDays[tf] ?? null;
    const fullHistory = served.find((tf) => depth(tf) === null);
    const deepest = served.reduce((best, tf) => ((depth(tf) ?? Infinity) > (depth(best) ?? Infinity) ? tf : best), served[0]!);
    const timeframe = fullHistory ?? deepest;
    const reach = depth(timeframe);
    const planStart = plans[provider]?.planHistoryStart;
    const from =
      reach !== null ? now - reach * DAY_MS : planStart !== undefined && planStart !== 'full' ? Date.parse(`${planStart}T00:00:00Z`) : BEFORE_ANY_HISTORY;
    return { provider, providerName: status.name, ticker, timeframe, from };
  }
  return null;
}
