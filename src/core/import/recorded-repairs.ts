import { z } from 'zod';
import { badOhlcPolicySchema, epochMsSchema, type BarSpan } from '../../shared/domain';
import type { RepairedBar } from '../../shared/quality';
import { bucketStart, timeframeSchema, type Timeframe } from '../../shared/timeframes';
import type { Storage } from '../storage/types';

/**
 * Bars a run records one by one; past this only the count grows, so an import of millions
 * of broken rows does not write a run row of hundreds of megabytes.
 */
export const MAX_RECORDED_REPAIRS = 10_000;
/** Import runs the quality report looks through, newest first: imports are occasional and made by hand. */
const RECENT_IMPORT_RUNS = 100;

const recordedRepairSchema = z.object({ time: epochMsSchema, line: z.number().int(), change: z.string() });
export type RecordedRepair = z.infer<typeof recordedRepairSchema>;

/** What an import run records when its bad-OHLC policy stored bars widened or as written. */
const importRunDetailsSchema = z.object({
  file: z.string(),
  symbol: z.string(),
  timeframe: timeframeSchema,
  badOhlc: badOhlcPolicySchema,
  /** All of them; `repairs` holds the first MAX_RECORDED_REPAIRS. */
  repaired: z.number().int(),
  repairs: z.array(recordedRepairSchema),
});
export type ImportRunDetails = z.infer<typeof importRunDetailsSchema>;

/**
 * The stored bars that recent imports widened or kept as written, within the buckets of
 * `timeframe` that `spans` says were built from the import's timeframe. Of bars repaired by
 * several imports, the newest import's record is given.
 */
export async function findRepairedBars(
  storage: Pick<Storage, 'jobRuns'>,
  symbol: string,
  timeframe: Timeframe,
  spans: readonly BarSpan[],
): Promise<RepairedBar[]> {
  const repaired: RepairedBar[] = [];
  const seen = new Set<string>();
  for (const run of await storage.jobRuns.list({ kind: 'import', limit: RECENT_IMPORT_RUNS })) {
    const parsed = importRunDetailsSchema.safeParse((await storage.jobRuns.get(run.id))?.details);
    if (!parsed.success || parsed.data.symbol !== symbol || parsed.data.badOhlc === 'reject') continue;
    const { timeframe: stored, badOhlc: policy, repairs } = parsed.data;
    const covering = spans.filter((span) => span.timeframe === stored);
    for (const { time, change } of repairs) {
      const bucket = bucketStart(time, timeframe);
      const key = `${stored}:${time}`;
      if (seen.has(key) || !covering.some((span) => span.from <= bucket && bucket <= span.to)) continue;
      seen.add(key);
      repaired.push({ time, timeframe: stored, policy, change, runId: run.id });
    }
  }
  return repaired.sort((a, b) => a.time - b.time);
}
