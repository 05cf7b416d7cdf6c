import {
  CandlestickSeries,
  ColorType,
  CrosshairMode,
  HistogramSeries,
  LineSeries,
  createChart,
  type IChartApi,
  type ISeriesApi,
  type MouseEventHandler,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Bar } from '../../../shared/domain';
import type { Timeframe } from '../../../shared/timeframes';
import type { ResolvedTheme } from '../app/theme';
import { fromChartTime } from '../format/time';
import { formatPrice, pricePrecision } from '../format/numbers';
import { chartDataProblem, hasVolume, indexOfBarAt, isCloseOnly, toCandleData, toCloseLineData, toVolumeData } from './chart-data';
import { ChartLegend } from './chart-legend';

const VOLUME_SCALE = 'volume';
/** Bars in view after switching symbol or timeframe: enough history, candles still readable. */
const BARS_IN_VIEW = 180;
const RIGHT_MARGIN_BARS = 4;

interface ChartHandles {
  chart: IChartApi;
  candles: ISeriesApi<'Candlestick'>;
  /** Shown instead of the candles for close-only data. */
  closeLine: ISeriesApi<'Line'>;
  volume: ISeriesApi<'Histogram'>;
}

interface ChartColors {
  background: string;
  text: string;
  grid: string;
  border: string;
  crosshair: string;
  up: string;
  down: string;
  line: string;
  volumeUp: string;
  volumeDown: string;
}

/** Chart colours come from the same CSS variables as the rest of the UI, so themes stay in one place. */
function readChartColors(element: Element): ChartColors {
  const style = getComputedStyle(element);
  const read = (name: string) => style.getPropertyValue(name).trim();
  return {
    background: read('--chart-bg'),
    text: read('--chart-text'),
    grid: read('--chart-grid'),
    border: read('--chart-border'),
    crosshair: read('--chart-crosshair'),
    up: read('--chart-up'),
    down: read('--chart-down'),
    line: read('--chart-line'),
    volumeUp: read('--chart-volume-up'),
    volumeDown: read('--chart-volume-down'),
  };
}

export interface PriceChartProps {
  bars: readonly Bar[];
  timeframe: Timeframe;
  /** Identifies what `bars` show (symbol and timeframe); the view resets only when it changes. */
  viewKey: string;
  theme: ResolvedTheme;
  /** Messages and actions drawn over the chart (loading, no data). */
  children?: ReactNode;
}

/**
 * Candlesticks with volume in an overlay scale at the bottom of the pane, and a crosshair
 * legend. The chart and its series are created once; data and options are applied to them,
 * as in lightweight-charts' advanced React example, so nothing is rebuilt on changes.
 */
export function PriceChart({ bars, timeframe, viewKey, theme, children }: PriceChartProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const handlesRef = useRef<ChartHandles | null>(null);
  const colorsRef = useRef<ChartColors | null>(null);
  const barsRef = useRef(bars);
  const precisionRef = useRef(2);
  const shownViewKey = useRef<string | null>(null);
  const [hoveredTime, setHoveredTime] = useState<number | null>(null);
  const [drawProblem, setDrawProblem] = useState<string | null>(null);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const chart = createChart(container, {
      autoSize: true,
      crosshair: { mode: CrosshairMode.Normal },
      // Axis labels group thousands like the legend does (146,945.92, not 146945.92).
      localization: { priceFormatter: (price: number) => formatPrice(price, precisionRef.current) },
      timeScale: { rightOffset: RIGHT_MARGIN_BARS },
    });
    const candles = chart.addSeries(CandlestickSeries, { borderVisible: false });
    const closeLine = chart.addSeries(LineSeries, { lineWidth: 2, visible: false });
    const volume = chart.addSeries(HistogramSeries, {
      priceScaleId: VOLUME_SCALE,
      priceFormat: { type: 'volume' },
      lastValueVisible: false,
      priceLineVisible: false,
    });
    chart.priceScale(VOLUME_SCALE).applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });

    const onCrosshairMove: MouseEventHandler<Time> = (param) => {
      setHoveredTime(param.time === undefined || param.point === undefined ? null : fromChartTime(param.time as UTCTimestamp));
    };
    chart.subscribeCrosshairMove(onCrosshairMove);
    handlesRef.current = { chart, candles, closeLine, volume };
    // A new chart has no view yet, so the next data must set one (also after StrictMode's remount).
    shownViewKey.current = null;
    return () => {
      chart.unsubscribeCrosshairMove(onCrosshairMove);
      chart.remove();
      handlesRef.current = null;
    };
  }, []);

  useEffect(() => {
    const handles = handlesRef.current;
    const container = containerRef.current;
    if (!handles || !container) return;
    const colors = readChartColors(container);
    colorsRef.current = colors;
    handles.chart.applyOptions({
      layout: { background: { type: ColorType.Solid, color: colors.background }, textColor: colors.text, fontSize: 11 },
      grid: { vertLines: { color: colors.grid }, horzLines: { color: colors.grid } },
      rightPriceScale: { borderColor: colors.border },
      timeScale: { borderColor: colors.border },
      crosshair: {
        vertLine: { color: colors.crosshair, labelBackgroundColor: colors.border },
        horzLine: { color: colors.crosshair, labelBackgroundColor: colors.border },
      },
    });
    handles.candles.applyOptions({ upColor: colors.up, downColor: colors.down, wickUpColor: colors.up, wickDownColor: colors.down });
    handles.closeLine.applyOptions({ color: colors.line });
    // Volume colours are stored per bar, so they are re-applied with the data.
    if (chartDataProblem(barsRef.current) === null && hasVolume(barsRef.current)) {
      handles.volume.setData(toVolumeData(barsRef.current, { up: colors.volumeUp, down: colors.volumeDown }));
    }
  }, [theme]);

  useEffect(() => {
    const intraday = timeframe !== '1d' && timeframe !== '1w' && timeframe !== '1M';
    handlesRef.current?.chart.applyOptions({ timeScale: { timeVisible: intraday, secondsVisible: false } });
  }, [timeframe]);

  useEffect(() => {
    barsRef.current = bars;
    const handles = handlesRef.current;
    const colors = colorsRef.current;
    if (!handles || !colors) return;
    const problem = chartDataProblem(bars);
    setDrawProblem(problem);
    if (problem !== null) {
      handles.candles.setData([]);
      handles.closeLine.setData([]);
      handles.volume.setData([]);
      return;
    }
    const last = bars[bars.length - 1];
    const precision = pricePrecision(last?.close ?? 0);
    precisionRef.current = precision;
    const priceFormat = { type: 'price', precision, minMove: 10 ** -precision } as const;
    const closeOnly = isCloseOnly(bars);
    handles.candles.applyOptions({ priceFormat, visible: !closeOnly });
    handles.closeLine.applyOptions({ priceFormat, visible: closeOnly });
    // Prices give the bottom of the pane to volume only when there is volume to show.
    const withVolume = hasVolume(bars);
    handles.chart.priceScale('right').applyOptions({ scaleMargins: { top: 0.08, bottom: withVolume ? 0.26 : 0.06 } });
    try {
      handles.candles.setData(closeOnly ? [] : toCandleData(bars));
      handles.closeLine.setData(closeOnly ? toCloseLineData(bars) : []);
      handles.volume.setData(withVolume ? toVolumeData(bars, { up: colors.volumeUp, down: colors.volumeDown }) : []);
    } catch {
      // The library throws on data it cannot place; one bad series must not take the app down.
      setDrawProblem('the chart library rejected them');
      return;
    }
    if (shownViewKey.current !== viewKey && bars.length > 0) {
      shownViewKey.current = viewKey;
      handles.chart.timeScale().setVisibleLogicalRange({
        from: Math.max(0, bars.length - BARS_IN_VIEW) - 0.5,
        to: bars.length - 1 + RIGHT_MARGIN_BARS,
      });
    }
  }, [bars, viewKey]);

  const hoveredIndex = hoveredTime === null ? -1 : indexOfBarAt(bars, hoveredTime);
  const legendIndex = hoveredIndex >= 0 ? hoveredIndex : bars.length - 1;
  const legendBar = drawProblem === null ? bars[legendIndex] : undefined;
  const closeOnly = useMemo(() => isCloseOnly(bars), [bars]);
  const withVolume = useMemo(() => hasVolume(bars), [bars]);

  return (
    <div className="price-chart" data-testid="price-chart" data-bars={bars.length}>
      <div ref={containerRef} className="price-chart__canvas" />
      {legendBar && (
        <ChartLegend
          bar={legendBar}
          previousClose={bars[legendIndex - 1]?.close}
          timeframe={timeframe}
          precision={pricePrecision(bars[bars.length - 1]?.close ?? 0)}
          closeOnly={closeOnly}
          showVolume={withVolume}
        />
      )}
      {drawProblem && (
        <div className="chart-overlay" role="alert">
          <p>These bars cannot be drawn: {drawProblem}.</p>
        </div>
      )}
      {children}
    </div>
  );
}
