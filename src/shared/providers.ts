import { z } from 'zod';
import { epochMsSchema, instrumentKinds, providerIdSchema, symbolSchema } from './domain';
import { errorCodes } from './errors';
import { timeframeSchema } from './timeframes';

/** What the Data screen shows of a provider; never the key itself. */
export const providerStatusSchema = z.object({
  id: providerIdSchema,
  name: z.string(),
  needsKey: z.boolean(),
  /** Where the key in use comes from: METALYTICS_<PROVIDER>_API_KEY wins over the one saved in Settings. */
  keySource: z.enum(['environment', 'secret-store']).nullable(),
  /** Last four characters of the key in use, so the user can tell keys apart. */
  last4: z.string().max(4).nullable(),
  baseUrl: z.string(),
  /** 0 = no limit of our own. */
  rateLimitPerMinute: z.number(),
  dailyCredits: z.number().int().nullable(),
  assetClasses: z.array(z.enum(instrumentKinds)),
  timeframes: z.array(timeframeSchema),
  supportsLatest: z.boolean(),
  supportsNews: z.boolean(),
  /** Why the provider cannot be used as configured (a malformed METALYTICS_* variable); null when it can. */
  configError: z.string().nullable(),
});
export type ProviderStatus = z.infer<typeof providerStatusSchema>;

export const providerTestInputSchema = z
  .object({
    provider: providerIdSchema,
    /** The instrument to ask about; absent = gold (XAUUSD, or GC=F at Yahoo), else the first the provider carries. */
    symbol: symbolSchema.optional(),
  })
  .strict();

/** A Test button's answer: one cheap real request; a failure is an answer, not an error. */
export const providerTestResultSchema = z.object({
  provider: providerIdSchema,
  ok: z.boolean(),
  latencyMs: z.number(),
  message: z.string(),
  errorCode: z.enum(errorCodes).nullable(),
  /** With RATE_LIMITED: how long until a request may go; the Test button can count down from it. */
  retryAfterMs: z.number().nullable(),
  sample: z.object({ symbol: z.string(), price: z.number(), time: epochMsSchema }).nullable(),
});
export type ProviderTestResult = z.infer<typeof providerTestResultSchema>;
