/**
 * The maths of the Compare screen over bars already aligned in time: common times,
 * normalisation to 100, price ratios and rolling correlation of log returns. Pure
 * functions over arrays, one pass each, so 20,000 points cost milliseconds.
 */

export interface CloseAt {
  readonly time: number;
  readonly close: number;
}

export interface AlignedCloses {
  /** Times at which every series has a close, ascending. */
  readonly times: number[];
  /** One array per input series, `closes[s][i]` at `times[i]`. */
  readonly closes: number[][];
}

/**
 * Keeps only the times present in every series (each ascending, no repeats, as bar queries
 * return them): one merge pass with a cursor per series.
 */
export function alignOnCommonTimes(series: ReadonlyArray<readonly CloseAt[]>): AlignedCloses {
  const times: number[] = [];
  const closes: number[][] = series.map(() => []);
  const [first, ...others] = series;
  if (!first) return { times, closes };
  const cursors = others.map(() => 0);
  for (const bar of first) {
    let everywhere = true;
    for (let s = 0; s < others.length; s++) {
      const bars = others[s]!;
      let cursor = cursors[s]!;
      while (cursor < bars.length && bars[cursor]!.time < bar.time) cursor++;
      cursors[s] = cursor;
      if (cursor === bars.length) return { times, closes };
      if (bars[cursor]!.time !== bar.time) everywhere = false;
    }
    if (!everywhere) continue;
    times.push(bar.time);
    closes[0]!.push(bar.close);
    for (let s = 0; s < others.length; s++) closes[s + 1]!.push(others[s]![cursors[s]!]!.close);
  }
  return { times, closes };
}

/** Index of the first time at or after `baseTime` (the first time when absent), or -1 when there is none. */
export function baseIndexAtOrAfter(times: readonly number[], baseTime?: number): number {
  if (baseTime === undefined) return times.length > 0 ? 0 : -1;
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (times[middle]! < baseTime) low = middle + 1;
    else high = middle;
  }
  return low < times.length ? low : -1;
}

/** A zero or missing divisor gives no number rather than Infinity or NaN, which JSON cannot carry. */
function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** 100 × close / close at `baseIndex`; all null when there is no base (-1). */
export function normalise(closes: readonly number[], baseIndex: number): (number | null)[] {
  const base = closes[baseIndex];
  if (base === undefined) return closes.map(() => null);
  return closes.map((close) => finiteOrNull((100 * close) / base));
}

/** close(numerator) / close(denominator) at each aligned time. */
export function priceRatio(numerator: readonly number[], denominator: readonly number[]): (number | null)[] {
  return numerator.map((close, i) => finiteOrNull(close / denominator[i]!));
}

/**
 * A window is recomputed exactly once its variance has fallen below this share of the largest
 * since the last exact pass: removing large returns leaves small ones whose variance is then
 * the difference of large numbers, and would keep only the digits that survive cancellation.
 */
const CANCELLATION_SHARE = 0.01;

/**
 * Mean and co-moments of the (x, y) pairs in a sliding window, updated in O(1) per pair with
 * Welford's recurrences: sums of deviations from a running mean, never the cancellation-prone
 * Σx² − (Σx)²/n.
 */
class WindowMoments {
  private count = 0;
  private meanX = 0;
  private meanY = 0;
  /** Σ(x − meanX)², Σ(y − meanY)², Σ(x − meanX)(y − meanY). */
  private sxx = 0;
  private syy = 0;
  private sxy = 0;
  /** Largest sxx and syy since the last exact pass. */
  private peakXX = 0;
  private peakYY = 0;

  add(x: number, y: number): void {
    this.count++;
    const dx = x - this.meanX;
    this.meanX += dx / this.count;
    const dy = y - this.meanY;
    this.meanY += dy / this.count;
    this.sxx += dx * (x - this.meanX);
    this.syy += dy * (y - this.meanY);
    this.sxy += dx * (y - this.meanY);
    this.notePeaks();
  }

  /** The exact inverse of `add` for a pair that is in the window. */
  remove(x: number, y: number): void {
    this.count--;
    const dx = x - this.meanX;
    this.meanX -= dx / this.count;
    const dy = y - this.meanY;
    this.meanY -= dy / this.count;
    this.sxx -= dx * (x - this.meanX);
    this.syy -= dy * (y - this.meanY);
    this.sxy -= dx * (y - this.meanY);
  }

  /** Two-pass moments of xs[from..to) and ys[from..to), discarding whatever rounding the updates gathered. */
  recompute(xs: readonly number[], ys: readonly number[], from: number, to: number): void {
    this.count = to - from;
    let sumX = 0;
    let sumY = 0;
    for (let i = from; i < to; i++) {
      sumX += xs[i]!;
      sumY += ys[i]!;
    }
    this.meanX = sumX / this.count;
    this.meanY = sumY / this.count;
    this.sxx = 0;
    this.syy = 0;
    this.sxy = 0;
    for (let i = from; i < to; i++) {
      const dx = xs[i]! - this.meanX;
      const dy = ys[i]! - this.meanY;
      this.sxx += dx * dx;
      this.syy += dy * dy;
      this.sxy += dx * dy;
    }
    this.peakXX = this.sxx;
    this.peakYY = this.syy;
  }

  /** True when the updates have cancelled away enough digits that an exact pass is due. */
  lostPrecision(): boolean {
    return this.sxx < this.peakXX * CANCELLATION_SHARE || this.syy < this.peakYY * CANCELLATION_SHARE;
  }

  /** Pearson's r, or null when either side has no variance. */
  correlation(): number | null {
    if (!(this.sxx > 0 && this.syy > 0)) return null;
    return Math.max(-1, Math.min(1, this.sxy / Math.sqrt(this.sxx * this.syy)));
  }

  private notePeaks(): void {
    this.peakXX = Math.max(this.peakXX, this.sxx);
    this.peakYY = Math.max(this.peakYY, this.syy);
  }
}

/** ln(close / previous close) between consecutive aligned times; one shorter than `closes`. */
function logReturns(closes: readonly number[]): number[] {
  const returns = new Array<number>(Math.max(0, closes.length - 1));
  for (let i = 1; i < closes.length; i++) returns[i - 1] = Math.log(closes[i]! / closes[i - 1]!);
  return returns;
}

/**
 * Rolling Pearson correlation of log returns, aligned to the closes: the value at i uses
 * the `window` returns ending with the one from i − 1 to i, so the first `window` values are
 * null (warm-up). Returns, not prices: two unrelated trending prices correlate strongly
 * just by trending, while returns measure whether the instruments move together.
 * Closes must be positive, as stored bars are.
 *
 * The window slides with O(1) updates and is recomputed exactly every `window` steps, so
 * rounding never builds up over more than one window and the whole pass stays O(n); it is
 * also recomputed when its variance collapses (a volatile stretch leaving the window), where
 * sliding updates would cancel away the digits that matter. A window whose returns are all
 * equal (a price frozen for the whole window) has no variance: it is detected exactly by run
 * length, not by a tolerance, and gives null.
 */
export function rollingCorrelation(a: readonly number[], b: readonly number[], window: number): (number | null)[] {
  const values = new Array<number | null>(a.length).fill(null);
  const returnsA = logReturns(a);
  const returnsB = logReturns(b);
  const moments = new WindowMoments();
  let equalRunA = 0;
  let equalRunB = 0;
  for (let j = 0; j < returnsA.length; j++) {
    equalRunA = j > 0 && returnsA[j] === returnsA[j - 1] ? equalRunA + 1 : 1;
    equalRunB = j > 0 && returnsB[j] === returnsB[j - 1] ? equalRunB + 1 : 1;
    if (j >= window) moments.remove(returnsA[j - window]!, returnsB[j - window]!);
    moments.add(returnsA[j]!, returnsB[j]!);
    if (j + 1 >= window && ((j + 1) % window === 0 || moments.lostPrecision())) {
      moments.recompute(returnsA, returnsB, j + 1 - window, j + 1);
    }
    if (j + 1 >= window) values[j + 1] = equalRunA >= window || equalRunB >= window ? null : moments.correlation();
  }
  return values;
}
