/**
 * How far back a provider serves one key. Plans differ (Polygon/Massive sells two years to
 * twenty and more; Twelve Data by plan and symbol), so no depth is assumed: a backfill asks
 * for the range the user wants, and only when the provider refuses it as outside the plan
 * does it look for the earliest date the key may read, with a few requests, and remember it
 * per provider, key fingerprint and timeframe.
 */
import { createHash } from 'node:crypto';
import type { Instrument, ProviderId } from '../../shared/domain';
import { nominalTimeframeMs, type Timeframe } from '../../shared/timeframes';
import { failureReason } from './provider-errors';
import type { Logger } from '../ports';
import type { ProviderAdapter } from './types';
import type { Storage } from '../storage/types';

const DAY_MS = 86_400_000;
/** A probe near "now" stays a week back: some plans refuse the current days (delayed data) for other reasons than depth. */
const RECENT_PROBE_AGE_MS = 7 * DAY_MS;
/**
 * Most probes one search makes: a day's precision over 1970 … today takes 15 halvings,
 * plus the upper bounds tried first. Past it, the earliest date found readable so far is used.
 */
export const MAX_PLAN_PROBES = 20;

/** What the user and the key in use say about a provider's plan. */
export interface ProviderPlan {
  /** See keyFingerprint. */
  keyFingerprint: string;
  /** From Settings: 'full' = the plan has the provider's whole history; a time = where its history starts. */
  statedHistoryStart?: number | 'full';
}

/** Where a plan's history starts and how Metalytics knows. */
export interface KnownPlanStart {
  historyStart: number;
  source: 'settings' | 'remembered' | 'probed';
  /** When it was learned; undefined for a date stated in Settings. */
  learnedAt?: number;
}

/**
 * A sha256 prefix naming the key: enough to tell one key's plan from another's, useless to
 * call the provider with. Keyless providers share one name.
 */
export function keyFingerprint(apiKey: string | undefined): string {
  return apiKey ? createHash('sha256').update(apiKey).digest('hex').slice(0, 16) : 'keyless';
}

const floorTo = (time: number, grid: number) => Math.floor(time / grid) * grid;

/**
 * The earliest time on `grid` the provider serves, by bisection between a time it refused
 * and the first upper bound it serves. `probe(at)` answers true when a request from `at`
 * is served, false when the plan refuses it, and throws for anything else (a network or
 * rate-limit failure is not a plan limit). Assumes a plan is one start date: everything
 * from it on is served, nothing before it. `upperBounds` are tried in ascending order;
 * when none is served the refusal is not about depth (the plan lacks the symbol or the
 * timeframe altogether) and the answer is undefined.
 */
export async function findPlanStart(search: {
  refusedAt: number;
  upperBounds: readonly number[];
  grid: number;
  probe: (at: number) => Promise<boolean>;
  maxProbes?: number;
}): Promise<{ historyStart: number | undefined; probes: number }> {
  const { grid, probe } = search;
  const maxProbes = search.maxProbes ?? MAX_PLAN_PROBES;
  let refused = search.refusedAt;
  let served: number | undefined;
  let probes = 0;
  const bounds = [...new Set(search.upperBounds.map((time) => floorTo(time, grid)))].sort((a, b) => a - b);
  for (const bound of bounds) {
    if (bound <= refused || probes >= maxProbes) continue;
    probes++;
    if (await probe(bound)) {
      served = bound;
      break;
    }
    refused = bound;
  }
  if (served === undefined) return { historyStart: undefined, probes };
  for (;;) {
    const firstAfterRefused = floorTo(refused, grid) + grid;
    if (firstAfterRefused >= served || probes >= maxProbes) break;
    const middle = Math.max(firstAfterRefused, floorTo(refused + (served - refused) / 2, grid));
    probes++;
    if (await probe(middle)) served = middle;
    else refused = middle;
  }
  return { historyStart: served, probes };
}

/** Plan starts as Settings state them or as learned and stored, and the search that learns them. */
export class PlanDepths {
  constructor(
    private readonly deps: {
      storage: Pick<Storage, 'planDepths'>;
      logger: Logger;
      now: () => number;
      plan: (provider: ProviderId) => Promise<ProviderPlan>;
    },
  ) {}

  /** The plan's start for this timeframe when Settings state it or it was learned before; undefined when nothing is known or Settings say "full history". */
  async known(provider: ProviderId, timeframe: Timeframe): Promise<KnownPlanStart | undefined> {
    const plan = await this.deps.plan(provider);
    if (plan.statedHistoryStart === 'full') return undefined;
    if (plan.statedHistoryStart !== undefined) return { historyStart: plan.statedHistoryStart, source: 'settings' };
    const stored = await this.deps.storage.planDepths.get({ provider, keyFingerprint: plan.keyFingerprint, timeframe });
    return stored && { historyStart: stored.historyStart, source: 'remembered', learnedAt: stored.learnedAt };
  }

  /**
   * After the provider refused a request from `refusedAt` as outside the plan: finds where
   * the plan starts and stores it. Undefined when the refusal is not about depth. Upper
   * bounds tried first: where a remembered start would be had the plan's window rolled on
   * since (two-year plans move daily), the last day of the range, a week before now.
   */
  async learn(request: {
    adapter: ProviderAdapter;
    instrument: Instrument;
    timeframe: Timeframe;
    refusedAt: number;
    rangeEnd: number;
    previous: KnownPlanStart | undefined;
    signal: AbortSignal;
  }): Promise<KnownPlanStart & { probes: number } | undefined> {
    const { adapter, instrument, timeframe, previous, signal } = request;
    const now = this.deps.now();
    const step = nominalTimeframeMs(timeframe);
    const upperBounds = [Math.min(request.rangeEnd, now) - step, now - RECENT_PROBE_AGE_MS];
    if (previous?.learnedAt !== undefined) upperBounds.push(previous.historyStart + (now - previous.learnedAt) + DAY_MS);
    const probe = async (at: number) => {
      const pages = adapter.fetchBars({ instrument, timeframe, from: at, to: at + step, signal })[Symbol.asyncIterator]();
      try {
        await pages.next();
        return true;
      } catch (error) {
        if (failureReason(error) === 'plan') return false;
        throw error;
      } finally {
        await pages.return?.();
      }
    };
    const { historyStart, probes } = await findPlanStart({ refusedAt: request.refusedAt, upperBounds, grid: Math.max(DAY_MS, step), probe });
    const plan = await this.deps.plan(adapter.id);
    this.deps.logger.info('probed where the plan history starts', { provider: adapter.id, timeframe, refusedAt: request.refusedAt, historyStart, probes });
    if (historyStart === undefined) return undefined;
    await this.deps.storage.planDepths.save({ provider: adapter.id, keyFingerprint: plan.keyFingerprint, timeframe, historyStart, learnedAt: now });
    return { historyStart, source: 'probed', learnedAt: now, probes };
  }
}
