/**
 * What a price alert means on a sequence of bars, with no storage: the value each bar gives
 * its condition, and the step that turns those values into firings. Crossings are judged on
 * closes, so a bar that gaps over the level crosses it like any other.
 */
import type { Bar } from '../../shared/domain';
import type { AlertIndicator, PriceAlert, PriceAlertCondition, PriceAlertRearm } from '../../shared/price-alerts';
import type { Timeframe } from '../../shared/timeframes';
import { warmUpBars } from '../../shared/compute-indicators';
import { ema, rsi, sma, wma } from '../../shared/indicator-math';

/** One bar as the condition sees it. */
export interface AlertPoint {
  time: number;
  close: number;
  /**
   * How far the value is past the threshold, in the condition's units: 0 or more is beyond
   * (the alert's side), below 0 is short of it; null while an indicator warms up.
   */
  distance: number | null;
  /** The values the condition compared (the indicators, the move in percent), for the message. */
  values: readonly number[];
}

/** Where evaluation stands: the fields of a price alert that bars change. */
export type AlertProgress = Pick<PriceAlert, 'state' | 'beyond' | 'lastFiredAt' | 'enabled'>;

/** The bars of history a condition needs before a bar to have its value there. */
export function warmUpOf(condition: PriceAlertCondition, timeframe: Timeframe): number {
  switch (condition.kind) {
    case 'crossAbove':
    case 'crossBelow':
      return 0;
    case 'percentMove':
      return condition.bars;
    case 'indicatorLevel':
      // RSI's first value needs its period of changes, one bar more than an average of the same period.
      return warmUpBars(condition.indicator, timeframe) + 1;
    case 'indicatorCross':
      return Math.max(warmUpBars(condition.fast, timeframe), warmUpBars(condition.slow, timeframe)) + 1;
  }
}

function indicatorLine(indicator: AlertIndicator, close: Float64Array): Float64Array {
  const { period } = indicator.params;
  switch (indicator.kind) {
    case 'sma':
      return sma(close, period);
    case 'ema':
      return ema(close, period);
    case 'wma':
      return wma(close, period);
    case 'rsi':
      return rsi(close, period);
  }
}

const known = (value: number | undefined): value is number => value !== undefined && Number.isFinite(value);

/** The largest move of `close[i]` against the closes of the `window` bars before it, in percent: up, down. */
function movesAt(close: Float64Array, i: number, window: number): [number, number] {
  let low = Infinity;
  let high = -Infinity;
  for (let j = i - window; j < i; j++) {
    low = Math.min(low, close[j]!);
    high = Math.max(high, close[j]!);
  }
  return [(close[i]! / low - 1) * 100, (1 - close[i]! / high) * 100];
}

/** Each bar's point for `condition`; bars ascending, as stored. */
export function conditionPoints(condition: PriceAlertCondition, bars: readonly Bar[]): AlertPoint[] {
  const close = Float64Array.from(bars, (bar) => bar.close);
  const point = (i: number, distance: number | null, values: readonly number[] = []): AlertPoint => ({
    time: bars[i]!.time,
    close: close[i]!,
    distance,
    values,
  });
  switch (condition.kind) {
    case 'crossAbove':
      return bars.map((_, i) => point(i, close[i]! - condition.price));
    case 'crossBelow':
      return bars.map((_, i) => point(i, condition.price - close[i]!));
    case 'percentMove':
      return bars.map((_, i) => {
        if (i < condition.bars) return point(i, null);
        const [up, down] = movesAt(close, i, condition.bars);
        const move = condition.direction === 'up' ? up : condition.direction === 'down' ? -down : up >= down ? up : -down;
        return point(i, Math.abs(move) - condition.percent, [move]);
      });
    case 'indicatorLevel': {
      const line = indicatorLine(condition.indicator, close);
      const sign = condition.direction === 'above' ? 1 : -1;
      return bars.map((_, i) => (known(line[i]) ? point(i, sign * (line[i]! - condition.level), [line[i]!]) : point(i, null)));
    }
    case 'indicatorCross': {
      const fast = indicatorLine(condition.fast, close);
      const slow = indicatorLine(condition.slow, close);
      const sign = condition.direction === 'above' ? 1 : -1;
      return bars.map((_, i) => (known(fast[i]) && known(slow[i]) ? point(i, sign * (fast[i]! - slow[i]!), [fast[i]!, slow[i]!]) : point(i, null)));
    }
  }
}

const MINUTE = 60_000;

function rearmed(rule: PriceAlertRearm, distance: number, lastFiredAt: number | null, now: number): boolean {
  switch (rule.kind) {
    case 'recross':
      return distance < 0 && -distance >= rule.hysteresis;
    case 'cooldown':
      return lastFiredAt === null || now >= lastFiredAt + rule.minutes * MINUTE;
    case 'once':
      return false;
  }
}

/**
 * One bar's point applied to where the alert stands: the first known value only says which
 * side it is on (so an alert created beyond its level waits for a crossing), an armed alert
 * fires when the value goes from short of the threshold to beyond it, and a fired one waits
 * for its rearm rule. Seeing the same point twice changes nothing, so overlapping
 * evaluations of the same bars never fire twice.
 */
export function step(progress: AlertProgress, point: AlertPoint, rule: PriceAlertRearm, now: number): { progress: AlertProgress; fired: boolean } {
  if (point.distance === null || !progress.enabled) return { progress, fired: false };
  const beyond = point.distance >= 0;
  if (progress.state === 'waiting') return { progress: { ...progress, state: 'armed', beyond }, fired: false };
  let state = progress.state;
  if (state === 'fired' && rearmed(rule, point.distance, progress.lastFiredAt, now)) state = 'armed';
  if (state === 'armed' && progress.beyond === false && beyond) {
    return { progress: { state: 'fired', beyond, lastFiredAt: now, enabled: rule.kind !== 'once' }, fired: true };
  }
  return { progress: { ...progress, state, beyond }, fired: false };
}

/** `step` over points in order; returns where the alert ends and the points it fired at. */
export function evaluatePoints(
  progress: AlertProgress,
  points: readonly AlertPoint[],
  rule: PriceAlertRearm,
  now: number,
): { progress: AlertProgress; firings: AlertPoint[] } {
  const firings: AlertPoint[] = [];
  let current = progress;
  for (const point of points) {
    const next = step(current, point, rule, now);
    current = next.progress;
    if (next.fired) firings.push(point);
  }
  return { progress: current, firings };
}

/** Where a new or changed alert stands before any new bar: armed on the side of the newest known value, or waiting. */
export function baselineProgress(points: readonly AlertPoint[]): Pick<AlertProgress, 'state' | 'beyond'> {
  const last = points.findLast((point) => point.distance !== null);
  return { state: last ? 'armed' : 'waiting', beyond: last ? last.distance! >= 0 : null };
}

/** A user's level as they typed it, with at least two decimals: 2,400.00, 1.08345. */
function formatLevel(value: number): string {
  const decimals = Math.min(8, Math.max(2, (String(value).split('.')[1] ?? '').length));
  return value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: decimals });
}

/** A computed value with the precision its size needs: 2,412.30, 1.0835, 0.012345. */
function formatValue(value: number): string {
  const magnitude = Math.abs(value);
  const decimals = magnitude >= 100 ? 2 : magnitude >= 1 ? 4 : 6;
  return value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: decimals });
}

const formatTime = (time: number) => `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

const indicatorName = (indicator: AlertIndicator) => `${indicator.kind.toUpperCase()} ${indicator.params.period}`;

/** The sentence an alert list and a notification show for a firing: the symbol, the level, the bar. */
export function firingMessage(alert: Pick<PriceAlert, 'symbol' | 'timeframe' | 'condition'>, point: AlertPoint): string {
  const { symbol, condition, timeframe } = alert;
  const bar = `close ${formatValue(point.close)} at ${formatTime(point.time)}`;
  switch (condition.kind) {
    case 'crossAbove':
      return `${symbol} crossed above ${formatLevel(condition.price)} (${bar})`;
    case 'crossBelow':
      return `${symbol} crossed below ${formatLevel(condition.price)} (${bar})`;
    case 'percentMove': {
      const move = point.values[0]!;
      const window = `${condition.bars} ${timeframe} bar${condition.bars === 1 ? '' : 's'}`;
      return `${symbol} ${move >= 0 ? 'rose' : 'fell'} ${formatValue(Math.abs(move))}% within ${window}, past ${formatLevel(condition.percent)}% (${bar})`;
    }
    case 'indicatorLevel':
      return `${symbol} ${indicatorName(condition.indicator)} (${timeframe}) crossed ${condition.direction} ${formatLevel(condition.level)}: ${formatValue(point.values[0]!)} (${bar})`;
    case 'indicatorCross':
      return (
        `${symbol} ${indicatorName(condition.fast)} crossed ${condition.direction} ${indicatorName(condition.slow)} (${timeframe}): ` +
        `${formatValue(point.values[0]!)} vs ${formatValue(point.values[1]!)} (${bar})`
      );
  }
}
