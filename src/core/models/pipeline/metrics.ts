/**
 * Scores on the price scale over test targets, always beside naive on exactly the same targets,
 * and the split-conformal intervals whose coverage they report.
 *
 * Diebold–Mariano follows R's `forecast::dm.test(e_model, e_naive, alternative = "less", h,
 * power = 2, varestimator = "bartlett")`: loss differential d = e_model² − e_naive², its
 * long-run variance by Newey–West (Bartlett weights 1 − k/h on the autocovariances of lags
 * 1…h−1, divisor n, which is never negative), the Harvey–Leybourne–Newbold small-sample factor
 * √((n + 1 − 2h + h(h − 1)/n) / n), and Student's t with n − 1 degrees of freedom. One-sided:
 * a small p-value is evidence that the model's squared error is below naive's.
 */
import jStat from 'jstat';
import type { ModelMetrics } from '../../../shared/models';
import { AppError } from '../../../shared/errors';

/** Forecasts of one model for a set of targets, all on the price scale. */
export interface PriceForecasts {
  /** The close `horizon` bars after the origin: what is predicted. */
  actual: ArrayLike<number>;
  /** The close at the forecast origin t: naive's forecast, and where a move is measured from. */
  origin: ArrayLike<number>;
  predicted: ArrayLike<number>;
  lower: ArrayLike<number> | null;
  upper: ArrayLike<number> | null;
}

export interface DieboldMariano {
  statistic: number;
  pValue: number;
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

function errors(forecasts: Pick<PriceForecasts, 'actual'>, predicted: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: forecasts.actual.length }, (_, i) => forecasts.actual[i]! - predicted[i]!);
}

export function meanAbsoluteError(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += Math.abs(actual[i]! - predicted[i]!);
  return sum / actual.length;
}

/** MASE's denominator: the in-sample one-step naive MAE, mean |close[i] − close[i−1]| for i in (fromBar, toBar]. */
export function inSampleNaiveMae(close: ArrayLike<number>, fromBar: number, toBar: number): number {
  let sum = 0;
  for (let i = fromBar + 1; i <= toBar; i++) sum += Math.abs(close[i]! - close[i - 1]!);
  return sum / (toBar - fromBar);
}

/**
 * One-sided Diebold–Mariano test (HLN-corrected, Newey–West lag h − 1) that the first error
 * series has the lower squared loss. Null when it cannot be computed: fewer than two pairs,
 * or a loss differential without variance (the two forecasts lose exactly alike).
 */
export function dieboldMariano(modelErrors: ArrayLike<number>, baselineErrors: ArrayLike<number>, horizon: number): DieboldMariano | null {
  const n = modelErrors.length;
  if (n < 2 || horizon >= n) return null;
  const d = Float64Array.from({ length: n }, (_, i) => modelErrors[i]! ** 2 - baselineErrors[i]! ** 2);
  const dMean = mean(d);
  const autocovariance = (lag: number) => {
    let sum = 0;
    for (let t = lag; t < n; t++) sum += (d[t]! - dMean) * (d[t - lag]! - dMean);
    return sum / n;
  };
  let longRunVariance = autocovariance(0);
  for (let lag = 1; lag < horizon; lag++) longRunVariance += 2 * (1 - lag / horizon) * autocovariance(lag);
  if (!(longRunVariance > 0)) return null;
  const dm = dMean / Math.sqrt(longRunVariance / n);
  const correction = Math.sqrt((n + 1 - 2 * horizon + (horizon * (horizon - 1)) / n) / n);
  const statistic = dm * correction;
  return { statistic, pValue: jStat.studentt.cdf(statistic, n - 1) };
}

function sign(value: number): number {
  return value > 0 ? 1 : value < 0 ? -1 : 0;
}

export interface ScoreContext {
  /** Naive's MAE on the same targets; rel_mae is 1 by definition when scoring naive itself. */
  naiveMae: number;
  /** In-sample one-step naive MAE of the training rows (inSampleNaiveMae). */
  maseScale: number;
  horizon: number;
  isNaive: boolean;
}

/** Every figure of ModelMetrics for one model's forecasts (see the shared contract for each). */
export function scoreForecasts(forecasts: PriceForecasts, context: ScoreContext): ModelMetrics {
  const n = forecasts.actual.length;
  if (n === 0) {
    return { mae: null, rmse: null, mape: null, directional_accuracy: null, rel_mae: null, mase: null, dm_pvalue: null, interval_coverage: null };
  }
  const modelErrors = errors(forecasts, forecasts.predicted);
  const mae = mean(modelErrors.map(Math.abs));
  const rmse = Math.sqrt(mean(modelErrors.map((e) => e * e)));
  let mape: number | null = 0;
  let rightDirection = 0;
  let covered = 0;
  for (let i = 0; i < n; i++) {
    const actual = forecasts.actual[i]!;
    const origin = forecasts.origin[i]!;
    if (mape !== null) mape = actual === 0 ? null : mape + Math.abs(modelErrors[i]! / actual);
    // A forecast of no move (naive's) calls no direction and so is never right about one.
    if (sign(forecasts.predicted[i]! - origin) === sign(actual - origin) && sign(actual - origin) !== 0) rightDirection++;
    if (forecasts.lower && forecasts.upper && forecasts.lower[i]! <= actual && actual <= forecasts.upper[i]!) covered++;
  }
  const dm = context.isNaive ? null : dieboldMariano(modelErrors, errors(forecasts, forecasts.origin), context.horizon);
  return {
    mae,
    rmse,
    mape: mape === null ? null : (100 * mape) / n,
    directional_accuracy: rightDirection / n,
    rel_mae: context.isNaive ? 1 : context.naiveMae > 0 ? mae / context.naiveMae : null,
    mase: context.maseScale > 0 ? mae / context.maseScale : null,
    dm_pvalue: dm === null ? null : dm.pValue,
    interval_coverage: forecasts.lower && forecasts.upper ? covered / n : null,
  };
}

/** ⌈x⌉ that ignores binary rounding above an integer: (9 + 1) · 0.9 is 9.000000000000002, and its rank is 9. */
const ceilOf = (x: number) => Math.ceil(x - 1e-9);

/**
 * Split-conformal half-width: the ⌈(n + 1)·level⌉-th smallest absolute held-out residual, the
 * finite-sample correction that makes the coverage at least `level` for exchangeable residuals.
 * Refuses too few residuals for the level rather than returning an unbounded interval.
 */
export function conformalQuantile(absoluteResiduals: ArrayLike<number>, level: number): number {
  const n = absoluteResiduals.length;
  const rank = ceilOf((n + 1) * level);
  if (rank > n) {
    throw new AppError('VALIDATION', `A ${level} interval needs at least ${ceilOf(level / (1 - level))} held-out residuals; there are ${n}`);
  }
  const sorted = Float64Array.from(absoluteResiduals).sort();
  return sorted[rank - 1]!;
}

/** Log-return forecast ± the conformal half-width, mapped to price from the origin close. */
export function priceInterval(origin: number, predictedLogReturn: number, halfWidth: number): { predicted: number; lower: number; upper: number } {
  return {
    predicted: origin * Math.exp(predictedLogReturn),
    lower: origin * Math.exp(predictedLogReturn - halfWidth),
    upper: origin * Math.exp(predictedLogReturn + halfWidth),
  };
}
