import {
  HistogramSeries,
  LineSeries,
  LineStyle,
  type HistogramData,
  type IChartApi,
  type IPriceLine,
  type ISeriesApi,
  type LineData,
  type LineWidth,
  type PriceFormat,
  type UTCTimestamp,
  type WhitespaceData,
} from 'lightweight-charts';
import type { Bar } from '../../../shared/domain';
import type { IndicatorKind, IndicatorSpec } from '../../../shared/indicators';
import { formatPrice } from '../ui/format/numbers';
import { pricesFormat } from './price-series';
import { toChartTime } from '../ui/format/time';
import { indicatorPlacement, outputNames } from './indicator-catalog';
import type { IndicatorValues } from './bar-window';

/** Colours of indicator lines, read from the theme like the rest of the chart. */
export interface IndicatorColors {
  /** One per colour slot (see ActiveIndicator.slot). */
  slots: readonly string[];
  /** Second line of two-line indicators (MACD signal, Stoch %D). */
  signal: string;
  /** RSI 30/70 and Stoch 20/80 guides. */
  guide: string;
  histogramUp: string;
  histogramUpFading: string;
  histogramDown: string;
  histogramDownFading: string;
}

type OutputSeries = ISeriesApi<'Line'> | ISeriesApi<'Histogram'>;

/** The lightweight-charts series drawing one indicator on a chart. */
export interface IndicatorSeriesHandle {
  id: string;
  spec: IndicatorSpec;
  slot: number;
  /** Output name → series, in drawing order (histograms first, so lines stay on top). */
  series: Map<string, OutputSeries>;
  guides: IPriceLine[];
  /** The price precision the series are formatted with; formats are applied again only when it changes. */
  precision?: number;
}

/** Levels traders read the oscillators against. */
const guideLevels: Partial<Record<IndicatorKind, readonly number[]>> = { rsi: [30, 70], stoch: [20, 80] };
/** Oscillators bounded 0–100 keep that scale, so 30/70 always sit in the same place. */
const boundedKinds: readonly IndicatorKind[] = ['rsi', 'stoch'];

interface OutputStyle {
  histogram: boolean;
  lineWidth: LineWidth;
  lineStyle: LineStyle;
  /** Signal colour instead of the indicator's own. */
  secondary: boolean;
}

function outputStyle(spec: IndicatorSpec, output: string): OutputStyle {
  const base: OutputStyle = { histogram: false, lineWidth: 2, lineStyle: LineStyle.Solid, secondary: false };
  if (spec.kind === 'bbands') return { ...base, lineWidth: 1, lineStyle: output === 'middle' ? LineStyle.Dashed : LineStyle.Solid };
  if (spec.kind === 'macd' && output === 'histogram') return { ...base, histogram: true };
  if ((spec.kind === 'macd' && output === 'signal') || (spec.kind === 'stoch' && output === 'd')) return { ...base, lineWidth: 1, secondary: true };
  return base;
}

function slotColor(colors: IndicatorColors, slot: number): string {
  return colors.slots[slot % Math.max(1, colors.slots.length)] ?? colors.signal;
}

/**
 * MACD histogram bars: strong while momentum grows away from zero, faded while it shrinks back,
 * as traders know them from their other terminals.
 */
function histogramColor(values: IndicatorValues, index: number, colors: IndicatorColors): string {
  const value = values[index] ?? 0;
  const previous = values[index - 1];
  const growing = previous === null || previous === undefined || Math.abs(value) >= Math.abs(previous);
  if (value >= 0) return growing ? colors.histogramUp : colors.histogramUpFading;
  return growing ? colors.histogramDown : colors.histogramDownFading;
}

/** Colour of one output's line, or for a histogram the full-strength colour of its sign at `index`, so legend text stays readable. */
export function indicatorOutputColor(
  handle: Pick<IndicatorSeriesHandle, 'spec' | 'slot'>,
  output: string,
  values: IndicatorValues | undefined,
  index: number,
  colors: IndicatorColors,
): string {
  const style = outputStyle(handle.spec, output);
  if (style.histogram) return (values?.[index] ?? 0) >= 0 ? colors.histogramUp : colors.histogramDown;
  return style.secondary ? colors.signal : slotColor(colors, handle.slot);
}

function priceFormatFor(kind: IndicatorKind, precision: number): PriceFormat {
  if (kind === 'rsi' || kind === 'stoch') return { type: 'price', precision: 2, minMove: 0.01 };
  if (kind === 'volatility') return { type: 'custom', minMove: 0.0001, formatter: (value: number) => `${formatPrice(value * 100, 1)}%` };
  return pricesFormat(precision);
}

/**
 * Creates the series of one indicator: overlays on the price pane (its own price scale), every
 * other indicator in a new pane at the bottom. lightweight-charts removes a pane by itself when
 * its last series goes, so removing an indicator never leaves an empty pane behind.
 */
export function createIndicatorSeries(
  chart: IChartApi,
  indicator: { id: string; spec: IndicatorSpec; slot: number },
  colors: IndicatorColors,
): IndicatorSeriesHandle {
  const overlay = indicatorPlacement(indicator.spec.kind) === 'overlay';
  const paneIndex = overlay ? 0 : chart.panes().length;
  const handle: IndicatorSeriesHandle = { ...indicator, series: new Map(), guides: [] };
  const names = [...outputNames(indicator.spec)].sort((a, b) => Number(outputStyle(indicator.spec, b).histogram) - Number(outputStyle(indicator.spec, a).histogram));
  const bounded = boundedKinds.includes(indicator.spec.kind);
  for (const name of names) {
    const style = outputStyle(indicator.spec, name);
    const common = {
      priceLineVisible: false,
      // On the axis their labels would cover the scale's own (an indicator pane at 1280×720 has
      // room for three ticks) and pile onto the last price; the legends carry the values instead.
      lastValueVisible: false,
      ...(bounded ? { autoscaleInfoProvider: () => ({ priceRange: { minValue: 0, maxValue: 100 } }) } : {}),
    };
    const series: OutputSeries = style.histogram
      ? chart.addSeries(HistogramSeries, common, paneIndex)
      : chart.addSeries(
          LineSeries,
          {
            ...common,
            color: indicatorOutputColor(handle, name, undefined, 0, colors),
            lineWidth: style.lineWidth,
            lineStyle: style.lineStyle,
            crosshairMarkerRadius: 3,
          },
          paneIndex,
        );
    handle.series.set(name, series);
  }
  const primary = handle.series.get(names.at(-1) ?? '');
  for (const level of guideLevels[indicator.spec.kind] ?? []) {
    const guide = primary?.createPriceLine({
      price: level,
      color: colors.guide,
      lineWidth: 1,
      lineStyle: LineStyle.Dashed,
      axisLabelVisible: false,
      title: '',
    });
    if (guide) handle.guides.push(guide);
  }
  if (!overlay) chart.priceScale('right', paneIndex).applyOptions({ scaleMargins: { top: 0.12, bottom: 0.08 } });
  return handle;
}

export function removeIndicatorSeries(chart: IChartApi, handle: IndicatorSeriesHandle): void {
  for (const series of handle.series.values()) chart.removeSeries(series);
  handle.series.clear();
}

/** The pane an indicator draws in (0 for overlays). */
export function indicatorPaneIndex(handle: IndicatorSeriesHandle): number {
  return handle.series.values().next().value?.getPane().paneIndex() ?? 0;
}

export function restyleIndicatorSeries(handle: IndicatorSeriesHandle, colors: IndicatorColors): void {
  for (const [name, series] of handle.series) {
    if (!outputStyle(handle.spec, name).histogram) series.applyOptions({ color: indicatorOutputColor(handle, name, undefined, 0, colors) });
  }
  for (const guide of handle.guides) guide.applyOptions({ color: colors.guide });
}

type PointData = LineData<UTCTimestamp> | HistogramData<UTCTimestamp> | WhitespaceData<UTCTimestamp>;

function point(time: UTCTimestamp, values: IndicatorValues, index: number, histogram: boolean, colors: IndicatorColors): PointData {
  const value = values[index];
  if (value === null || value === undefined) return { time };
  return histogram ? { time, value, color: histogramColor(values, index, colors) } : { time, value };
}

/** Sets every output's values (nulls become gaps) in the instrument's price precision. */
export function setIndicatorData(
  handle: IndicatorSeriesHandle,
  bars: readonly Bar[],
  outputs: Readonly<Record<string, IndicatorValues>>,
  colors: IndicatorColors,
  precision: number,
): void {
  // Each applyOptions makes the library restyle every point, so formats are set only when they change.
  const priceFormat = handle.precision === precision ? null : priceFormatFor(handle.spec.kind, precision);
  handle.precision = precision;
  // Converted once for all outputs: a window of bars becomes several thousand points per indicator.
  const times = bars.map((bar) => toChartTime(bar.time));
  for (const [name, series] of handle.series) {
    const values = outputs[name] ?? [];
    const histogram = outputStyle(handle.spec, name).histogram;
    if (priceFormat) series.applyOptions({ priceFormat });
    series.setData(times.map((time, i) => point(time, values, i, histogram, colors)));
  }
}

/** Empties every output, keeping the series and their panes. */
export function clearIndicatorData(handle: IndicatorSeriesHandle): void {
  for (const series of handle.series.values()) series.setData([]);
}

/** Live path: update() for each bar from `from` on, like the candles. */
export function updateIndicatorTail(
  handle: IndicatorSeriesHandle,
  bars: readonly Bar[],
  outputs: Readonly<Record<string, IndicatorValues>>,
  from: number,
  colors: IndicatorColors,
): void {
  for (const [name, series] of handle.series) {
    const values = outputs[name] ?? [];
    const histogram = outputStyle(handle.spec, name).histogram;
    for (let i = from; i < bars.length; i++) series.update(point(toChartTime(bars[i]!.time), values, i, histogram, colors));
  }
}
