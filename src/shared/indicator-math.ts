/**
 * Indicator maths over price arrays, one pass each, following TA-Lib's conventions
 * (default "classic" compatibility) because that is what traders compare against: the
 * same seeds, warm-up lengths and smoothing, so results agree with TA-Lib to rounding.
 *
 * Every function returns Float64Arrays as long as its input, NaN where the indicator is
 * not defined yet (warm-up); the contract edge turns NaN into null. Inputs are finite,
 * positive prices and non-negative volumes, as storage guarantees.
 */

function warmUp(length: number): Float64Array {
  return new Float64Array(length).fill(NaN);
}

/**
 * Simple moving average of `values[first..]`; the first value is at `first + period - 1`.
 * `first` lets an average run over another indicator's output, which starts later.
 */
export function sma(values: Float64Array, period: number, first = 0): Float64Array {
  const out = warmUp(values.length);
  let sum = 0;
  for (let i = first; i < values.length; i++) {
    sum += values[i]!;
    if (i - first >= period) sum -= values[i - period]!;
    if (i - first >= period - 1) out[i] = sum / period;
  }
  return out;
}

/** Linearly weighted moving average, weights 1 (oldest) … period (newest). */
export function wma(values: Float64Array, period: number): Float64Array {
  const out = warmUp(values.length);
  const divider = (period * (period + 1)) / 2;
  let plainSum = 0;
  let weightedSum = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (i < period) {
      weightedSum += (i + 1) * value;
      plainSum += value;
    } else {
      // Every weight drops by one as the window slides, which removes the plain sum once.
      weightedSum += period * value - plainSum;
      plainSum += value - values[i - period]!;
    }
    if (i >= period - 1) out[i] = weightedSum / divider;
  }
  return out;
}

/**
 * Exponential moving average with k = 2 / (period + 1), seeded with the simple average of
 * the `period` values ending at `seedEnd` (TA-Lib's classic seed); the first value is at
 * `seedEnd`. MACD seeds its fast average late so that it starts with the slow one.
 */
export function ema(values: Float64Array, period: number, seedEnd = period - 1): Float64Array {
  const out = warmUp(values.length);
  if (seedEnd >= values.length) return out;
  const k = 2 / (period + 1);
  let sum = 0;
  for (let i = seedEnd - period + 1; i <= seedEnd; i++) sum += values[i]!;
  let average = sum / period;
  out[seedEnd] = average;
  for (let i = seedEnd + 1; i < values.length; i++) {
    average = (values[i]! - average) * k + average;
    out[i] = average;
  }
  return out;
}

/**
 * Wilder's RSI: the first average gain and loss are simple means of the first `period`
 * changes, so the first value is at index `period`; then avg = (avg·(period−1) + change) / period.
 * When prices did not move at all over the averages (gain + loss = 0) the value is 0, as
 * in TA-Lib; only gains give 100.
 */
export function rsi(close: Float64Array, period: number): Float64Array {
  const out = warmUp(close.length);
  if (close.length <= period) return out;
  let gain = 0;
  let loss = 0;
  for (let i = 1; i <= period; i++) {
    const change = close[i]! - close[i - 1]!;
    if (change < 0) loss -= change;
    else gain += change;
  }
  gain /= period;
  loss /= period;
  out[period] = gain + loss === 0 ? 0 : 100 * (gain / (gain + loss));
  for (let i = period + 1; i < close.length; i++) {
    const change = close[i]! - close[i - 1]!;
    gain *= period - 1;
    loss *= period - 1;
    if (change < 0) loss -= change;
    else gain += change;
    gain /= period;
    loss /= period;
    out[i] = gain + loss === 0 ? 0 : 100 * (gain / (gain + loss));
  }
  return out;
}

/**
 * Average true range as TA-Lib computes it: the true range needs the previous close, so
 * it exists from the second bar; the first ATR, at index `period`, is the mean of the true
 * ranges of bars 1…period, then Wilder smoothing. The first bar's high − low is not used.
 */
export function atr(high: Float64Array, low: Float64Array, close: Float64Array, period: number): Float64Array {
  const out = warmUp(close.length);
  if (close.length <= period) return out;
  const trueRange = (i: number) => {
    const previousClose = close[i - 1]!;
    return Math.max(high[i]! - low[i]!, Math.abs(previousClose - high[i]!), Math.abs(previousClose - low[i]!));
  };
  let sum = 0;
  for (let i = 1; i <= period; i++) sum += trueRange(i);
  let average = sum / period;
  out[period] = average;
  for (let i = period + 1; i < close.length; i++) {
    average *= period - 1;
    average += trueRange(i);
    average /= period;
    out[i] = average;
  }
  return out;
}

export interface BollingerBands {
  upper: Float64Array;
  middle: Float64Array;
  lower: Float64Array;
}

/** Rounding a sliding sum of squares may carry, relative to itself, before it is recomputed. */
const SQUARES_TOLERANCE = 1e-11;

interface RollingMoments {
  mean: Float64Array;
  /** Sum of squared deviations from the window's mean. */
  squares: Float64Array;
}

/**
 * Mean and sum of squared deviations of each trailing window of `period` values of
 * `values[first..]`, in O(1) per bar with Welford's sliding update (no large sums of
 * squares that cancel). The update's rounding is tracked, and when it could exceed
 * SQUARES_TOLERANCE of the window's own sum, as in a nearly flat window right after a
 * volatile one, the window is recomputed exactly in two passes: a tiny deviation comes
 * out as accurate as a large one, and a flat window gives exactly 0.
 */
function rollingMoments(values: Float64Array, period: number, first: number): RollingMoments {
  const mean = warmUp(values.length);
  const squares = warmUp(values.length);
  const epsilon = 4 * Number.EPSILON;
  let m = 0;
  let s = 0;
  let drift = 0;
  for (let i = first; i < values.length; i++) {
    const value = values[i]!;
    const count = i - first + 1;
    if (count <= period) {
      const delta = value - m;
      m += delta / count;
      s += delta * (value - m);
      drift += epsilon * (Math.abs(s) + Math.abs(delta) * (Math.abs(value - m) + Math.abs(m)));
    } else {
      const leaving = values[i - period]!;
      const previousMean = m;
      const delta = value - leaving;
      m += delta / period;
      s += delta * (value - m + leaving - previousMean);
      drift += epsilon * (Math.abs(s) + Math.abs(delta) * (Math.abs(value - m) + Math.abs(leaving - previousMean) + Math.abs(m)));
    }
    if (count < period) continue;
    if (drift > SQUARES_TOLERANCE * s) {
      let sum = 0;
      for (let j = i - period + 1; j <= i; j++) sum += values[j]!;
      m = sum / period;
      s = 0;
      for (let j = i - period + 1; j <= i; j++) s += (values[j]! - m) ** 2;
      drift = epsilon * period * s;
    }
    mean[i] = m;
    squares[i] = Math.max(s, 0);
  }
  return { mean, squares };
}

/** Bollinger bands: SMA ± `width` × population standard deviation over the same window. */
export function bollinger(close: Float64Array, period: number, width: number): BollingerBands {
  const upper = warmUp(close.length);
  const lower = warmUp(close.length);
  const { mean: middle, squares } = rollingMoments(close, period, 0);
  for (let i = period - 1; i < close.length; i++) {
    const deviation = Math.sqrt(squares[i]! / period);
    upper[i] = middle[i]! + width * deviation;
    lower[i] = middle[i]! - width * deviation;
  }
  return { upper, middle, lower };
}

export interface MacdLines {
  macd: Float64Array;
  signal: Float64Array;
  histogram: Float64Array;
}

/**
 * MACD as TA-Lib computes it: both EMAs start at index slow − 1, the fast one seeded with
 * the mean of the `fast` closes ending there (not the first `fast` closes); the signal is
 * an EMA of the MACD line seeded with its first `signal` values. TA-Lib withholds the MACD
 * line until the signal exists; here it is shown from slow − 1, with identical values.
 */
export function macd(close: Float64Array, fast: number, slow: number, signal: number): MacdLines {
  const start = slow - 1;
  const slowLine = ema(close, slow, start);
  const fastLine = ema(close, fast, start);
  const line = warmUp(close.length);
  for (let i = start; i < close.length; i++) line[i] = fastLine[i]! - slowLine[i]!;
  const signalLine = ema(line, signal, start + signal - 1);
  const histogram = warmUp(close.length);
  for (let i = start + signal - 1; i < close.length; i++) histogram[i] = line[i]! - signalLine[i]!;
  return { macd: line, signal: signalLine, histogram };
}

/**
 * Extreme (highest or lowest) of each trailing window of `period` values, via a monotonic deque
 * so the cost does not grow with the period.
 */
function slidingExtreme(values: Float64Array, period: number, isBetter: (a: number, b: number) => boolean): Float64Array {
  const out = warmUp(values.length);
  const deque = new Int32Array(values.length);
  let head = 0;
  let tail = 0;
  for (let i = 0; i < values.length; i++) {
    while (tail > head && !isBetter(values[deque[tail - 1]!]!, values[i]!)) tail--;
    deque[tail++] = i;
    if (deque[head]! <= i - period) head++;
    if (i >= period - 1) out[i] = values[deque[head]!]!;
  }
  return out;
}

export interface StochasticLines {
  k: Float64Array;
  d: Float64Array;
}

/**
 * Slow stochastic (TA-Lib STOCH with SMA smoothing): raw %K over `kPeriod` bars, %K = SMA
 * (`smooth`) of raw %K, %D = SMA(`dPeriod`) of %K. A window with no range gives 0, as in
 * TA-Lib. TA-Lib starts %K where %D starts; here each line starts where it is defined.
 */
export function stochastic(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  kPeriod: number,
  dPeriod: number,
  smooth: number,
): StochasticLines {
  const highest = slidingExtreme(high, kPeriod, (a, b) => a > b);
  const lowest = slidingExtreme(low, kPeriod, (a, b) => a < b);
  const rawK = warmUp(close.length);
  for (let i = kPeriod - 1; i < close.length; i++) {
    const range = highest[i]! - lowest[i]!;
    rawK[i] = range > 0 ? (close[i]! - lowest[i]!) / (range / 100) : 0;
  }
  const k = sma(rawK, smooth, kPeriod - 1);
  const d = sma(k, dPeriod, kPeriod + smooth - 2);
  return { k, d };
}

/**
 * Volume-weighted average of the typical price (high + low + close) / 3, cumulated from
 * the start of the input and restarted whenever `session(i)` changes. A bar
 * without volume (close-only data) has no VWAP of its own and gets NaN.
 */
export function vwap(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  volume: Float64Array,
  session: (index: number) => number,
): Float64Array {
  const out = warmUp(close.length);
  let priceVolume = 0;
  let totalVolume = 0;
  let currentSession = NaN;
  for (let i = 0; i < close.length; i++) {
    const id = session(i);
    if (id !== currentSession) {
      currentSession = id;
      priceVolume = 0;
      totalVolume = 0;
    }
    const barVolume = volume[i]!;
    priceVolume += ((high[i]! + low[i]! + close[i]!) / 3) * barVolume;
    totalVolume += barVolume;
    if (barVolume > 0) out[i] = priceVolume / totalVolume;
  }
  return out;
}

/**
 * Sample standard deviation of the last `period` log returns, times √`periodsPerYear`;
 * the first value is at index `period` (period returns need period + 1 closes).
 */
export function logReturnVolatility(close: Float64Array, period: number, periodsPerYear: number): Float64Array {
  const out = warmUp(close.length);
  const returns = new Float64Array(close.length);
  for (let i = 1; i < close.length; i++) returns[i] = Math.log(close[i]! / close[i - 1]!);
  const { squares } = rollingMoments(returns, period, 1);
  const scale = periodsPerYear / (period - 1);
  for (let i = period; i < close.length; i++) out[i] = Math.sqrt(squares[i]! * scale);
  return out;
}
