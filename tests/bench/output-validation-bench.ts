/**
 * What checking replies against the contract costs: `bars.query` through `invoke` on two cores
 * holding the same bars, one validating its output (development and tests) and one not
 * (production). The two take turns reply by reply, so a machine whose load changes during the
 * run weighs on both alike; the core without the check is the figure, the one with it the baseline.
 * The check is the schema parse that production ran on every reply before, plus the comparison
 * that makes tests refuse a reply the parse would change; the parse alone is timed beside them.
 */
import { methods } from '../../src/shared/contract';
import { MAX_BARS_PER_QUERY } from '../../src/shared/domain';
import { createTestCore, type TestCore } from '../support/test-core';
import { percentile, syntheticMinuteBars } from './stats';

const SYMBOL = 'XAUUSD';
const START = Date.UTC(2020, 0, 6);
const CHUNK = 5_000;
/** Replies of a chart's usual window and of the contract's largest; fewer rounds for the large one. */
const CASES = [
  { bars: 2_000, rounds: 200 },
  { bars: MAX_BARS_PER_QUERY, rounds: 12 },
] as const;
/** Untimed rounds first, which warm caches, statement plans and the JIT. */
const WARM_UP_ROUNDS = 3;

async function filledCore(validateOutput: boolean): Promise<TestCore> {
  const test = await createTestCore({}, { validateOutput });
  for (const bars of syntheticMinuteBars(START, MAX_BARS_PER_QUERY, CHUNK)) {
    await test.core.storage.marketData.upsertBars({ symbol: SYMBOL, timeframe: '1m', source: 'bench', bars });
  }
  return test;
}

async function timedQuery(test: TestCore, limit: number): Promise<{ ms: number; reply: unknown }> {
  const started = performance.now();
  const reply = await test.core.invoke('bars.query', { symbol: SYMBOL, timeframe: '1m', limit });
  const ms = performance.now() - started;
  if (!reply.ok || (reply.value as { bars: unknown[] }).bars.length !== limit) {
    throw new Error(`unexpected reply: ${JSON.stringify(reply).slice(0, 200)}`);
  }
  return { ms, reply: reply.value };
}

function parseMs(reply: unknown): number {
  const started = performance.now();
  methods['bars.query'].output.parse(reply);
  return performance.now() - started;
}

export async function benchOutputValidation(): Promise<Record<string, string | number>[]> {
  const validating = await filledCore(true);
  const trusting = await filledCore(false);
  try {
    const rows: Record<string, string | number>[] = [];
    for (const { bars, rounds } of CASES) {
      const samples = { validating: [] as number[], trusting: [] as number[], parse: [] as number[] };
      for (let round = 0; round < WARM_UP_ROUNDS + rounds; round++) {
        const validatingMs = (await timedQuery(validating, bars)).ms;
        const trusted = await timedQuery(trusting, bars);
        const parsedMs = parseMs(trusted.reply);
        if (round < WARM_UP_ROUNDS) continue;
        samples.validating.push(validatingMs);
        samples.trusting.push(trusted.ms);
        samples.parse.push(parsedMs);
      }
      const mean = (list: number[]) => list.reduce((sum, ms) => sum + ms, 0) / list.length;
      const [on, off] = [mean(samples.validating), mean(samples.trusting)];
      const p95 = (list: number[]) => percentile([...list].sort((a, b) => a - b), 95);
      rows.push({
        figure: 'output-validation',
        request: `bars.query ${bars} 1m bars`,
        rounds,
        'on replies/s': (1000 / on).toFixed(1),
        'off replies/s': (1000 / off).toFixed(1),
        'on ms/reply': on.toFixed(1),
        'off ms/reply': off.toFixed(1),
        'on/off p95 ms': `${p95(samples.validating).toFixed(1)}/${p95(samples.trusting).toFixed(1)}`,
        speedup: (on / off).toFixed(2),
        'parse alone ms': mean(samples.parse).toFixed(1),
      });
    }
    return rows;
  } finally {
    await validating.cleanup();
    await trusting.cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await benchOutputValidation()) console.log(Object.entries(r).map(([k, v]) => `${k}=${v}`).join('  '));
}
