import {
  BaselineSeries,
  LineSeries,
  LineStyle,
  type IChartApi,
  type IPriceLine,
  type ISeriesApi,
} from 'lightweight-charts';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { MAX_COMPARE_SYMBOLS } from '../../../../shared/compare-view';
import type { MethodOutput } from '../../../../shared/contract';
import type { Timeframe } from '../../../../shared/timeframes';
import type { ResolvedTheme } from '../../ui/theme';
import { formatChangePercent, formatPrice, pricePrecision } from '../../ui/format/numbers';
import { toChartTime } from '../../ui/format/time';
import { UTC_ZONE } from '../../ui/format/zoned-time';
import { IndicatorLegendRow, LegendTime, type LegendIndicator } from '../../charts/chart-legend';
import { cssVariableReader, readFrameColors, type ChartFrameColors } from '../../charts/chart-theme';
import { measurePaneTops, RIGHT_MARGIN_BARS, useLightweightChart } from '../../charts/use-lightweight-chart';
import { pricesFormat } from '../../charts/price-series';
import { indexOfTime, ratioDecimals, toLinePoints } from './compare-model';

export type CompareReply = MethodOutput<'compare.query'>;

const NORMALISED_PANE = 0;
const RATIO_PANE = 1;
const CORRELATION_PANE = 2;

interface ChartHandles {
  chart: IChartApi;
  /** A dashed line at 100 through the normalised pane: above it a symbol has gained since the base. */
  base: ISeriesApi<'Line'>;
  ratio: ISeriesApi<'Line'>;
  correlation: ISeriesApi<'Baseline'>;
  correlationZero: IPriceLine;
  lines: Map<string, ISeriesApi<'Line'>>;
}

interface CompareColors extends ChartFrameColors {
  base: string;
  ratio: string;
  up: string;
  down: string;
  upFill: string;
  downFill: string;
  /** --compare-1 … --compare-8: a colour for each symbol a comparison can hold. */
  palette: string[];
}

/** Colours come from CSS variables, so the chart follows the theme like the rest of the UI. */
function readColors(element: Element): CompareColors {
  const read = cssVariableReader(element);
  return {
    ...readFrameColors(read),
    base: read('--compare-base'),
    ratio: read('--compare-ratio'),
    up: read('--chart-up'),
    down: read('--chart-down'),
    upFill: read('--compare-corr-up-fill'),
    downFill: read('--compare-corr-down-fill'),
    palette: Array.from({ length: MAX_COMPARE_SYMBOLS }, (_, i) => read(`--compare-${i + 1}`)),
  };
}

function slotColor(palette: readonly string[], slot: number | undefined): string {
  return palette[(slot ?? 0) % palette.length] ?? '';
}

const formatNormalised = (value: number) => formatPrice(value, 1);
const formatCorrelation = (value: number) => formatPrice(value, 2);

/** Normalised values as the change since the base, e.g. +32.40%. */
const sinceBase = (value: number) => formatChangePercent(100, value) ?? '';

/** A compared symbol in the legend as Markets shows an indicator: its name in its line's colour, then its values at the bar. */
function symbolLegend(series: CompareReply['series'][number], index: number, slot: number | undefined): LegendIndicator {
  const normalised = series.normalised[index] ?? null;
  const close = series.close[index] ?? null;
  const values: LegendIndicator['values'][number][] = [];
  if (normalised !== null) {
    values.push({ name: 'normalised', text: formatNormalised(normalised), color: 'var(--text-strong)' });
    values.push({ name: 'change', text: sinceBase(normalised), color: normalised >= 100 ? 'var(--up)' : 'var(--down)' });
  }
  if (close !== null) values.push({ name: 'close', text: formatPrice(close, pricePrecision(close)), color: 'var(--text-muted)' });
  return { id: `compare-${series.symbol}`, label: series.symbol, color: `var(--compare-${(slot ?? 0) + 1})`, values };
}

/** Room left before the first bar: the time axis centres a date under its bar, so the first one would be cut in half at the edge. */
const FIRST_LABEL_ROOM_PX = 36;

/** Every bar in view, as `fitContent` would show them, with that room before the first. */
function fitWithRoomForFirstLabel(chart: IChartApi, barCount: number): void {
  const timeScale = chart.timeScale();
  const width = timeScale.width();
  const to = barCount - 1 + RIGHT_MARGIN_BARS;
  if (width <= FIRST_LABEL_ROOM_PX) {
    timeScale.fitContent();
    return;
  }
  const barsPerPixel = (to + 0.5) / (width - FIRST_LABEL_ROOM_PX);
  timeScale.setVisibleLogicalRange({ from: -0.5 - FIRST_LABEL_ROOM_PX * barsPerPixel, to });
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

export interface CompareChartProps {
  reply: CompareReply | undefined;
  /** Colour slot per symbol, stable while it stays selected. */
  slots: Readonly<Record<string, number>>;
  timeframe: Timeframe;
  logScale: boolean;
  theme: ResolvedTheme;
  /** What the reply shows (symbols, timeframe, start); the view is refitted only when it changes. */
  viewKey: string;
  /** Said in the correlation pane when the window has no values yet. */
  correlationHint: string | null;
  /** Messages drawn over the chart (loading, nothing to compare). */
  children?: ReactNode;
}

/**
 * One chart, three panes: the normalised lines, the ratio, and the rolling correlation. The
 * chart and its fixed series are created once; symbol lines are added and removed as the
 * selection changes and everything else is `setData`, so the view never rebuilds.
 */
export function CompareChart({ reply, slots, timeframe, logScale, theme, viewKey, correlationHint, children }: CompareChartProps) {
  const shownViewKey = useRef<string | null>(null);
  const [paneTops, setPaneTops] = useState<number[]>([]);

  const { containerRef, handlesRef, colorsRef, hoveredTime } = useLightweightChart<ChartHandles, CompareColors>({
    theme,
    timeframe,
    logScale,
    createSeries: (chart) => {
      const base = chart.addSeries(
        LineSeries,
        {
          lineWidth: 1,
          lineStyle: LineStyle.Dashed,
          priceLineVisible: false,
          lastValueVisible: false,
          crosshairMarkerVisible: false,
          priceFormat: { type: 'custom', formatter: formatNormalised, minMove: 0.1 },
        },
        NORMALISED_PANE,
      );
      // Panes are kept while empty, so the layout does not jump when a ratio or correlation has no values.
      chart.addPane(true);
      chart.addPane(true);
      const ratio = chart.addSeries(LineSeries, { lineWidth: 2, priceLineVisible: false }, RATIO_PANE);
      const correlation = chart.addSeries(
        BaselineSeries,
        {
          baseValue: { type: 'price', price: 0 },
          lineWidth: 1,
          priceLineVisible: false,
          priceFormat: { type: 'custom', formatter: formatCorrelation, minMove: 0.01 },
          // −1 … +1 always, so a window of 0.3 never looks like a perfect correlation.
          autoscaleInfoProvider: () => ({ priceRange: { minValue: -1, maxValue: 1 } }),
        },
        CORRELATION_PANE,
      );
      const correlationZero = correlation.createPriceLine({ price: 0, lineWidth: 1, lineStyle: LineStyle.Dotted, axisLabelVisible: false });
      const [normalisedPane, ratioPane, correlationPane] = chart.panes();
      normalisedPane?.setStretchFactor(3);
      ratioPane?.setStretchFactor(1.1);
      correlationPane?.setStretchFactor(1.1);
      // A scale label half over a pane's edge would read cut off (300.0 at the top of a short pane), so each shows whole labels only.
      chart.priceScale('right', CORRELATION_PANE).applyOptions({ scaleMargins: { top: 0.18, bottom: 0.06 }, entireTextOnly: true });
      chart.priceScale('right', RATIO_PANE).applyOptions({ scaleMargins: { top: 0.22, bottom: 0.08 }, entireTextOnly: true });
      chart.priceScale('right', NORMALISED_PANE).applyOptions({ scaleMargins: { top: 0.12, bottom: 0.06 }, entireTextOnly: true });
      shownViewKey.current = null;
      return { chart, base, ratio, correlation, correlationZero, lines: new Map() };
    },
    readColors,
    applyColors: (handles, colors) => {
      handles.base.applyOptions({ color: colors.base });
      handles.ratio.applyOptions({ color: colors.ratio });
      handles.correlation.applyOptions({
        topLineColor: colors.up,
        topFillColor1: colors.upFill,
        topFillColor2: colors.upFill,
        bottomLineColor: colors.down,
        bottomFillColor1: colors.downFill,
        bottomFillColor2: colors.downFill,
      });
      handles.correlationZero.applyOptions({ color: colors.crosshair });
      paintLines();
    },
    onLayout: () => measurePanes(),
  });

  /** Where each pane starts, so its legend sits at its top-left; panes move when resized or dragged. */
  const measurePanes = () => {
    const handles = handlesRef.current;
    const container = containerRef.current;
    if (!handles || !container) return;
    const tops = measurePaneTops(handles.chart, container);
    setPaneTops((previous) => (sameNumbers(previous, tops) ? previous : tops));
  };

  const paintLines = () => {
    const handles = handlesRef.current;
    const colors = colorsRef.current;
    if (!handles || !colors) return;
    for (const [symbol, line] of handles.lines) line.applyOptions({ color: slotColor(colors.palette, slots[symbol]) });
  };

  // The axis, its crosshair label and the legend all give the ratio in these decimals.
  const ratioPrecision = ratioDecimals(reply?.ratio?.values.findLast((v) => v !== null) ?? 1);

  useEffect(() => {
    const handles = handlesRef.current;
    if (!handles || !reply) return;
    const { chart, lines } = handles;
    const wanted = new Set(reply.series.map((s) => s.symbol));
    for (const [symbol, line] of lines) {
      if (wanted.has(symbol)) continue;
      chart.removeSeries(line);
      lines.delete(symbol);
    }
    for (const series of reply.series) {
      let line = lines.get(series.symbol);
      if (!line) {
        line = chart.addSeries(
          LineSeries,
          { lineWidth: 2, title: series.symbol, priceFormat: { type: 'custom', formatter: formatNormalised, minMove: 0.1 } },
          NORMALISED_PANE,
        );
        lines.set(series.symbol, line);
      }
      line.setData(toLinePoints(reply.times, series.normalised));
    }
    paintLines();

    const first = reply.times[0];
    const last = reply.times[reply.times.length - 1];
    handles.base.setData(
      reply.baseTime === null || first === undefined || last === undefined
        ? []
        : [first, last].filter((time, i, both) => i === 0 || time !== both[0]).map((time) => ({ time: toChartTime(time), value: 100 })),
    );

    handles.ratio.applyOptions({ priceFormat: pricesFormat(ratioPrecision) });
    handles.ratio.setData(reply.ratio ? toLinePoints(reply.times, reply.ratio.values) : []);
    handles.correlation.setData(reply.correlation ? toLinePoints(reply.times, reply.correlation.values) : []);

    if (shownViewKey.current !== viewKey && reply.times.length > 0) {
      shownViewKey.current = viewKey;
      fitWithRoomForFirstLabel(chart, reply.times.length);
    }
    requestAnimationFrame(() => measurePanes());
  }, [reply, slots, viewKey, ratioPrecision]);

  const times = reply?.times ?? [];
  const hoveredIndex = hoveredTime === null ? -1 : indexOfTime(times, hoveredTime);
  const index = hoveredIndex >= 0 ? hoveredIndex : times.length - 1;
  const time = times[index];
  const ratioValue = reply?.ratio?.values[index] ?? null;
  const correlationValue = reply?.correlation?.values[index] ?? null;

  return (
    <div className="compare-chart" data-testid="compare-chart" data-points={times.length}>
      <div ref={containerRef} className="compare-chart__canvas" />
      {reply && time !== undefined && (
        <>
          <div className="chart-legend" data-testid="compare-legend" style={{ top: (paneTops[NORMALISED_PANE] ?? 0) + 6 }}>
            <div className="chart-legend__prices">
              <LegendTime time={time} timeframe={timeframe} zone={UTC_ZONE} testId="compare-legend-time" />
            </div>
            {reply.series.map((series) => (
              <IndicatorLegendRow key={series.symbol} indicator={symbolLegend(series, index, slots[series.symbol])} />
            ))}
          </div>
          {reply.ratio && paneTops[RATIO_PANE] !== undefined && (
            <div className="chart-legend chart-legend--pane" data-testid="compare-ratio-legend" style={{ top: paneTops[RATIO_PANE] + 4 }}>
              <IndicatorLegendRow
                indicator={{
                  id: 'compare-ratio',
                  label: `Ratio ${reply.ratio.numerator} / ${reply.ratio.denominator}`,
                  color: 'var(--compare-ratio)',
                  values: [{ name: 'value', text: ratioValue === null ? '–' : formatPrice(ratioValue, ratioPrecision), color: 'var(--compare-ratio)' }],
                }}
              />
            </div>
          )}
          {reply.correlation && paneTops[CORRELATION_PANE] !== undefined && (
            <div className="chart-legend chart-legend--pane" data-testid="compare-correlation-legend" style={{ top: paneTops[CORRELATION_PANE] + 4 }}>
              <IndicatorLegendRow
                indicator={{
                  id: 'compare-correlation',
                  label: `Correlation of ${reply.correlation.a} and ${reply.correlation.b} log returns, ${reply.correlation.window} bars`,
                  color: 'var(--text)',
                  values: [
                    {
                      name: 'value',
                      text: correlationValue === null ? '–' : formatCorrelation(correlationValue),
                      color: correlationValue !== null && correlationValue < 0 ? 'var(--down)' : 'var(--up)',
                    },
                  ],
                }}
              />
              {correlationHint && <span className="muted">{correlationHint}</span>}
            </div>
          )}
        </>
      )}
      {children}
    </div>
  );
}
