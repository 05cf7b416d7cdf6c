import type { Bar } from '../../../shared/domain';

/** One Heikin-Ashi candle: the time of its bar, prices averaged from it and the candle before. */
export type HeikinAshiCandle = Pick<Bar, 'time' | 'open' | 'high' | 'low' | 'close'>;

/**
 * Heikin-Ashi candles of `bars` (ascending): close = (O + H + L + C) / 4, open = the midpoint of
 * the previous candle's open and close (the bar's own (O + C) / 2 for the first), high and low
 * the bar's extremes widened to take in that open and close. `previous` is the candle before
 * bars[0] when the series continues (live bars), so a tail computed alone matches the whole.
 */
export function heikinAshi(bars: readonly Bar[], previous?: HeikinAshiCandle): HeikinAshiCandle[] {
  const candles: HeikinAshiCandle[] = [];
  let before = previous;
  for (const bar of bars) {
    const close = (bar.open + bar.high + bar.low + bar.close) / 4;
    const open = before === undefined ? (bar.open + bar.close) / 2 : (before.open + before.close) / 2;
    const candle = { time: bar.time, open, high: Math.max(bar.high, open, close), low: Math.min(bar.low, open, close), close };
    candles.push(candle);
    before = candle;
  }
  return candles;
}
