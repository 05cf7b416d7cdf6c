import os from 'node:os';
import type { Bar } from '../../src/shared/domain';

export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const index = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[index]!;
}

/** The middle of samples in any order. */
export function median(samplesMs: readonly number[]): number {
  return percentile([...samplesMs].sort((a, b) => a - b), 50);
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

/** Generates `count` consecutive 1m bars from a seeded random walk, cheaply and deterministically. */
export function* syntheticMinuteBars(start: number, count: number, chunk: number) {
  let state = 42;
  const random = () => ((state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  let price = 1800;
  for (let offset = 0; offset < count; offset += chunk) {
    const size = Math.min(chunk, count - offset);
    const bars = new Array(size);
    for (let i = 0; i < size; i++) {
      const open = price;
      price = Math.max(1, price * (1 + (random() - 0.5) * 0.002));
      const high = Math.max(open, price) * (1 + random() * 0.0005);
      const low = Math.min(open, price) * (1 - random() * 0.0005);
      bars[i] = { time: start + (offset + i) * 60_000, open, high, low, close: price, volume: Math.floor(random() * 1000) };
    }
    yield bars as Bar[];
  }
}

export function formatRate(perSecond: number): string {
  return perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(2)}M/s` : `${Math.round(perSecond / 1e3)}k/s`;
}
