import { describe, expect, it } from 'vitest';
import { providerError } from '../../../src/core/providers/provider-errors';
import { findPlanStart, keyFingerprint, MAX_PLAN_PROBES, PlanDepths } from '../../../src/core/providers/plan-depth';
import type { BarsRequest, ProviderAdapter } from '../../../src/core/providers/types';
import type { PlanDepth } from '../../../src/core/storage/types';
import { instrumentCatalogue } from '../../../src/core/instruments/catalogue';
import { silentLogger } from '../../support/silent-logger';

const DAY = 86_400_000;
const FROM_2005 = Date.UTC(2005, 0, 1);
const END_2024 = Date.UTC(2025, 0, 1);
const PLAN_START = Date.UTC(2023, 1, 21);

/** A plan that serves everything from `start` on and refuses what is older; records each probe. */
function planProbe(start: number) {
  const asked: number[] = [];
  return {
    asked,
    probe: async (at: number) => {
      asked.push(at);
      return at >= start;
    },
  };
}

describe('findPlanStart', () => {
  it('finds the first day a plan serves over twenty years in as many probes as halving the days takes', async () => {
    const { probe, asked } = planProbe(PLAN_START);
    const found = await findPlanStart({ refusedAt: FROM_2005, upperBounds: [END_2024 - DAY], grid: DAY, probe });
    expect(found.historyStart).toBe(PLAN_START);
    // One upper bound, then a day's precision over 7,300 days: ceil(log2(7300)) = 13 halvings.
    expect(found.probes).toBe(asked.length);
    expect(found.probes).toBeLessThanOrEqual(1 + Math.ceil(Math.log2((END_2024 - FROM_2005) / DAY)));
    expect(asked.every((at) => at % DAY === 0)).toBe(true);
  });

  it('lands on the next day boundary when the plan starts inside a day (a rolling window measured in ms)', async () => {
    const { probe } = planProbe(PLAN_START + 7 * 3_600_000);
    expect((await findPlanStart({ refusedAt: FROM_2005, upperBounds: [END_2024 - DAY], grid: DAY, probe })).historyStart).toBe(PLAN_START + DAY);
  });

  it('tries the upper bounds in ascending order and bisects only below the first one served', async () => {
    const { probe, asked } = planProbe(PLAN_START);
    const bounds = [END_2024 - DAY, PLAN_START + 3 * DAY, PLAN_START - 5 * DAY];
    const found = await findPlanStart({ refusedAt: FROM_2005, upperBounds: bounds, grid: DAY, probe });
    expect(found.historyStart).toBe(PLAN_START);
    expect(asked.slice(0, 2)).toEqual([PLAN_START - 5 * DAY, PLAN_START + 3 * DAY]);
    // Then only the eight days between a refused and a served bound: three halvings.
    expect(found.probes).toBe(2 + 3);
  });

  it('answers undefined when even the latest bound is refused: the plan lacks the data altogether, whatever its age', async () => {
    const { probe, asked } = planProbe(Number.POSITIVE_INFINITY);
    const found = await findPlanStart({ refusedAt: FROM_2005, upperBounds: [END_2024 - DAY, Date.UTC(2026, 0, 1)], grid: DAY, probe });
    expect(found).toEqual({ historyStart: undefined, probes: 2 });
    expect(asked).toHaveLength(2);
  });

  it('never probes more than its limit, answering the earliest day found served so far', async () => {
    const { probe } = planProbe(PLAN_START);
    const found = await findPlanStart({ refusedAt: FROM_2005, upperBounds: [END_2024 - DAY], grid: DAY, probe, maxProbes: 4 });
    expect(found.probes).toBe(4);
    expect(found.historyStart).toBeGreaterThanOrEqual(PLAN_START);
    expect(found.historyStart! % DAY).toBe(0);
    expect(MAX_PLAN_PROBES).toBeGreaterThanOrEqual(2 + Math.ceil(Math.log2((Date.UTC(2030, 0, 1) - 0) / DAY)));
  });

  it('passes on a failure that is not a plan refusal instead of taking it for one', async () => {
    const unavailable = providerError('polygon', 'server', 'Polygon/Massive is having trouble (HTTP 503).');
    let probes = 0;
    const probe = async (at: number) => {
      probes++;
      if (probes === 3) throw unavailable;
      return at >= PLAN_START;
    };
    await expect(findPlanStart({ refusedAt: FROM_2005, upperBounds: [END_2024 - DAY], grid: DAY, probe })).rejects.toBe(unavailable);
  });
});

describe('PlanDepths.learn', () => {
  const instrument = instrumentCatalogue.find((i) => i.symbol === 'XAUUSD')!;
  const NOW = Date.UTC(2025, 1, 20, 12);

  function setup(fetch: (request: BarsRequest) => void) {
    const saved: PlanDepth[] = [];
    const requests: BarsRequest[] = [];
    const adapter = {
      id: 'polygon',
      capabilities: { timeframes: ['1d'] },
      async *fetchBars(request: BarsRequest) {
        requests.push(request);
        fetch(request);
        yield { bars: [], source: 'polygon' };
      },
    } as unknown as ProviderAdapter;
    const plans = new PlanDepths({
      storage: { planDepths: { get: async () => undefined, save: async (depth) => void saved.push(depth) } },
      logger: silentLogger(),
      now: () => NOW,
      plan: async () => ({ keyFingerprint: keyFingerprint('pk_free') }),
    });
    const learn = (previous?: { historyStart: number; learnedAt: number }) =>
      plans.learn({
        adapter,
        instrument,
        timeframe: '1d',
        refusedAt: previous?.historyStart ?? FROM_2005,
        rangeEnd: END_2024,
        previous: previous && { ...previous, source: 'remembered' },
        signal: new AbortController().signal,
      });
    return { saved, requests, learn };
  }

  const refusal = () =>
    providerError('polygon', 'plan', 'Your Polygon/Massive plan does not include this data.', { status: 403, providerCode: 'NOT_AUTHORIZED' });

  it('probes one bar at a time and stores the start under the key fingerprint, never the key', async () => {
    const { saved, requests, learn } = setup((request) => {
      if (request.from < PLAN_START) throw refusal();
    });
    expect(await learn()).toMatchObject({ historyStart: PLAN_START, source: 'probed', learnedAt: NOW });
    expect(requests.every((r) => r.to - r.from === DAY)).toBe(true);
    expect(saved).toEqual([{ provider: 'polygon', keyFingerprint: keyFingerprint('pk_free'), timeframe: '1d', historyStart: PLAN_START, learnedAt: NOW }]);
    expect(JSON.stringify(saved)).not.toContain('pk_free');
  });

  it('finds a two-year window that rolled on since it was learned in a few probes, starting from the date remembered', async () => {
    const { requests, learn } = setup((request) => {
      if (request.from < PLAN_START) throw refusal();
    });
    // Learned 30 days ago, when the window started 30 days earlier.
    const found = await learn({ historyStart: PLAN_START - 30 * DAY, learnedAt: NOW - 30 * DAY });
    expect(found).toMatchObject({ historyStart: PLAN_START, source: 'probed' });
    // Where the window would be now (a day to spare) is served; then halving those 31 days: five more.
    expect(found!.probes).toBeLessThanOrEqual(6);
    expect(requests.every((r) => r.from > PLAN_START - 30 * DAY)).toBe(true);
  });

  it('stores nothing and fails with the provider\'s own error when it answers something other than a plan refusal', async () => {
    const { saved, learn } = setup((request) => {
      if (request.from < PLAN_START) throw providerError('polygon', 'rate_limit', 'Polygon/Massive is limiting requests.');
    });
    await expect(learn()).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(saved).toEqual([]);
  });

  it('stores nothing when the plan refuses recent data too', async () => {
    const { saved, learn } = setup(() => {
      throw refusal();
    });
    expect(await learn()).toBeUndefined();
    expect(saved).toEqual([]);
  });
});

describe('keyFingerprint', () => {
  it('names a key by a short sha256 prefix that differs between keys, and keyless providers alike', () => {
    expect(keyFingerprint('pk_fake_POLYGON_SECRET_1234')).toMatch(/^[0-9a-f]{16}$/);
    expect(keyFingerprint('pk_fake_POLYGON_SECRET_1234')).toBe(keyFingerprint('pk_fake_POLYGON_SECRET_1234'));
    expect(keyFingerprint('pk_other')).not.toBe(keyFingerprint('pk_fake_POLYGON_SECRET_1234'));
    expect(keyFingerprint(undefined)).toBe('keyless');
  });
});
