import type { IChartApi, LogicalRange } from 'lightweight-charts';
import { useEffect, useEffectEvent, useImperativeHandle, useMemo, useRef, useState, type ReactNode, type Ref } from 'react';
import type { Bar, ChartType } from '../../../shared/domain';
import type { Timeframe } from '../../../shared/timeframes';
import type { ResolvedTheme } from '../ui/theme';
import { formatIndicatorValue, indicatorLabel, indicatorPlacement, indicatorWindow, outputNames } from './indicator-catalog';
import { formatPrice, pricePrecision } from '../ui/format/numbers';
import { UTC_ZONE, type DisplayZone } from '../ui/format/zoned-time';
import { firstIndexAtOrAfter, planChartUpdate, type BarWindow, type ChartUpdate, type IndicatorValues } from './bar-window';
import { chartDataProblem, hasVolume, indexOfBarAt, isCloseOnly } from './chart-data';
import { ChartLegend, IndicatorLegendRow, type LegendIndicator } from './chart-legend';
import { barTimeframes } from './bar-spans';
import { holeInWindow, holesOf, seamsOf, SpanSeams } from './span-seams';
import { ForecastOverlay, type ForecastColors, type ForecastMark } from './forecast-overlay';
import { AlertLines, type AlertLine, type AlertLineEvents } from './alert-lines';
import type { ChartSync } from './chart-sync';
import { ChartDrawings, type ChartDrawingEvents, type ChartDrawingsState } from './chart-drawings';
import {
  clearIndicatorData,
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
import { PriceSeries, VOLUME_PANE_STRETCH, priceDrawing, pricesFormat } from './price-series';
import './price-chart.css';

/** Bars in view after switching symbol or timeframe: enough history, candles still readable. */
const BARS_IN_VIEW = 180;
/** The price pane's height against each indicator pane's 1: prices stay the main thing. */
const PRICE_PANE_STRETCH = 3;
/** Older history is requested while fewer bars than this (or half a screen) remain to the left. */
const NEAR_START_BARS = 50;

interface ChartHandles {
  chart: IChartApi;
  prices: PriceSeries;
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
  /**
   * Delivers each new window the moment it arrives (returning the unsubscribe), so the chart
   * draws it straight away instead of after React has rendered the screen around it.
   */
  onWindow?(listener: (next: ChartWindow) => void): () => void;
  timeframe: Timeframe;
  /** The zone of the time axis, the crosshair and the legend; UTC when absent. */
  zone?: DisplayZone;
  theme: ResolvedTheme;
  logScale: boolean;
  /** How prices are drawn; candles when absent. Close-only data is always a line. */
  chartType?: ChartType;
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
  volumePane: number | null;
  /** Per pane, how many series label their last value on its price axis. */
  axisLabels: readonly number[];
}

function samePaneLayout(a: PaneLayout, b: PaneLayout): boolean {
  if (a.tops.length !== b.tops.length || a.paneOf.size !== b.paneOf.size || a.volumePane !== b.volumePane) return false;
  if (a.axisLabels.join() !== b.axisLabels.join()) return false;
  return a.tops.every((top, i) => top === b.tops[i]) && [...a.paneOf].every(([id, pane]) => b.paneOf.get(id) === pane);
}

/** What the chart currently draws, to tell the next window's changes apart. */
interface ShownState {
  /** The window, chart type and colour slots last applied: the same again needs no work. */
  applied: { window: ChartWindow; chartType: ChartType; slots: ReadonlyMap<string, number> } | null;
  key: string | null;
  bars: readonly Bar[];
  drawing: ChartType;
  precision: number;
  indicators: Map<string, { handle: IndicatorSeriesHandle; outputs: Readonly<Record<string, IndicatorValues>> | null }>;
}

const noForecast: readonly ForecastMark[] = [];
const noAlertLines: readonly AlertLine[] = [];
const ignoreAlertEvents: AlertLineEvents = { onMove: () => {}, onPlace: () => {} };
const noDrawings: ChartDrawingsState = { list: [], tool: null, selectedId: null, events: { onCreate: () => {}, onMove: () => {}, onSelect: () => {}, onEditText: () => {} } };

const nothingShown = (): ShownState => ({ applied: null, key: null, bars: [], drawing: 'candles', precision: 2, indicators: new Map() });

/** A level dragged or clicked to, at the chart's price precision. */
function roundPrice(price: number, precision: number): number {
  return Number(price.toFixed(precision));
}

/** Stretch of each pane: prices stay the main thing, volume is a strip under them. */
function paneStretch(index: number, volumePane: number | null): number {
  if (index === 0) return PRICE_PANE_STRETCH;
  return index === volumePane ? VOLUME_PANE_STRETCH : 1;
}

/**
 * Prices (candles, OHLC bars, a line or Heikin-Ashi) with volume in a pane under them, indicator
 * overlays and indicator panes, and a crosshair legend. The chart and its price series are created once; indicator
 * series are created when an indicator arrives and removed when it goes. Each new window is
 * compared with what is drawn (planChartUpdate): older history is set and the view shifted by
 * the bars added, newer bars go through update(), so nothing is rebuilt on a tick.
 */
export function PriceChart({
  data,
  onWindow,
  timeframe,
  zone = UTC_ZONE,
  theme,
  logScale,
  chartType = 'candles',
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
  const [panes, setPanes] = useState<PaneLayout>({ tops: [], paneOf: new Map(), volumePane: null, axisLabels: [] });

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
      const prices = new PriceSeries(chart);
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
      return { chart, prices, seams, forecast: forecastOverlay, alerts, drawings: chartDrawings };
    },
    readColors: readChartColors,
    applyColors: (handles, themed) => {
      setColors(themed);
      handles.prices.restyle(themed);
      handles.seams.restyle(themed.indicators.guide);
      handles.forecast.restyle(themed.forecast);
      handles.drawings.restyle();
      // Volume and MACD histogram colours are stored per bar, so they are set again with the data.
      const shown = shownRef.current;
      handles.prices.recolorVolume(shown.bars, themed);
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
    const axisLabels = handles.chart.panes().map(
      (pane) => pane.getSeries().filter((series) => series.options().visible && series.options().lastValueVisible && !series.lastValueData(true).noData).length,
    );
    const next = { tops, paneOf, volumePane: handles.prices.volumePaneIndex, axisLabels };
    setPanes((previous) => (samePaneLayout(previous, next) ? previous : next));
  };

  useImperativeHandle(
    ref,
    () => ({
      screenshot: () => handlesRef.current?.chart.takeScreenshot() ?? null,
      visibleLogicalRange: () => handlesRef.current?.chart.timeScale().getVisibleLogicalRange() ?? null,
    }),
    [handlesRef],
  );

  /** Draws the prices of the window; true when the volume pane came or went. */
  const applyPrices = (handles: ChartHandles, colors: ChartColors, bars: readonly Bar[], plan: ChartUpdate): boolean => {
    const shown = shownRef.current;
    if (plan.kind === 'tail') {
      handles.prices.updateTail(bars, plan.from);
      return false;
    }
    const precision = pricePrecision(bars[bars.length - 1]?.close ?? 0);
    const drawing = priceDrawing(chartType, isCloseOnly(bars));
    Object.assign(shown, { drawing, precision });
    return handles.prices.setBars(bars, drawing, hasVolume(bars), precision, colors);
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
    handles.prices.clear();
    for (const { handle } of shownRef.current.indicators.values()) removeIndicatorSeries(handles.chart, handle);
    shownRef.current.indicators.clear();
  };

  const showWindow = useEffectEvent((next: ChartWindow | null) => {
    const handles = handlesRef.current;
    const colors = colorsRef.current;
    if (!handles || !colors || next === null) return;
    const shown = shownRef.current;
    const { applied } = shown;
    if (applied && applied.window === next && applied.chartType === chartType && applied.slots === indicatorSlots) return;
    shown.applied = { window: next, chartType, slots: indicatorSlots };
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
        if (containerRef.current?.parentElement) containerRef.current.parentElement.dataset.bars = '0';
        return;
      }
      if (reset) {
        // Another series shares no bar times with the one shown. Emptied first, lightweight-charts
        // does not merge both sets of times into its time scale again with every series set.
        handles.prices.emptyData();
        for (const { handle } of shown.indicators.values()) clearIndicatorData(handle);
      }
      const plan: ChartUpdate = reset ? { kind: 'replace' } : planChartUpdate(shown.bars, next.bars);
      // Another chart type redraws the prices from the bars held; indicators stay as they are.
      const redraw = (plan.kind === 'none' || plan.kind === 'tail') && shown.drawing !== priceDrawing(chartType, isCloseOnly(next.bars));
      const pricePlan: ChartUpdate = redraw ? { kind: 'replace' } : plan;
      let panesChanged = pricePlan.kind !== 'none' && applyPrices(handles, colors, next.bars, pricePlan);
      // How the last change was drawn, which view and how many bars it holds, for tests,
      // benchmarks and anyone inspecting a chart that misbehaves; set here rather than rendered,
      // so they tell what the chart draws, the moment it draws it.
      const element = containerRef.current?.parentElement;
      if (pricePlan.kind !== 'none' && element) {
        element.dataset.lastChange = pricePlan.kind;
        element.dataset.view = next.key;
        element.dataset.bars = String(next.bars.length);
      }
      panesChanged = applyIndicators(handles, colors, next, plan) || panesChanged;
      handles.seams.set([...seamsOf(next.spans), ...holesOf(next.bars, timeframe)], colors.indicators.guide);
      if (plan.kind !== 'none') handles.drawings.setBars(next.bars, timeframe);
      shown.bars = next.bars;
      shown.key = next.key;
      if (panesChanged) {
        const volumePane = handles.prices.volumePaneIndex;
        handles.chart.panes().forEach((pane, index) => pane.setStretchFactor(paneStretch(index, volumePane)));
      }
      // Another chart type labels the price axis differently.
      if (panesChanged || redraw) requestAnimationFrame(() => measurePanes());
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

  useEffect(() => showWindow(data), [data, indicatorSlots, chartType]);
  useEffect(() => onWindow?.((next) => showWindow(next)), [onWindow]);

  const drawingShown = priceDrawing(chartType, data !== null && isCloseOnly(data.bars));
  useEffect(() => {
    const handles = handlesRef.current;
    if (handles && colors) handles.alerts.set(handles.prices.active, alertLines, colors.alert);
  }, [alertLines, drawingShown, colors, handlesRef]);
  useEffect(() => handlesRef.current?.alerts.setPlacing(placingAlert), [placingAlert, handlesRef]);
  useEffect(() => {
    const handles = handlesRef.current;
    if (!handles) return;
    handles.drawings.setSeries(handles.prices.active);
    handles.drawings.set(drawings.list, drawings.selectedId);
  }, [drawings.list, drawings.selectedId, drawingShown, handlesRef]);
  useEffect(() => handlesRef.current?.drawings.setTool(drawings.tool), [drawings.tool, handlesRef]);

  const timeframeShown = useEffectEvent(() => timeframe);
  useEffect(() => {
    const handles = handlesRef.current;
    if (!sync || !handles) return;
    return sync.join({
      chart: handles.chart,
      priceSeries: () => handles.prices.active,
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
      data-chart-type={drawingShown}
      data-seams={Math.max(0, (spans?.length ?? 0) - 1)}
      data-holes={holes.length}
      data-panes={panes.tops.length}
      data-volume-pane={panes.volumePane ?? 'none'}
      data-axis-labels={panes.axisLabels.join(',')}
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
