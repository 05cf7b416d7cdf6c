import { z } from 'zod';

/**
 * Technical indicators the core computes over bars (`indicators.query`), following
 * TA-Lib's conventions because that is what traders compare against. Every output is an
 * array aligned to the returned bars, `null` where there is not enough history.
 *
 * - sma, wma (weights 1…n), ema (k = 2/(n+1), seeded with the SMA of its first n values).
 * - rsi: Wilder smoothing, first value at bar n; 100 with only gains, 0 when prices did not
 *   move at all (TA-Lib's convention).
 * - atr: Wilder; the first ATR is the mean true range of bars 1…n (TA-Lib), at bar n.
 * - bbands: SMA ± stddev × population standard deviation.
 * - macd: EMA(fast) − EMA(slow) of the close, the fast EMA seeded where the slow one starts
 *   (TA-Lib); signal = EMA(signal) of that line; histogram = macd − signal. The MACD line
 *   is shown from bar slow − 1, signal and histogram once the signal is seeded.
 * - stoch: TA-Lib STOCH with SMA smoothing: raw %K over `k` bars, %K = SMA(`smooth`) of it,
 *   %D = SMA(`d`) of %K; a window with no range gives 0. Each line starts where it is defined.
 * - vwap: typical price weighted by volume, restarted at the start of each anchor period (UTC):
 *   `anchor` day, week, month, quarter or year; by default the day on intraday timeframes,
 *   the month on 1d, the year on 1w and 1M. Values therefore never depend on how much older
 *   history a chart has loaded. Null on bars without volume.
 * - volatility: sample standard deviation of `period` log returns, annualised (crypto 365
 *   days, other kinds 252; intraday by bars per session).
 *
 * Exponential indicators (ema, rsi, atr, macd) depend on where their history starts; the
 * core reads enough older bars that their seed keeps less than 10⁻⁹ of its weight at the
 * first returned bar (294 extra bars for RSI 14, 396 for MACD 12/26/9), so a chart of the
 * latest bars has values from its first bar on, equal to those over all history.
 */

const MAX_PERIOD = 1000;
const period = (min = 1) => z.number().int().min(min).max(MAX_PERIOD);
/** One value per returned bar; null during warm-up or where the indicator is undefined. */
const seriesSchema = z.array(z.number().nullable());

const periodParams = z.object({ period: period() }).strict();

const smaSpec = z.object({ kind: z.literal('sma'), params: periodParams }).strict();
const emaSpec = z.object({ kind: z.literal('ema'), params: periodParams }).strict();
const wmaSpec = z.object({ kind: z.literal('wma'), params: periodParams }).strict();
/** TA-Lib's bounds where a period of 1 is degenerate: RSI, Bollinger and MACD need 2. */
const rsiSpec = z.object({ kind: z.literal('rsi'), params: z.object({ period: period(2) }).strict() }).strict();
const atrSpec = z.object({ kind: z.literal('atr'), params: periodParams }).strict();
const bbandsSpec = z
  .object({
    kind: z.literal('bbands'),
    params: z
      .object({
        period: period(2),
        /** Width of each band in population standard deviations of the close. */
        stddev: z.number().positive().max(10),
      })
      .strict(),
  })
  .strict();
const macdSpec = z
  .object({
    kind: z.literal('macd'),
    params: z
      .object({ fast: period(2), slow: period(3), signal: period() })
      .strict()
      .refine((p) => p.fast < p.slow, { message: 'the fast period must be shorter than the slow period', path: ['fast'] }),
  })
  .strict();
const stochSpec = z
  .object({
    kind: z.literal('stoch'),
    /** `k`: look-back of the raw %K; `smooth`: SMA that turns it into slow %K; `d`: SMA of slow %K. */
    params: z.object({ k: period(), d: period(), smooth: period() }).strict(),
  })
  .strict();
export const vwapAnchors = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type VwapAnchor = (typeof vwapAnchors)[number];
const vwapSpec = z
  .object({ kind: z.literal('vwap'), params: z.object({ anchor: z.enum(vwapAnchors).optional() }).strict().default({}) })
  .strict();
/** A sample standard deviation needs two returns at least. */
const volatilitySpec = z.object({ kind: z.literal('volatility'), params: z.object({ period: period(2) }).strict() }).strict();

export const indicatorSpecSchema = z.discriminatedUnion('kind', [
  smaSpec,
  emaSpec,
  wmaSpec,
  rsiSpec,
  atrSpec,
  bbandsSpec,
  macdSpec,
  stochSpec,
  vwapSpec,
  volatilitySpec,
]);
export type IndicatorSpec = z.infer<typeof indicatorSpecSchema>;
export type IndicatorKind = IndicatorSpec['kind'];

const valueOutputs = z.object({ value: seriesSchema });

export const indicatorResultSchema = z.discriminatedUnion('kind', [
  smaSpec.extend({ outputs: valueOutputs }),
  emaSpec.extend({ outputs: valueOutputs }),
  wmaSpec.extend({ outputs: valueOutputs }),
  rsiSpec.extend({ outputs: valueOutputs }),
  atrSpec.extend({ outputs: valueOutputs }),
  bbandsSpec.extend({ outputs: z.object({ upper: seriesSchema, middle: seriesSchema, lower: seriesSchema }) }),
  macdSpec.extend({ outputs: z.object({ macd: seriesSchema, signal: seriesSchema, histogram: seriesSchema }) }),
  stochSpec.extend({ outputs: z.object({ k: seriesSchema, d: seriesSchema }) }),
  vwapSpec.extend({ outputs: valueOutputs }),
  volatilitySpec.extend({ outputs: valueOutputs }),
]);
export type IndicatorResult = z.infer<typeof indicatorResultSchema>;
