/**
 * The baselines every model is scored against, as log-return forecasts from the close at the
 * origin bar t (the pipeline maps them to price like any model's):
 * - `naive`: the close at t, a log return of 0 ("tomorrow = today");
 * - `seasonal_naive`: the close one season before the target, at t + h − m·⌈h/m⌉;
 * - `drift`: a random walk with drift, the close at t moved by h times the average log return
 *   per bar over the training rows (Hyndman's drift method on the log scale, so that a series
 *   that grew tenfold does not get a slope fitted to its early, cheap years).
 */
export type BaselineParams = { modelType: 'naive' } | { modelType: 'seasonal_naive'; seasonLength: number } | { modelType: 'drift'; logSlope: number };

/** Average log return per bar from `fromBar` to `toBar` (both inclusive, training closes only). */
export function fitDriftSlope(close: ArrayLike<number>, fromBar: number, toBar: number): number {
  return toBar > fromBar ? Math.log(close[toBar]! / close[fromBar]!) / (toBar - fromBar) : 0;
}

/** The bar whose close seasonal naive forecasts for target t + h. */
export function seasonalReferenceBar(bar: number, horizon: number, seasonLength: number): number {
  return bar + horizon - seasonLength * Math.ceil(horizon / seasonLength);
}

export function baselineLogReturn(params: BaselineParams, close: ArrayLike<number>, bar: number, horizon: number): number {
  switch (params.modelType) {
    case 'naive':
      return 0;
    case 'seasonal_naive':
      return Math.log(close[seasonalReferenceBar(bar, horizon, params.seasonLength)]! / close[bar]!);
    case 'drift':
      return horizon * params.logSlope;
  }
}
