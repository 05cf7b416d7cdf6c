import { describe, expect, it } from 'vitest';
import { MAX_INDICATORS_PER_QUERY } from '../../../../shared/indicator-outputs';
import { INDICATOR_COLOR_SLOTS, addIndicator, removeIndicator } from './active-indicators';

const sma = (period: number) => ({ kind: 'sma' as const, params: { period } });

describe('active indicators', () => {
  it('gives each new indicator the first free colour and keeps colours when others leave', () => {
    let active = addIndicator([], sma(20));
    active = addIndicator(active, { kind: 'rsi', params: { period: 14 } });
    active = addIndicator(active, sma(50));
    expect(active.map((a) => a.slot)).toEqual([0, 1, 2]);
    active = removeIndicator(active, 'rsi-14');
    expect(active.map((a) => [a.spec.params, a.slot])).toEqual([
      [{ period: 20 }, 0],
      [{ period: 50 }, 2],
    ]);
    expect(addIndicator(active, sma(100)).at(-1)?.slot).toBe(1);
  });

  it('ignores a second copy of the same indicator', () => {
    const active = addIndicator([], sma(20));
    expect(addIndicator(active, sma(20))).toBe(active);
  });

  it('reuses colours past the palette and stops at what one query can carry', () => {
    let active: ReturnType<typeof addIndicator> = [];
    for (let period = 1; period <= MAX_INDICATORS_PER_QUERY + 3; period++) active = addIndicator(active, sma(period));
    expect(active).toHaveLength(MAX_INDICATORS_PER_QUERY);
    expect(active[INDICATOR_COLOR_SLOTS]?.slot).toBe(0);
  });
});
