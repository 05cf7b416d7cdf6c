import type { Bar } from '../../shared/domain';
import { DEFAULT_OUTLIER_Z, type InvalidBar, type QualityOutlier } from '../../shared/quality';

/** Makes the MAD a consistent estimator of the standard deviation for normally distributed returns. */
const MAD_TO_SIGMA = 1.4826;

function median(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Close-to-close log returns whose robust z-score (median and MAD instead of mean and standard
 * deviation, so the spikes being hunted do not widen the yardstick) exceeds `threshold`, with
 * one scale for the whole range. The default of 8 sits far beyond what normal returns produce
 * (|z| > 8 has odds of about 1e-15) because real returns have fat tails, while a mistyped price
 * scores in the dozens; hourly crypto is still flagged often (about 1 % of BTCUSDT's hours in
 * 2018–2022, mostly real moves). A return spanning a gap compares the closes either side of it,
 * so the first bar after a hole is often flagged: a hint to repair the hole. When more than half
 * the returns are zero the MAD is zero and no scale exists: nothing is flagged. Bars with a
 * non-positive or non-finite close have no log return and are reported by `findInvalidBars` instead.
 */
export function findOutliers(bars: readonly Bar[], threshold = DEFAULT_OUTLIER_Z): QualityOutlier[] {
  const returns: { bar: Bar; logReturn: number }[] = [];
  for (let i = 1; i < bars.length; i++) {
    const previous = bars[i - 1]!.close;
    const bar = bars[i]!;
    const logReturn = Math.log(bar.close / previous);
    if (previous > 0 && bar.close > 0 && Number.isFinite(logReturn)) returns.push({ bar, logReturn });
  }
  if (returns.length < 3) return [];
  const center = median(returns.map((r) => r.logReturn).sort((a, b) => a - b));
  const mad = median(returns.map((r) => Math.abs(r.logReturn - center)).sort((a, b) => a - b));
  if (mad === 0) return [];
  const scale = MAD_TO_SIGMA * mad;
  return returns
    .map(({ bar, logReturn }) => ({ time: bar.time, close: bar.close, logReturn, zScore: (logReturn - center) / scale }))
    .filter((outlier) => Math.abs(outlier.zScore) > threshold);
}

/** The OHLC rules the importer enforces before insert, checked again on what is stored (other writers, older data). */
export function findInvalidBars(bars: readonly Bar[]): InvalidBar[] {
  const invalid: InvalidBar[] = [];
  let previousTime = -Infinity;
  for (const bar of bars) {
    const reasons: string[] = [];
    const prices = [bar.open, bar.high, bar.low, bar.close];
    if (!prices.every(Number.isFinite)) reasons.push('a price is not a finite number');
    else if (prices.some((p) => p <= 0)) reasons.push('a price is not positive');
    if (bar.high < Math.max(bar.open, bar.close)) reasons.push('high is below max(open, close)');
    if (bar.low > Math.min(bar.open, bar.close)) reasons.push('low is above min(open, close)');
    if (bar.high < bar.low) reasons.push('high is below low');
    if (!(bar.volume >= 0)) reasons.push('volume is negative or not a number');
    if (bar.time <= previousTime) reasons.push('time does not increase');
    previousTime = bar.time;
    if (reasons.length > 0) invalid.push({ time: bar.time, reason: reasons.join('; ') });
  }
  return invalid;
}
