import { z } from 'zod';
import { epochMsSchema, providerIdSchema, runIdFields } from './domain';
import { errorCodes } from './errors';
import { timeframeSchema } from './timeframe-schema';

export const backfillStatuses = ['running', 'done', 'failed', 'cancelled'] as const;
export const backfillStatusSchema = z.enum(backfillStatuses);
export type BackfillStatus = z.infer<typeof backfillStatusSchema>;
/**
 * What the Data screen shows: a stored status, or `interrupted` for a checkpoint left
 * `running` by a process that stopped (a crash, a killed CLI) — resumable like a failed one.
 */
export const backfillListStatusSchema = z.enum([...backfillStatuses, 'interrupted']);
export type BackfillListStatus = z.infer<typeof backfillListStatusSchema>;

/**
 * Where one backfill of one provider/symbol/timeframe/range stands, committed with each
 * chunk of bars it covers so a crash resumes at `resumeFrom` without gaps or duplicates.
 */
export const backfillCheckpointSchema = z.object({
  /** Derived from provider, symbol, timeframe and range, so the same request finds it again. */
  id: z.string(),
  provider: providerIdSchema,
  symbol: z.string(),
  timeframe: timeframeSchema,
  rangeFrom: epochMsSchema,
  /** Exclusive. */
  rangeTo: epochMsSchema,
  /** Open time of the next bar to fetch; equals `rangeTo` when the range is complete. */
  resumeFrom: epochMsSchema,
  rowsWritten: z.number().int(),
  status: backfillStatusSchema,
  /** The job run that last worked on it. */
  jobRunId: z.string().nullable(),
  updatedAt: epochMsSchema,
});
export type BackfillCheckpoint = z.infer<typeof backfillCheckpointSchema>;

/** What the latest run of a checkpoint did in this process (counts are not stored). */
export const backfillRunSummarySchema = z.object({
  ...runIdFields,
  status: backfillStatusSchema,
  /** Where this run started fetching: the range start, the checkpoint it resumed, or the start of the provider's history. */
  startedFrom: epochMsSchema,
  resumed: z.boolean(),
  chunks: z.number().int(),
  pages: z.number().int(),
  received: z.number().int(),
  inserted: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  /** Bars that failed validation (reported, never stored). */
  rejected: z.number().int(),
  /** The first rejected bars' reasons. */
  rejections: z.array(z.string()),
  error: z.string().nullable(),
  /** The error's code, so the CLI can choose its exit code. */
  errorCode: z.enum(errorCodes).nullable(),
  /**
   * Where the key's plan starts this timeframe's history, when the run started there instead
   * of at the range asked for: learned from the provider's refusals (`probed`, with the
   * requests it took), remembered from an earlier run, or stated in Settings. Null when the
   * plan set no limit; absent from summaries recorded before plans were learned.
   */
  plan: z
    .object({
      historyStart: epochMsSchema,
      source: z.enum(['probed', 'remembered', 'settings']),
      probes: z.number().int(),
    })
    .nullable()
    .default(null),
});
export type BackfillRunSummary = z.infer<typeof backfillRunSummarySchema>;

/**
 * "your plan starts at 2023-02-21 (learned from the provider's answers in 14 requests)":
 * where the key's plan starts a backfill's history, as the CLI and the Data screen say it.
 */
export function describePlanStart(plan: NonNullable<BackfillRunSummary['plan']>): string {
  const date = new Date(plan.historyStart).toISOString().slice(0, 10);
  const how =
    plan.source === 'settings'
      ? 'as stated in Settings'
      : plan.source === 'remembered'
        ? 'learned from the provider earlier'
        : `learned from the provider's answers in ${plan.probes} request${plan.probes === 1 ? '' : 's'}`;
  return `your plan starts at ${date} (${how})`;
}
