import { z } from 'zod';
import { epochMsSchema, symbolSchema } from './domain';
import { timeInputSchema } from './models';
import { timeframeSchema } from './timeframe-schema';

/** The feature sets this version of Metalytics computes; models record the one they were trained on. */
export const featureSetVersions = ['v1'] as const;
export const featureSetVersionSchema = z.enum(featureSetVersions);

/** One stored row: the features of the bar that opened at `time`, computed from that bar and earlier ones only. */
export const featureRowSchema = z.object({
  time: epochMsSchema,
  features: z.record(z.string(), z.number().nullable()),
  computedAt: epochMsSchema,
});
export type FeatureRowOutput = z.infer<typeof featureRowSchema>;

/** The RPC methods of feature sets, merged into the contract's `methods`. */
export const featureMethods = {
  /**
   * Computes a feature set over the stored bars of a range (as `models.train` loads them) as a
   * `features` job and stores its complete rows in `feature_store`, replacing every row the set
   * held for that symbol and timeframe. Answers when done.
   */
  'features.materialize': {
    input: z
      .object({
        symbol: symbolSchema,
        timeframe: timeframeSchema,
        from: timeInputSchema.optional(),
        to: timeInputSchema.optional(),
        featureSetVersion: featureSetVersionSchema.default(featureSetVersions[0]),
      })
      .strict(),
    output: z.object({
      symbol: z.string(),
      timeframe: timeframeSchema,
      featureSetVersion: z.string(),
      columns: z.array(z.string()),
      /** Rows stored: the range's bars past the set's warm-up. */
      rows: z.number().int(),
      /** Open times of the first and last row stored. */
      from: epochMsSchema,
      to: epochMsSchema,
      runId: z.string(),
    }),
  },
  'features.query': {
    input: z
      .object({
        symbol: symbolSchema,
        timeframe: timeframeSchema,
        featureSetVersion: featureSetVersionSchema.default(featureSetVersions[0]),
        from: timeInputSchema.optional(),
        to: timeInputSchema.optional(),
        limit: z.number().int().min(1).max(10_000).default(1_000),
      })
      .strict(),
    output: z.object({ featureSetVersion: z.string(), rows: z.array(featureRowSchema) }),
  },
} as const;
