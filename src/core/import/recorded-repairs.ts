import { z } from 'zod';
import { badOhlcPolicySchema, epochMsSchema, type BarSpan } from '../../shared/domain';
import type { RejectedRow, RepairedBar } from '../../shared/quality';
import { timeframeSchema } from '../../shared/timeframe-schema';
import { bucketStart, canAggregate, type Timeframe } from '../../shared/timeframes';
import type { Storage } from '../storage/types';

/**
 * Bars (and rejected rows) a run records one by one; past this only the count grows, so an
 * import of millions of broken rows does not write a run row of hundreds of megabytes.
 */
export const MAX_RECORDED_REPAIRS = 10_000;
/** Import runs the quality report looks through, newest first: imports are occasional and made by hand. */
const RECENT_IMPORT_RUNS = 100;

const recordedRepairSchema = z.object({ time: epochMsSchema, line: z.number().int(), change: z.string() });
export type RecordedRepair = z.infer<typeof recordedRepairSchema>;

/** A rejected row whose time could be read: the bucket it would have filled stays empty. */
const recordedRejectionSchema = z.object({ time: epochMsSchema, line: z.number().int(), reason: z.string(), badOhlc: z.boolean() });
export type RecordedRejection = z.infer<typeof recordedRejectionSchema>;

/** What an import run records when its bad-OHLC policy stored bars widened or as written, or rows were rejected. */
const importRunDetailsSchema = z.object({
  file: z.string(),
  symbol: z.string(),
  timeframe: timeframeSchema,
  badOhlc: badOhlcPolicySchema,
  /** All of them; `repairs` holds the first MAX_RECORDED_REPAIRS. */
  repaired: z.number().int(),
  repairs: z.array(recordedRepairSchema),
  /** All rejected rows; `rejections` holds the first MAX_RECORDED_REPAIRS of those with a time. Runs before these were recorded have neither. */
  rejected: z.number().int().default(0),
  rejections: z.array(recordedRejectionSchema).default([]),
});
export type ImportRunDetails = z.output<typeof importRunDetailsSchema>;

export interface RecordedImport {
  runId: string;
  details: ImportRunDetails;
}

/**
 * The recent import runs into `symbol` that recorded details, newest first. Read once per
 * report: each run's details may hold thousands of rows.
 */
export async function recordedImports(storage: Pick<Storage, 'jobRuns'>, symbol: string): Promise<RecordedImport[]> {
  const imports: RecordedImport[] = [];
  for (const run of await storage.jobRuns.list({ kind: 'import', limit: RECENT_IMPORT_RUNS })) {
    const parsed = importRunDetailsSchema.safeParse((await storage.jobRuns.get(run.id))?.details);
    if (parsed.success && parsed.data.symbol === symbol) imports.push({ runId: run.id, details: parsed.data });
  }
  return imports;
}

/**
 * The stored bars that recent imports widened or kept as written, within the buckets of
 * `timeframe` that `spans` says were built from the import's timeframe. Of bars repaired by
 * several imports, the newest import's record is given.
 */
export function findRepairedBars(imports: readonly RecordedImport[], timeframe: Timeframe, spans: readonly BarSpan[]): RepairedBar[] {
  const repaired: RepairedBar[] = [];
  const seen = new Set<string>();
  for (const { runId, details } of imports) {
    const { timeframe: stored, badOhlc: policy, repairs } = details;
    if (policy === 'reject') continue;
    const covering = spans.filter((span) => span.timeframe === stored);
    for (const { time, change } of repairs) {
      const bucket = bucketStart(time, timeframe);
      const key = `${stored}:${time}`;
      if (seen.has(key) || !covering.some((span) => span.from <= bucket && bucket <= span.to)) continue;
      seen.add(key);
      repaired.push({ time, timeframe: stored, policy, change, runId });
    }
  }
  return repaired.sort((a, b) => a.time - b.time);
}

/**
 * The rows recent imports rejected whose bucket of `timeframe` is still missing, by
 * `isMissing`: the holes an import made rather than the source. A row later stored by another
 * import fills its bucket and drops out. Of rows rejected by several imports, the newest
 * import's record is given.
 */
export function findRejectedRows(
  imports: readonly RecordedImport[],
  timeframe: Timeframe,
  isMissing: (bucket: number) => boolean,
): RejectedRow[] {
  const rejected: RejectedRow[] = [];
  const seen = new Set<string>();
  for (const { runId, details } of imports) {
    const { timeframe: stored, file, rejections } = details;
    if (!canAggregate(stored, timeframe)) continue;
    for (const { time, line, reason, badOhlc } of rejections) {
      const key = `${stored}:${time}`;
      if (seen.has(key) || !isMissing(bucketStart(time, timeframe))) continue;
      seen.add(key);
      rejected.push({ time, timeframe: stored, line, reason, badOhlc, file, runId });
    }
  }
  return rejected.sort((a, b) => a.time - b.time);
}
