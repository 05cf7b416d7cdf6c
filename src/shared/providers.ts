import { z } from 'zod';
import { epochMsSchema, instrumentKinds, providerIdSchema, symbolSchema } from './domain';
import { errorCodes } from './errors';
import { timeframeSchema } from './timeframe-schema';

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
  /** How far back each served timeframe reaches, in days; null = the provider's whole history (a plan may still start later). */
  historyDepthDays: z.partialRecord(timeframeSchema, z.number().nullable()),
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

export const instrumentSearchInputSchema = z
  .object({
    /** A ticker or a name, as the user types it. */
    query: z.string().trim().min(1).max(64),
    /** Ask only this provider; absent = every provider that has a symbol lookup. */
    provider: providerIdSchema.optional(),
  })
  .strict();

/** One listing a provider's lookup found, already in our terms, ready to fill an instruments.create form. */
export const instrumentCandidateSchema = z.object({
  provider: providerIdSchema,
  /** The provider's ticker, as its bars endpoint wants it (GC=F, X:BTCUSD, XAU/USD). */
  ticker: z.string(),
  name: z.string(),
  /** The provider's own type read as one of ours; null when it names something we do not chart (an option, a mutual fund). */
  kind: z.enum(instrumentKinds).nullable(),
  exchange: z.string().nullable(),
  currency: z.string().nullable(),
});
export type InstrumentCandidate = z.infer<typeof instrumentCandidateSchema>;

/** How one provider's part of a lookup went: a failure of one never fails the others. */
export const instrumentSearchOutcomeSchema = z.object({
  provider: providerIdSchema,
  ok: z.boolean(),
  /** How many candidates it gave. */
  found: z.number().int(),
  errorCode: z.enum(errorCodes).nullable(),
  /** Why it failed, in a sentence a trader reads; null when it answered. */
  message: z.string().nullable(),
  retryAfterMs: z.number().nullable(),
});
export type InstrumentSearchOutcome = z.infer<typeof instrumentSearchOutcomeSchema>;
