import type { Bar } from '../../src/shared/domain';

const MINUTE = 60_000;

/** Minute bars of a seeded random walk, `count` from `start`: the same seed gives the same bars, another seed other bars. */
export function minuteBars(start: number, count: number, seed: number): Bar[] {
  let state = seed;
  let price = 2000;
  return Array.from({ length: count }, (_, i) => {
    state = (state * 48_271) % 2_147_483_647;
    const open = price;
    price += (state / 2_147_483_647 - 0.5) * 2;
    return { time: start + i * MINUTE, open, high: Math.max(open, price) + 0.5, low: Math.min(open, price) - 0.5, close: price, volume: (state % 100) + 1 };
  });
}
