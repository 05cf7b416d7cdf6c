import { indicatorOutputNames } from '../../../shared/indicator-outputs';
import type { IndicatorKind, IndicatorSpec } from '../../../shared/indicators';
import { formatPrice } from '../ui/format/numbers';

/** Overlays share the price scale; oscillators get a pane of their own below the prices. */
export type IndicatorPlacement = 'overlay' | 'pane';

export interface IndicatorParamField {
  /** Key in the spec's `params`. */
  name: string;
  label: string;
  min: number;
  max: number;
  step: number;
}

interface IndicatorKindInfo {
  /** Short name traders know it by, used in chips, legends and CSV headers. */
  short: string;
  /** What the menu says about it. */
  title: string;
  placement: IndicatorPlacement;
  /** In the order traders write the parameters (e.g. Stoch 14 3 3 = %K, smoothing, %D). */
  fields: readonly IndicatorParamField[];
  defaults: IndicatorSpec;
}

const periodField = (label = 'Period', min = 1): IndicatorParamField => ({ name: 'period', label, min, max: 1000, step: 1 });

export const indicatorCatalog: Readonly<Record<IndicatorKind, IndicatorKindInfo>> = {
  sma: {
    short: 'SMA',
    title: 'Simple moving average',
    placement: 'overlay',
    fields: [periodField()],
    defaults: { kind: 'sma', params: { period: 20 } },
  },
  ema: {
    short: 'EMA',
    title: 'Exponential moving average',
    placement: 'overlay',
    fields: [periodField()],
    defaults: { kind: 'ema', params: { period: 50 } },
  },
  wma: {
    short: 'WMA',
    title: 'Weighted moving average',
    placement: 'overlay',
    fields: [periodField()],
    defaults: { kind: 'wma', params: { period: 20 } },
  },
  bbands: {
    short: 'BB',
    title: 'Bollinger Bands',
    placement: 'overlay',
    fields: [periodField('Period', 2), { name: 'stddev', label: 'Std dev', min: 0.1, max: 10, step: 0.1 }],
    defaults: { kind: 'bbands', params: { period: 20, stddev: 2 } },
  },
  vwap: {
    short: 'VWAP',
    title: 'Volume-weighted average price (restarts each day intraday, each month on daily bars, each year on weekly and monthly)',
    placement: 'overlay',
    fields: [],
    defaults: { kind: 'vwap', params: {} },
  },
  rsi: {
    short: 'RSI',
    title: 'Relative strength index',
    placement: 'pane',
    fields: [periodField('Period', 2)],
    defaults: { kind: 'rsi', params: { period: 14 } },
  },
  macd: {
    short: 'MACD',
    title: 'Moving average convergence/divergence',
    placement: 'pane',
    fields: [
      { name: 'fast', label: 'Fast', min: 2, max: 1000, step: 1 },
      { name: 'slow', label: 'Slow', min: 3, max: 1000, step: 1 },
      { name: 'signal', label: 'Signal', min: 1, max: 1000, step: 1 },
    ],
    defaults: { kind: 'macd', params: { fast: 12, slow: 26, signal: 9 } },
  },
  stoch: {
    short: 'Stoch',
    title: 'Stochastic oscillator',
    placement: 'pane',
    fields: [
      { name: 'k', label: '%K', min: 1, max: 1000, step: 1 },
      { name: 'smooth', label: 'Smooth', min: 1, max: 1000, step: 1 },
      { name: 'd', label: '%D', min: 1, max: 1000, step: 1 },
    ],
    defaults: { kind: 'stoch', params: { k: 14, smooth: 3, d: 3 } },
  },
  atr: {
    short: 'ATR',
    title: 'Average true range',
    placement: 'pane',
    fields: [periodField()],
    defaults: { kind: 'atr', params: { period: 14 } },
  },
  volatility: {
    short: 'Volatility',
    title: 'Annualised volatility of log returns',
    placement: 'pane',
    fields: [periodField('Period', 2)],
    defaults: { kind: 'volatility', params: { period: 20 } },
  },
};

/** Menu order: overlays first, then the pane indicators, each group as traders usually list them. */
export const indicatorKindsInMenuOrder: readonly IndicatorKind[] = ['sma', 'ema', 'wma', 'bbands', 'vwap', 'rsi', 'macd', 'stoch', 'atr', 'volatility'];

function paramValues(spec: IndicatorSpec): number[] {
  const params = spec.params as Readonly<Record<string, number>>;
  return indicatorCatalog[spec.kind].fields.map((field) => params[field.name] ?? Number.NaN);
}

/** "SMA 20", "BB 20, 2", "MACD 12, 26, 9", "VWAP". */
/**
 * How many bars a value of the indicator looks back over: the longest chain of its windows
 * (MACD's slow average then its signal, Stochastic's %K then its smoothings). VWAP restarts on
 * its own calendar, so it has none to speak of.
 */
export function indicatorWindow(spec: IndicatorSpec): number {
  const params = spec.params as Readonly<Record<string, number>>;
  if (spec.kind === 'macd') return (params.slow ?? 0) + (params.signal ?? 0) - 1;
  if (spec.kind === 'stoch') return (params.k ?? 0) + (params.smooth ?? 1) + (params.d ?? 1) - 2;
  if (spec.kind === 'vwap') return 1;
  // RSI and ATR compare each bar with the one before it, so their window is one bar longer.
  const extra = spec.kind === 'rsi' || spec.kind === 'atr' || spec.kind === 'volatility' ? 1 : 0;
  return (params.period ?? 1) + extra;
}

export function indicatorLabel(spec: IndicatorSpec): string {
  const values = paramValues(spec);
  const short = indicatorCatalog[spec.kind].short;
  return values.length === 0 ? short : `${short} ${values.join(', ')}`;
}

/**
 * Stable identity of an indicator on a chart ("sma-20", "macd-12-26-9"): two specs with the
 * same id draw the same lines, so the chart holds each id once. Safe in test ids and keys.
 */
export function indicatorId(spec: IndicatorSpec): string {
  return [spec.kind, ...paramValues(spec)].join('-');
}

export function outputNames(spec: IndicatorSpec): readonly string[] {
  return indicatorOutputNames[spec.kind];
}

/** Column or legend name of one output: the indicator's label, plus the output when it has several. */
export function outputLabel(spec: IndicatorSpec, output: string): string {
  return outputNames(spec).length === 1 ? indicatorLabel(spec) : `${indicatorLabel(spec)} ${output}`;
}

export function indicatorPlacement(kind: IndicatorKind): IndicatorPlacement {
  return indicatorCatalog[kind].placement;
}

/**
 * An indicator value as the legend shows it: price-like outputs in the instrument's price
 * precision, oscillators bounded 0–100 with two decimals, volatility as a percentage.
 */
export function formatIndicatorValue(kind: IndicatorKind, value: number | null | undefined, pricePrecision: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (kind === 'rsi' || kind === 'stoch') return formatPrice(value, 2);
  if (kind === 'volatility') return `${formatPrice(value * 100, 2)}%`;
  return formatPrice(value, pricePrecision);
}
