/**
 * Indicator maths over price arrays, one pass each, following TA-Lib's conventions.
 * Every function returns a Float64Array as long as its input with NaN where the
 * indicator is not yet defined (warm-up); callers turn NaN into null at the contract edge.
 */

/** Simple moving average; the first value is at index `period - 1`. */
export function sma(values: Float64Array, period: number): Float64Array {
  const out = new Float64Array(values.length).fill(NaN);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    if (i >= period) sum -= values[i - period]!;
    if (i >= period - 1) out[i] = sum / period;
  }
  return out;
}
