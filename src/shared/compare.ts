import { z } from 'zod';
import { MAX_COMPARE_SYMBOLS } from './compare-view';
import { epochMsSchema, symbolSchema, timeRangeFields } from './domain';
import { timeframeSchema } from './timeframe-schema';

/**
 * `compare.query`: several instruments on common bar times, normalised to 100 at a base
 * time, with an optional price ratio and rolling correlation between two of them.
 *
 * Points are the **intersection** of the requested symbols' bucket times: a time appears only
 * when every symbol has a bar there, so each normalised value, ratio and return compares
 * closes of the same bucket. A union would pair gold's Friday close with bitcoin's Sunday
 * close, or forward-fill a stale price into a ratio.
 */

export const MIN_COMPARE_SYMBOLS = 2;
/** Most common times one reply carries: enough for 20 years of days or two of hours. */
export const MAX_COMPARE_POINTS = 20_000;

/** Returns per correlation window; a correlation of fewer than two pairs is undefined. */
const windowSchema = z.number().int().min(2).max(MAX_COMPARE_POINTS);

/** Refinements that need the whole request; `from` ≤ `to` is checked in the contract with the other ranges. */
export const compareQueryInputSchema = z
  .object({
    symbols: z.array(symbolSchema).min(MIN_COMPARE_SYMBOLS).max(MAX_COMPARE_SYMBOLS),
    timeframe: timeframeSchema,
    ...timeRangeFields,
    /** The most recent N common times of the range. */
    limit: z.number().int().min(1).max(MAX_COMPARE_POINTS).default(MAX_COMPARE_POINTS),
    /** Series equal 100 at the first common time at or after this; the first time of the reply when absent. */
    baseTime: epochMsSchema.optional(),
    ratio: z.object({ numerator: symbolSchema, denominator: symbolSchema }).strict().optional(),
    correlation: z.object({ a: symbolSchema, b: symbolSchema, window: windowSchema }).strict().optional(),
  })
  .strict()
  .superRefine((query, issues) => {
    const seen = new Set<string>();
    query.symbols.forEach((symbol, index) => {
      if (seen.has(symbol)) issues.addIssue({ code: 'custom', message: `${symbol} is listed twice`, path: ['symbols', index] });
      seen.add(symbol);
    });
    const requireListed = (symbol: string, path: (string | number)[]) => {
      if (!seen.has(symbol)) issues.addIssue({ code: 'custom', message: `${symbol} is not one of the compared symbols`, path });
    };
    if (query.ratio) {
      requireListed(query.ratio.numerator, ['ratio', 'numerator']);
      requireListed(query.ratio.denominator, ['ratio', 'denominator']);
      if (query.ratio.numerator === query.ratio.denominator) {
        issues.addIssue({ code: 'custom', message: 'a ratio needs two different symbols', path: ['ratio', 'denominator'] });
      }
    }
    if (query.correlation) {
      requireListed(query.correlation.a, ['correlation', 'a']);
      requireListed(query.correlation.b, ['correlation', 'b']);
      if (query.correlation.a === query.correlation.b) {
        issues.addIssue({ code: 'custom', message: 'a correlation needs two different symbols', path: ['correlation', 'b'] });
      }
    }
  });

/** One value per common time; null where the value is undefined (see each field). */
const valuesSchema = z.array(z.number().nullable());

export const compareQueryOutputSchema = z.object({
  /** Common bar open times (UTC epoch ms), ascending. */
  times: z.array(epochMsSchema),
  /** The time every normalised series equals 100; null when no common time is at or after `baseTime`. */
  baseTime: epochMsSchema.nullable(),
  /** True when older common times in the range were left out to respect `limit`. */
  truncated: z.boolean(),
  series: z.array(
    z.object({
      symbol: z.string(),
      /**
       * Bars of this symbol read before keeping only the common times: all it has in the range,
       * or the most recent ones when that was enough. Zero means it has none there.
       */
      bars: z.number().int(),
      /** Closes at the common times: never null, since every symbol has a bar at every common time. */
      close: valuesSchema,
      /** 100 × close / close at `baseTime`; all null when there is no base time. */
      normalised: valuesSchema,
    }),
  ),
  /** close(numerator) / close(denominator) at each common time. */
  ratio: z.object({ numerator: z.string(), denominator: z.string(), values: valuesSchema }).optional(),
  correlation: z
    .object({
      a: z.string(),
      b: z.string(),
      window: windowSchema,
      /** Pearson correlation of log returns over the last `window` returns; null during warm-up or when a window is flat. */
      values: valuesSchema,
    })
    .optional(),
});
export type CompareQueryOutput = z.infer<typeof compareQueryOutputSchema>;
