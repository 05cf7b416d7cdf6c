import { z } from 'zod';
import { epochMsSchema, providerIdSchema } from './domain';
import { timeframeSchema } from './timeframes';

export const backfillStatuses = ['running', 'done', 'failed', 'cancelled'] as const;
export const backfillStatusSchema = z.enum(backfillStatuses);
export type BackfillStatus = z.infer<typeof backfillStatusSchema>;

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
