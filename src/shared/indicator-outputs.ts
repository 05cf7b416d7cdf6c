/**
 * What indicators return, without zod (the specs' schemas are in indicators.ts): the chart on
 * the first screen draws these series, and zod would add about 90 KB to its first load.
 */
import type { IndicatorKind } from './indicators';

/** The most indicators one call may ask for: a chart shows a handful, not dozens. */
export const MAX_INDICATORS_PER_QUERY = 12;

/** The names of the series each kind returns, in display order. */
export const indicatorOutputNames = {
  sma: ['value'],
  ema: ['value'],
  wma: ['value'],
  rsi: ['value'],
  atr: ['value'],
  bbands: ['upper', 'middle', 'lower'],
  macd: ['macd', 'signal', 'histogram'],
  stoch: ['k', 'd'],
  vwap: ['value'],
  /** Annualised, as a fraction: 0.2 is 20 % a year. */
  volatility: ['value'],
} as const satisfies Record<IndicatorKind, readonly string[]>;
export type IndicatorOutputName<K extends IndicatorKind> = (typeof indicatorOutputNames)[K][number];
