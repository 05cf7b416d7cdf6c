import {
  CrosshairMode,
  PriceScaleMode,
  TickMarkType,
  createChart,
  type IChartApi,
  type LogicalRange,
  type MouseEventHandler,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import { useEffect, useEffectEvent, useRef, useState, type RefObject } from 'react';
import { isIntraday, type Timeframe } from '../../../shared/timeframes';
import type { ResolvedTheme } from '../ui/theme';
import { fromChartTime } from '../ui/format/time';
import { formatZonedBarTime, formatZonedTick, UTC_ZONE, type DisplayZone, type TickKind } from '../ui/format/zoned-time';
import { chartFrameOptions, type ChartFrameColors } from './chart-theme';

const tickKinds: Record<TickMarkType, TickKind> = {
  [TickMarkType.Year]: 'year',
  [TickMarkType.Month]: 'month',
  [TickMarkType.DayOfMonth]: 'day',
  [TickMarkType.Time]: 'time',
  [TickMarkType.TimeWithSeconds]: 'time',
};

/** Empty bars kept right of the newest one, so the last candle is not glued to the price axis. */
export const RIGHT_MARGIN_BARS = 4;

/** The top of each pane in the container, in pixels, for legends placed over the panes. */
export function measurePaneTops(chart: IChartApi, container: Element): number[] {
  const origin = container.getBoundingClientRect().top;
  return chart.panes().map((pane) => (pane.getHTMLElement()?.getBoundingClientRect().top ?? origin) - origin);
}

export interface LightweightChartOptions<Handles extends { chart: IChartApi }, Colors extends ChartFrameColors> {
  theme: ResolvedTheme;
  timeframe: Timeframe;
  /** The zone of the time axis and the crosshair's time label; UTC when absent. */
  zone?: DisplayZone;
  /** Applies to the first pane's price scale, where the prices are. */
  logScale: boolean;
  /** Adds the series that live as long as the chart; called once for each chart created. */
  createSeries(chart: IChartApi): Handles;
  /** The chart's colours, read from the theme's CSS variables on the container. */
  readColors(container: Element): Colors;
  /** Restyles the series for a new theme; the frame (background, grid, scales, crosshair) is done already. */
  applyColors(handles: Handles, colors: Colors): void;
  /** Panes may have moved (resize, crosshair drag), so legends placed over them measure again. */
  onLayout(): void;
  onVisibleRangeChange?(range: LogicalRange | null): void;
}

export interface LightweightChart<Handles, Colors> {
  containerRef: RefObject<HTMLDivElement | null>;
  /** Null until the chart exists and again after it is removed. */
  handlesRef: RefObject<Handles | null>;
  colorsRef: RefObject<Colors | null>;
  /** Epoch ms under the crosshair; null while the pointer is off the chart. */
  hoveredTime: number | null;
  /** For a crosshair set from outside (charts in sync), which fires no crosshair event. */
  setHoveredTime(time: number | null): void;
}

/**
 * A lightweight-charts chart owned by a container ref: created once with `autoSize`, restyled
 * when the theme changes, time labels and log scale following the props, removed on unmount.
 * What the chart draws stays with the caller.
 */
export function useLightweightChart<Handles extends { chart: IChartApi }, Colors extends ChartFrameColors>(
  options: LightweightChartOptions<Handles, Colors>,
): LightweightChart<Handles, Colors> {
  const { theme, timeframe, logScale } = options;
  const zone = options.zone ?? UTC_ZONE;
  const containerRef = useRef<HTMLDivElement>(null);
  const handlesRef = useRef<Handles | null>(null);
  const colorsRef = useRef<Colors | null>(null);
  const [hoveredTime, setHoveredTime] = useState<number | null>(null);

  const createSeries = useEffectEvent((chart: IChartApi) => options.createSeries(chart));
  const onLayout = useEffectEvent(() => options.onLayout());
  const onVisibleRangeChange = useEffectEvent((range: LogicalRange | null) => options.onVisibleRangeChange?.(range));
  const applyTheme = useEffectEvent((handles: Handles, container: Element) => {
    const colors = options.readColors(container);
    colorsRef.current = colors;
    handles.chart.applyOptions(chartFrameOptions(colors));
    options.applyColors(handles, colors);
  });

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const chart = createChart(container, {
      autoSize: true,
      crosshair: { mode: CrosshairMode.Normal },
      timeScale: { rightOffset: RIGHT_MARGIN_BARS },
    });
    handlesRef.current = createSeries(chart);
    const onCrosshairMove: MouseEventHandler<Time> = (param) => {
      setHoveredTime(param.time === undefined || param.point === undefined ? null : fromChartTime(param.time as UTCTimestamp));
      onLayout();
    };
    const onRangeChange = (range: LogicalRange | null) => onVisibleRangeChange(range);
    chart.subscribeCrosshairMove(onCrosshairMove);
    chart.timeScale().subscribeVisibleLogicalRangeChange(onRangeChange);
    let frame = 0;
    const resizes = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      // After the chart has laid out its panes for the new size.
      frame = requestAnimationFrame(() => onLayout());
    });
    resizes.observe(container);
    return () => {
      resizes.disconnect();
      cancelAnimationFrame(frame);
      chart.timeScale().unsubscribeVisibleLogicalRangeChange(onRangeChange);
      chart.unsubscribeCrosshairMove(onCrosshairMove);
      chart.remove();
      handlesRef.current = null;
    };
  }, []);

  useEffect(() => {
    const handles = handlesRef.current;
    const container = containerRef.current;
    if (handles && container) applyTheme(handles, container);
  }, [theme]);

  useEffect(() => {
    const intraday = isIntraday(timeframe);
    // Daily and longer bars are UTC days whatever the zone, so their labels stay in UTC.
    const labelZone = intraday ? zone : UTC_ZONE;
    handlesRef.current?.chart.applyOptions({
      localization: { timeFormatter: (time: Time) => (typeof time === 'number' ? formatZonedBarTime(fromChartTime(time as UTCTimestamp), timeframe, zone) : String(time)) },
      timeScale: {
        timeVisible: intraday,
        secondsVisible: false,
        tickMarkFormatter: (time: Time, type: TickMarkType) =>
          typeof time === 'number' ? formatZonedTick(fromChartTime(time as UTCTimestamp), tickKinds[type], labelZone) : null,
      },
    });
  }, [timeframe, zone.id]);

  useEffect(() => {
    handlesRef.current?.chart.priceScale('right', 0).applyOptions({ mode: logScale ? PriceScaleMode.Logarithmic : PriceScaleMode.Normal });
  }, [logScale]);

  return { containerRef, handlesRef, colorsRef, hoveredTime, setHoveredTime };
}
