import type { Bar } from '../../shared/domain';

const HOUR = 3_600_000;

/** Small fast seeded PRNG (mulberry32): the demo must look the same on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), Number.EPSILON);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

export interface SyntheticSeries {
  seed: number;
  startPrice: number;
  /** Annualised drift and volatility of the geometric Brownian motion. */
  drift: number;
  volatility: number;
  baseVolume: number;
  /** Metals trade 24/5: no bars from Friday 22:00 to Sunday 22:00 UTC. */
  weekdaysOnly: boolean;
}

function isClosedHour(time: number): boolean {
  const d = new Date(time);
  const day = d.getUTCDay();
  const hour = d.getUTCHours();
  return day === 6 || (day === 5 && hour >= 22) || (day === 0 && hour < 22);
}

/**
 * Hourly OHLCV bars from a geometric Brownian motion sampled 12 times per hour, so highs
 * and lows come from a path rather than being invented around open and close.
 */
export function generateHourlyBars(series: SyntheticSeries, from: number, to: number): Bar[] {
  const random = seededRandom(series.seed);
  const stepsPerHour = 12;
  const dt = 1 / (365 * 24 * stepsPerHour);
  const stepDrift = (series.drift - 0.5 * series.volatility ** 2) * dt;
  const stepVol = series.volatility * Math.sqrt(dt);
  const bars: Bar[] = [];
  let price = series.startPrice;
  for (let time = Math.floor(from / HOUR) * HOUR; time <= to; time += HOUR) {
    if (series.weekdaysOnly && isClosedHour(time)) continue;
    const open = price;
    let high = open;
    let low = open;
    for (let step = 0; step < stepsPerHour; step++) {
      price *= Math.exp(stepDrift + stepVol * gaussian(random));
      high = Math.max(high, price);
      low = Math.min(low, price);
    }
    const volume = Math.round(series.baseVolume * Math.exp(0.5 * gaussian(random)));
    bars.push({ time, open: round(open), high: round(high), low: round(low), close: round(price), volume });
  }
  return bars;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
