import {
  CandlestickSeries,
  HistogramSeries,
  LineSeries,
  type IChartApi,
  type ISeriesApi,
  type LogicalRange,
} from 'lightweight-charts';
import { useEffect, useEffectEvent, useImperativeHandle, useMemo, useRef, useState, type ReactNode, type Ref } from 'react';
import type { Bar } from '../../../shared/domain';
import type { Timeframe } from '../../../shared/timeframes';
import type { ResolvedTheme } from '../ui/theme';
import { formatIndicatorValue, indicatorLabel, indicatorPlacement, indicatorWindow, outputNames } from './indicator-catalog';
import { formatPrice, pricePrecision } from '../ui/format/numbers';
import { toChartTime } from '../ui/format/time';
import { UTC_ZONE, type DisplayZone } from '../ui/format/zoned-time';
import { firstIndexAtOrAfter, planChartUpdate, type BarWindow, type ChartUpdate, type IndicatorValues } from './bar-window';
import { chartDataProblem, hasVolume, indexOfBarAt, isCloseOnly, toCandleData, toCloseLineData, toVolumeData } from './chart-data';
import { ChartLegend, IndicatorLegendRow, type LegendIndicator } from './chart-legend';
import { barTimeframes } from './bar-spans';
import { holeInWindow, holesOf, seamsOf, SpanSeams } from './span-seams';
import { ForecastOverlay, type ForecastColors, type ForecastMark } from './forecast-overlay';
import { AlertLines, type AlertLine, type AlertLineEvents } from './alert-lines';
import type { ChartSync } from './chart-sync';
import { ChartDrawings, type ChartDrawingEvents, type ChartDrawingsState } from './chart-drawings';
import {
  createIndicatorSeries,
  indicatorOutputColor,
  indicatorPaneIndex,
  removeIndicatorSeries,
  restyleIndicatorSeries,
  setIndicatorData,
  updateIndicatorTail,
  type IndicatorColors,
  type IndicatorSeriesHandle,
} from './indicator-series';
import { cssVariableReader, readFrameColors, type ChartFrameColors } from './chart-theme';
import { RIGHT_MARGIN_BARS, measurePaneTops, useLightweightChart } from './use-lightweight-chart';
import './price-chart.css';

const VOLUME_SCALE = 'volume';
/** Bars in view after switching symbol or timeframe: enough history, candles still readable. */
const BARS_IN_VIEW = 180;
/** The price pane's height against each indicator pane's 1: prices stay the main thing. */
const PRICE_PANE_STRETCH = 3;
/** Older history is requested while fewer bars than this (or half a screen) remain to the left. */
const NEAR_START_BARS = 50;

interface ChartHandles {
  chart: IChartApi;
  candles: ISeriesApi<'Candlestick'>;
  /** Shown instead of the candles for close-only data. */
  closeLine: ISeriesApi<'Line'>;
  volume: ISeriesApi<'Histogram'>;
  seams: SpanSeams;
  forecast: ForecastOverlay;
  alerts: AlertLines;
  drawings: ChartDrawings;
}

interface ChartColors extends ChartFrameColors {
  up: string;
  down: string;
  line: string;
  volumeUp: string;
  volumeDown: string;
  indicators: IndicatorColors;
  forecast: ForecastColors;
  alert: string;
}

/** Chart colours come from the same CSS variables as the rest of the UI, so themes stay in one place. */
function readChartColors(element: Element): ChartColors {
  const read = cssVariableReader(element);
  return {
    ...readFrameColors(read),
    up: read('--chart-up'),
    down: read('--chart-down'),
    line: read('--chart-line'),
    volumeUp: read('--chart-volume-up'),
    volumeDown: read('--chart-volume-down'),
    indicators: {
      slots: [0, 1, 2, 3, 4, 5].map((slot) => read(`--indicator-${slot}`)),
      signal: read('--indicator-signal'),
      guide: read('--indicator-guide'),
      histogramUp: read('--chart-up'),
      histogramUpFading: read('--chart-volume-up'),
      histogramDown: read('--chart-down'),
      histogramDownFading: read('--chart-volume-down'),
    },
    forecast: { line: read('--forecast-line'), band: read('--forecast-band'), outOfDistribution: read('--forecast-ood') },
    alert: read('--chart-alert'),
  };
}

/** A window of bars and the series it belongs to; the view resets only when `key` changes. */
export interface ChartWindow extends BarWindow {
  key: string;
}

export interface PriceChartHandle {
  /** The chart with all its panes as a canvas (the HTML legend is not part of it). */
  screenshot(): HTMLCanvasElement | null;
  visibleLogicalRange(): { from: number; to: number } | null;
}

export interface PriceChartProps {
  data: ChartWindow | null;
  timeframe: Timeframe;
  /** The zone of the time axis, the crosshair and the legend; UTC when absent. */
  zone?: DisplayZone;
  theme: ResolvedTheme;
  logScale: boolean;
  /** Colour slot of each indicator by id. */
  indicatorSlots: ReadonlyMap<string, number>;
  /** Epoch ms the view should start at when a new series opens; null shows the latest bars. */
  viewStart: number | null;
  /** The view came close to the oldest bar held. */
  onNearStart(): void;
  /** A model's forecast with its interval over the prices; empty draws none. */
  forecast?: readonly ForecastMark[];
  /** Price alert levels of this symbol, drawn as lines that can be dragged to a new level. */
  alertLines?: readonly AlertLine[];
  /** What dragging a line and Alt+click (or a click while `placingAlert`) do; without it lines are fixed. */
  alertEvents?: AlertLineEvents;
  placingAlert?: boolean;
  /** Charts of the same window that share this one's crosshair and time. */
  sync?: ChartSync;
  /** The instrument's drawings, the tool in hand and the selection; without it nothing is drawn or drawable. */
  drawings?: ChartDrawingsState;
  ref?: Ref<PriceChartHandle>;
  /** Messages and actions drawn over the chart (loading, no data). */
  children?: ReactNode;
}

/** Top of each pane in the container, and the pane each indicator draws in. */
interface PaneLayout {
  tops: readonly number[];
  paneOf: ReadonlyMap<string, number>;
}

function samePaneLayout(a: PaneLayout, b: PaneLayout): boolean {
  if (a.tops.length !== b.tops.length || a.paneOf.size !== b.paneOf.size) return false;
  return a.tops.every((top, i) => top === b.tops[i]) && [...a.paneOf].every(([id, pane]) => b.paneOf.get(id) === pane);
}

/** What the chart currently draws, to tell the next window's changes apart. */
interface ShownState {
  key: string | null;
  bars: readonly Bar[];
  closeOnly: boolean;
  withVolume: boolean;
  precision: number;
  indicators: Map<string, { handle: IndicatorSeriesHandle; outputs: Readonly<Record<string, IndicatorValues>> | null }>;
}

const noForecast: readonly ForecastMark[] = [];
const noAlertLines: readonly AlertLine[] = [];
const ignoreAlertEvents: AlertLineEvents = { onMove: () => {}, onPlace: () => {} };
const noDrawings: ChartDrawingsState = { list: [], tool: null, selectedId: null, events: { onCreate: () => {}, onMove: () => {}, onSelect: () => {}, onEditText: () => {} } };

const nothingShown = (): ShownState => ({ key: null, bars: [], closeOnly: false, withVolume: false, precision: 2, indicators: new Map() });

/** A level dragged or clicked to, at the chart's price precision. */
function roundPrice(price: number, precision: number): number {
  return Number(price.toFixed(precision));
}

function pricesFormat(precision: number) {
  // Per series rather than chart-wide, so oscillator panes keep their own formats.
  return { type: 'custom', minMove: 10 ** -precision, formatter: (price: number) => formatPrice(price, precision) } as const;
}

/**
 * Candlesticks with volume at the bottom of the price pane, indicator overlays and indicator
 * panes, and a crosshair legend. The chart and its price series are created once; indicator
 * series are created when an indicator arrives and removed when it goes. Each new window is
 * compared with what is drawn (planChartUpdate): older history is set and the view shifted by
 * the bars added, newer bars go through update(), so nothing is rebuilt on a tick.
 */
export function PriceChart({
  data,
  timeframe,
  zone = UTC_ZONE,
  theme,
  logScale,
  indicatorSlots,
  viewStart,
  onNearStart,
  forecast = noForecast,
  alertLines = noAlertLines,
  alertEvents = ignoreAlertEvents,
  placingAlert = false,
  sync,
  drawings = noDrawings,
  ref,
  children,
}: PriceChartProps) {
  const shownRef = useRef<ShownState>(nothingShown());
  // While data is being set the view jumps about; those moves are not the user scrolling back.
  const applyingRef = useRef(false);
  const [drawProblem, setDrawProblem] = useState<string | null>(null);
  const [colors, setColors] = useState<ChartColors | null>(null);
  const [panes, setPanes] = useState<PaneLayout>({ tops: [], paneOf: new Map() });

  const nearStart = useEffectEvent(onNearStart);
  const moveAlert = useEffectEvent((id: string, price: number) => alertEvents.onMove(id, price));
  const placeAlert = useEffectEvent((price: number) => alertEvents.onPlace(price));
  const drawingEvents = useEffectEvent(() => drawings.events);
  const forwardDrawingEvents: ChartDrawingEvents = {
    onCreate: (draft) => drawingEvents().onCreate(draft),
    onMove: (id, points) => drawingEvents().onMove(id, points),
    onSelect: (id) => drawingEvents().onSelect(id),
    onEditText: (id) => drawingEvents().onEditText(id),
  };
  const checkNearStart = useEffectEvent((range: LogicalRange | null) => {
    if (range === null || applyingRef.current || shownRef.current.bars.length === 0) return;
    if (range.from < Math.max(NEAR_START_BARS, (range.to - range.from) / 2)) nearStart();
  });

  const { containerRef, handlesRef, colorsRef, hoveredTime, setHoveredTime } = useLightweightChart<ChartHandles, ChartColors>({
    theme,
    timeframe,
    zone,
    logScale,
    createSeries: (chart) => {
      const candles = chart.addSeries(CandlestickSeries, { borderVisible: false });
      const closeLine = chart.addSeries(LineSeries, { lineWidth: 2, visible: false });
      const volume = chart.addSeries(HistogramSeries, {
        priceScaleId: VOLUME_SCALE,
        priceFormat: { type: 'volume' },
        lastValueVisible: false,
        priceLineVisible: false,
      });
      chart.priceScale(VOLUME_SCALE).applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
      const seams = new SpanSeams();
      chart.panes()[0]!.attachPrimitive(seams);
      const forecastOverlay = new ForecastOverlay(chart);
      const alerts = new AlertLines(chart, { onMove: moveAlert, onPlace: placeAlert }, (price) => roundPrice(price, shownRef.current.precision));
      // After the alert lines: a press on an alert line is theirs.
      const chartDrawings = new ChartDrawings(
        chart,
        forwardDrawingEvents,
        (price) => roundPrice(price, shownRef.current.precision),
        (price) => formatPrice(price, shownRef.current.precision),
      );
      // A new chart draws nothing yet, so the next window is applied in full (also after StrictMode's remount).
      shownRef.current = nothingShown();
      return { chart, candles, closeLine, volume, seams, forecast: forecastOverlay, alerts, drawings: chartDrawings };
    },
    readColors: readChartColors,
    applyColors: (handles, themed) => {
      setColors(themed);
      handles.candles.applyOptions({ upColor: themed.up, downColor: themed.down, wickUpColor: themed.up, wickDownColor: themed.down });
      handles.closeLine.applyOptions({ color: themed.line });
      handles.seams.restyle(themed.indicators.guide);
      handles.forecast.restyle(themed.forecast);
      handles.drawings.restyle();
      // Volume and MACD histogram colours are stored per bar, so they are set again with the data.
      const shown = shownRef.current;
      if (shown.withVolume) handles.volume.setData(toVolumeData(shown.bars, { up: themed.volumeUp, down: themed.volumeDown }));
      for (const { handle, outputs } of shown.indicators.values()) {
        restyleIndicatorSeries(handle, themed.indicators);
        if (outputs) setIndicatorData(handle, shown.bars, outputs, themed.indicators, shown.precision);
      }
    },
    onLayout: () => measurePanes(),
    onVisibleRangeChange: checkNearStart,
  });

  /** Where each pane starts, for the indicator legends; panes move when added, removed or dragged. */
  const measurePanes = () => {
    const handles = handlesRef.current;
    const container = containerRef.current;
    if (!handles || !container) return;
    const tops = measurePaneTops(handles.chart, container);
    const paneOf = new Map([...shownRef.current.indicators].map(([id, { handle }]) => [id, indicatorPaneIndex(handle)]));
    setPanes((previous) => (samePaneLayout(previous, { tops, paneOf }) ? previous : { tops, paneOf }));
  };

  useImperativeHandle(
    ref,
    () => ({
      screenshot: () => handlesRef.current?.chart.takeScreenshot() ?? null,
      visibleLogicalRange: () => handlesRef.current?.chart.timeScale().getVisibleLogicalRange() ?? null,
    }),
    [handlesRef],
  );

  const applyPrices = (handles: ChartHandles, colors: ChartColors, bars: readonly Bar[], plan: ChartUpdate): void => {
    const shown = shownRef.current;
    if (plan.kind === 'tail') {
      for (let i = plan.from; i < bars.length; i++) {
        const bar = bars[i]!;
        const time = toChartTime(bar.time);
        if (shown.closeOnly) handles.closeLine.update({ time, value: bar.close });
        else handles.candles.update({ time, open: bar.open, high: bar.high, low: bar.low, close: bar.close });
        if (shown.withVolume) handles.volume.update({ time, value: bar.volume, color: bar.close >= bar.open ? colors.volumeUp : colors.volumeDown });
      }
      return;
    }
    const precision = pricePrecision(bars[bars.length - 1]?.close ?? 0);
    const closeOnly = isCloseOnly(bars);
    const withVolume = hasVolume(bars);
    handles.candles.applyOptions({ priceFormat: pricesFormat(precision), visible: !closeOnly });
    handles.closeLine.applyOptions({ priceFormat: pricesFormat(precision), visible: closeOnly });
    // Prices give the bottom of the pane to volume only when there is volume to show.
    handles.chart.priceScale('right').applyOptions({ scaleMargins: { top: 0.08, bottom: withVolume ? 0.26 : 0.06 } });
    handles.candles.setData(closeOnly ? [] : toCandleData(bars));
    handles.closeLine.setData(closeOnly ? toCloseLineData(bars) : []);
    handles.volume.setData(withVolume ? toVolumeData(bars, { up: colors.volumeUp, down: colors.volumeDown }) : []);
    Object.assign(shown, { closeOnly, withVolume, precision });
  };

  /** Creates, updates and removes indicator series to match the window; true when panes came or went. */
  const applyIndicators = (handles: ChartHandles, colors: ChartColors, next: ChartWindow, plan: ChartUpdate): boolean => {
    const shown = shownRef.current;
    let panesChanged = false;
    const wanted = new Set(next.indicators.map((series) => series.id));
    for (const [id, { handle }] of shown.indicators) {
      if (wanted.has(id)) continue;
      panesChanged ||= indicatorPlacement(handle.spec.kind) === 'pane';
      removeIndicatorSeries(handles.chart, handle);
      shown.indicators.delete(id);
    }
    for (const series of next.indicators) {
      const slot = indicatorSlots.get(series.id) ?? 0;
      let entry = shown.indicators.get(series.id);
      if (!entry) {
        entry = { handle: createIndicatorSeries(handles.chart, { id: series.id, spec: series.spec, slot }, colors.indicators), outputs: null };
        shown.indicators.set(series.id, entry);
        panesChanged ||= indicatorPlacement(series.spec.kind) === 'pane';
      } else if (entry.handle.slot !== slot) {
        entry.handle.slot = slot;
        restyleIndicatorSeries(entry.handle, colors.indicators);
      }
      if (entry.outputs === series.outputs && (plan.kind === 'none' || plan.kind === 'tail')) continue;
      if (plan.kind === 'tail' && entry.outputs !== null) updateIndicatorTail(entry.handle, next.bars, series.outputs, plan.from, colors.indicators);
      else setIndicatorData(entry.handle, next.bars, series.outputs, colors.indicators, shown.precision);
      entry.outputs = series.outputs;
    }
    return panesChanged;
  };

  const clearChart = (handles: ChartHandles) => {
    handles.seams.set([], colorsRef.current?.indicators.guide ?? '');
    handles.candles.setData([]);
    handles.closeLine.setData([]);
    handles.volume.setData([]);
    for (const { handle } of shownRef.current.indicators.values()) removeIndicatorSeries(handles.chart, handle);
    shownRef.current.indicators.clear();
  };

  const showWindow = useEffectEvent((next: ChartWindow | null) => {
    const handles = handlesRef.current;
    const colors = colorsRef.current;
    if (!handles || !colors || next === null) return;
    const shown = shownRef.current;
    const reset = shown.key !== next.key;
    const problem = chartDataProblem(next.bars);
    setDrawProblem(problem);
    const timeScale = handles.chart.timeScale();
    const before = timeScale.getVisibleLogicalRange();
    applyingRef.current = true;
    try {
      if (problem !== null) {
        clearChart(handles);
        Object.assign(shown, { key: next.key, bars: [] });
        return;
      }
      const plan: ChartUpdate = reset ? { kind: 'replace' } : planChartUpdate(shown.bars, next.bars);
      if (plan.kind !== 'none') applyPrices(handles, colors, next.bars, plan);
      // How the last change was drawn and which view it holds, for tests, benchmarks and anyone
      // inspecting a chart that misbehaves.
      const element = containerRef.current?.parentElement;
      if (plan.kind !== 'none' && element) {
        element.dataset.lastChange = plan.kind;
        element.dataset.view = next.key;
      }
      const panesChanged = applyIndicators(handles, colors, next, plan);
      handles.seams.set([...seamsOf(next.spans), ...holesOf(next.bars, timeframe)], colors.indicators.guide);
      if (plan.kind !== 'none') handles.drawings.setBars(next.bars, timeframe);
      shown.bars = next.bars;
      shown.key = next.key;
      if (panesChanged) {
        handles.chart.panes().forEach((pane, index) => pane.setStretchFactor(index === 0 ? PRICE_PANE_STRETCH : 1));
        requestAnimationFrame(() => measurePanes());
      }
      if (reset && next.bars.length > 0) {
        const start = viewStart === null ? -1 : firstIndexAtOrAfter(next.bars, viewStart);
        const from = start >= 0 && start < next.bars.length ? start : Math.max(0, next.bars.length - BARS_IN_VIEW);
        timeScale.setVisibleLogicalRange({ from: from - 0.5, to: next.bars.length - 1 + RIGHT_MARGIN_BARS });
      } else if (plan.kind === 'prepend' && before !== null) {
        timeScale.setVisibleLogicalRange({ from: before.from + plan.added, to: before.to + plan.added });
      }
    } catch {
      // The library throws on data it cannot place; one bad series must not take the app down.
      clearChart(handles);
      Object.assign(shown, { key: next.key, bars: [] });
      setDrawProblem('the chart library rejected them');
    } finally {
      applyingRef.current = false;
    }
    checkNearStart(timeScale.getVisibleLogicalRange());
  });

  useEffect(() => showWindow(data), [data, indicatorSlots]);

  const closeOnlyShown = data !== null && isCloseOnly(data.bars);
  useEffect(() => {
    const handles = handlesRef.current;
    if (handles && colors) handles.alerts.set(closeOnlyShown ? handles.closeLine : handles.candles, alertLines, colors.alert);
  }, [alertLines, closeOnlyShown, colors, handlesRef]);
  useEffect(() => handlesRef.current?.alerts.setPlacing(placingAlert), [placingAlert, handlesRef]);
  useEffect(() => {
    const handles = handlesRef.current;
    if (!handles) return;
    handles.drawings.setSeries(closeOnlyShown ? handles.closeLine : handles.candles);
    handles.drawings.set(drawings.list, drawings.selectedId);
  }, [drawings.list, drawings.selectedId, closeOnlyShown, handlesRef]);
  useEffect(() => handlesRef.current?.drawings.setTool(drawings.tool), [drawings.tool, handlesRef]);

  const timeframeShown = useEffectEvent(() => timeframe);
  useEffect(() => {
    const handles = handlesRef.current;
    if (!sync || !handles) return;
    return sync.join({
      chart: handles.chart,
      priceSeries: () => (shownRef.current.closeOnly ? handles.closeLine : handles.candles),
      bars: () => shownRef.current.bars,
      timeframe: timeframeShown,
      showHovered: setHoveredTime,
    });
  }, [sync, handlesRef, setHoveredTime]);

  const precisionShown = pricePrecision(data?.bars.at(-1)?.close ?? forecast.at(-1)?.predicted ?? 0);
  useEffect(() => {
    handlesRef.current?.forecast.set(forecast, pricesFormat(precisionShown));
  }, [forecast, precisionShown, handlesRef]);

  const bars = drawProblem === null ? (data?.bars ?? []) : [];
  const hoveredIndex = hoveredTime === null ? -1 : indexOfBarAt(bars, hoveredTime);
  const legendIndex = hoveredIndex >= 0 ? hoveredIndex : bars.length - 1;
  const legendBar = bars[legendIndex];
  const closeOnly = useMemo(() => isCloseOnly(bars), [bars]);
  const withVolume = useMemo(() => hasVolume(bars), [bars]);
  const spans = data?.spans;
  // Only a chart that mixes stored timeframes says per bar which one built it.
  const storedAs = useMemo(() => (spans && spans.length > 1 ? barTimeframes(bars, spans) : null), [bars, spans]);
  const precision = pricePrecision(bars[bars.length - 1]?.close ?? 0);
  const holes = useMemo(() => holesOf(bars, timeframe), [bars, timeframe]);

  const legends: (LegendIndicator & { paneIndex: number | undefined })[] = [];
  for (const series of drawProblem === null ? (data?.indicators ?? []) : []) {
    if (colors === null) break;
    const handle = { spec: series.spec, slot: indicatorSlots.get(series.id) ?? 0 };
    const values = outputNames(series.spec).map((name) => ({
      name,
      text: formatIndicatorValue(series.spec.kind, series.outputs[name]?.[legendIndex], precision),
      color: indicatorOutputColor(handle, name, series.outputs[name], legendIndex, colors.indicators),
    }));
    legends.push({
      id: series.id,
      label: indicatorLabel(series.spec),
      color: indicatorOutputColor(handle, outputNames(series.spec)[0] ?? 'value', undefined, 0, colors.indicators),
      values,
      holeNote: holeInWindow(bars, holes, legendIndex, indicatorWindow(series.spec)),
      paneIndex: indicatorPlacement(series.spec.kind) === 'pane' ? panes.paneOf.get(series.id) : 0,
    });
  }

  return (
    <div
      className="price-chart"
      data-testid="price-chart"
      data-bars={bars.length}
      data-seams={Math.max(0, (spans?.length ?? 0) - 1)}
      data-holes={holes.length}
      data-panes={panes.tops.length}
      data-scale={logScale ? 'log' : 'linear'}
      data-forecast-points={forecast.length}
    >
      <div ref={containerRef} className="price-chart__canvas" />
      {legendBar && (
        <ChartLegend
          bar={legendBar}
          previousClose={bars[legendIndex - 1]?.close}
          timeframe={timeframe}
          zone={zone}
          precision={precision}
          closeOnly={closeOnly}
          showVolume={withVolume}
          storedAs={storedAs?.[legendIndex]}
          overlays={legends.filter((legend) => legend.paneIndex === 0)}
        />
      )}
      {legendBar &&
        legends.map((legend) => {
          const top = legend.paneIndex ? panes.tops[legend.paneIndex] : undefined;
          return (
            top !== undefined && (
              <div key={legend.id} className="chart-legend chart-legend--pane" style={{ top: top + 4 }}>
                <IndicatorLegendRow indicator={legend} />
              </div>
            )
          );
        })}
      {drawProblem && (
        <div className="chart-overlay" role="alert">
          <p>These bars cannot be drawn: {drawProblem}.</p>
        </div>
      )}
      {children}
    </div>
  );
}
