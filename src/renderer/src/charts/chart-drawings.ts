/**
 * A trader's drawings on the price pane, drawn by one lightweight-charts series primitive:
 * horizontal lines (with their price on the axis), trend lines, rays, rectangles, Fibonacci
 * retracements and text notes. Points are (time, price), placed among the bars shown by
 * drawing-geometry, so one drawing lands in the same place on every timeframe.
 *
 * The library has no drawing interaction, so the chart element's pointer events do it, as the
 * alert lines do: with a tool chosen, a click places a one-point drawing and two clicks (or a
 * press, drag and release) a two-point one; without, a press on a drawing selects it and
 * dragging moves it, or one of its points when pressed on a handle. Holding Shift snaps each
 * point to the nearest open, high, low or close. The chart's own panning pauses meanwhile.
 */
import type {
  IChartApi,
  IPrimitivePaneRenderer,
  IPrimitivePaneView,
  ISeriesApi,
  ISeriesPrimitive,
  ISeriesPrimitiveAxisView,
  Logical,
  PrimitiveHoveredItem,
  SeriesAttachedParameter,
  SeriesType,
  Time,
} from 'lightweight-charts';
import { drawingPointCounts, type DrawingKind } from '../../../shared/drawing-kinds';
import type { Drawing, DrawingPoint } from '../../../shared/drawings';
import { nominalTimeframeMs, type Timeframe } from '../../../shared/timeframes';
import type { BarTimeline } from './bar-window';
import { cssVariableReader } from './chart-theme';
import {
  boxOf,
  distanceToDrawing,
  fibonacciPrices,
  logicalToTime,
  snapToOhlc,
  timeToLogical,
  translatePoints,
  type PixelBox,
  type PixelPoint,
  type SnapBar,
} from './drawing-geometry';
import './drawings.css';

/** The tool in hand: a kind to draw, or null to select and move. */
export type DrawingTool = DrawingKind | null;

export interface DrawingDraft {
  kind: DrawingKind;
  points: DrawingPoint[];
}

export interface ChartDrawingEvents {
  /** A drawing was placed with the tool in hand (a note still needs its text). */
  onCreate(draft: DrawingDraft): void;
  /** A drawing was dropped with these points. */
  onMove(id: string, points: DrawingPoint[]): void;
  /** A drawing was pressed (its id) or the chart off any drawing (null). */
  onSelect(id: string | null): void;
  /** A note was double-clicked. */
  onEditText(id: string): void;
}

/** What a chart shows of one instrument's drawings, and where it reports what the pointer did. */
export interface ChartDrawingsState {
  list: readonly Drawing[];
  tool: DrawingTool;
  selectedId: string | null;
  events: ChartDrawingEvents;
}

interface DrawingColors {
  line: string;
  selected: string;
  fill: string;
  text: string;
  textBackground: string;
}

/** How close, in pixels, a press must be to a drawing to pick it, and to a handle to pick that point. */
const GRAB_DISTANCE = 6;
const HANDLE_RADIUS = 4.5;
/** A press that moves less than this before its release is a click: the second point comes with the next one. */
const CLICK_SLOP = 4;
const NOTE_FONT = '12px system-ui, sans-serif';
const NOTE_PADDING = 5;

type DrawTarget = Parameters<IPrimitivePaneRenderer['draw']>[0];

interface Drag {
  id: string;
  /** The point being moved, or null when the whole drawing moves. */
  handle: number | null;
  startPrice: number;
  startPixel: PixelPoint;
  original: readonly DrawingPoint[];
  points: DrawingPoint[];
  moved: boolean;
}

export class ChartDrawings implements ISeriesPrimitive<Time> {
  private drawings: readonly Drawing[] = [];
  private series: ISeriesApi<SeriesType> | null = null;
  private requestUpdate: (() => void) | null = null;
  private axis: BarTimeline & { bars: readonly SnapBar[] } = { bars: [], barMs: nominalTimeframeMs('1d') };
  private tool: DrawingTool = null;
  private selectedId: string | null = null;
  /** The drawing the tool is placing, with its pointer-down position. */
  private placing: (DrawingDraft & { downAt: PixelPoint }) | null = null;
  /** A placed drawing shown until the stored one arrives with the next `set`. */
  private placed: DrawingDraft | null = null;
  private drag: Drag | null = null;
  /** Each note's box as last drawn, for picking it. */
  private readonly noteBoxes = new Map<string, PixelBox>();
  private colors: DrawingColors = { line: '#4f9dff', selected: '#ffca28', fill: 'rgba(79, 157, 255, 0.12)', text: '#e6e9ef', textBackground: 'rgba(13, 16, 21, 0.85)' };
  private axisViews: readonly ISeriesPrimitiveAxisView[] = [];
  private anchorsShown = '';
  private readonly container: HTMLElement;
  private readonly views: readonly IPrimitivePaneView[] = [{ zOrder: () => 'top', renderer: () => ({ draw: (target) => this.draw(target) }) }];

  constructor(
    private readonly chart: IChartApi,
    private readonly events: ChartDrawingEvents,
    private readonly roundPrice: (price: number) => number,
    private readonly formatPrice: (price: number) => string,
  ) {
    this.container = chart.chartElement();
    const up = (event: PointerEvent) => this.pointerUp(event);
    // Capture phase: a press must be seen before the chart starts a pan with it.
    this.container.addEventListener('pointerdown', (event) => this.pointerDown(event), true);
    this.container.addEventListener('pointermove', (event) => this.pointerMove(event));
    this.container.addEventListener('pointerup', up);
    this.container.addEventListener('pointercancel', up);
    this.container.addEventListener('dblclick', (event) => this.doubleClick(event));
    this.restyle();
  }

  attached({ requestUpdate }: SeriesAttachedParameter<Time>): void {
    this.requestUpdate = requestUpdate;
  }

  detached(): void {
    this.requestUpdate = null;
  }

  paneViews(): readonly IPrimitivePaneView[] {
    return this.views;
  }

  priceAxisViews(): readonly ISeriesPrimitiveAxisView[] {
    return this.axisViews;
  }

  /** Lets the library show a pointer over a drawing, where a press picks it. */
  hitTest(x: number, y: number): PrimitiveHoveredItem | null {
    if (this.tool !== null) return null;
    const hit = this.hitAt({ x, y });
    if (!hit) return null;
    return { externalId: hit.drawing.id, zOrder: 'top', cursorStyle: hit.handle === null ? 'move' : 'pointer', hitTestPriority: 1 };
  }

  /** Draws on `series` (the candles, or the close line for close-only data). */
  setSeries(series: ISeriesApi<SeriesType>): void {
    if (this.series === series) return;
    this.series?.detachPrimitive(this);
    this.series = series;
    series.attachPrimitive(this);
  }

  /** The bars shown, which place every point on this timeframe and give the values Shift snaps to. */
  setBars(bars: readonly SnapBar[], timeframe: Timeframe): void {
    // The bars themselves, not a copy of their times: this runs on every live bar.
    this.axis = { bars, barMs: nominalTimeframeMs(timeframe) };
    this.requestUpdate?.();
  }

  /** The stored drawings; a drag in progress keeps its own copy of the one it moves. */
  set(drawings: readonly Drawing[], selectedId: string | null): void {
    this.drawings = drawings;
    this.selectedId = selectedId;
    this.placed = null;
    this.rebuildAxisViews();
    this.container.dataset.drawings = String(drawings.length);
    if (selectedId === null) delete this.container.dataset.selectedDrawing;
    else this.container.dataset.selectedDrawing = selectedId;
    this.requestUpdate?.();
  }

  setTool(tool: DrawingTool): void {
    this.tool = tool;
    this.cancelPlacing();
    this.container.classList.toggle('price-chart__canvas--drawing', tool !== null);
  }

  /** Forgets a drawing half placed (Escape). */
  cancelPlacing(): void {
    if (!this.placing) return;
    this.placing = null;
    this.resumeChartScrolling();
    this.requestUpdate?.();
  }

  /** Colours from the theme's CSS variables, read again when the theme changes. */
  restyle(): void {
    const read = cssVariableReader(this.container);
    const colors = {
      line: read('--drawing-line'),
      selected: read('--drawing-selected'),
      fill: read('--drawing-fill'),
      text: read('--drawing-text'),
      textBackground: read('--drawing-text-bg'),
    };
    // Before the stylesheet applies (tests without CSS) the defaults stay.
    if (colors.line) this.colors = colors;
    this.rebuildAxisViews();
    this.requestUpdate?.();
  }

  private rebuildAxisViews(): void {
    // Only horizontal lines name their price on the axis; the rest would crowd it.
    this.axisViews = this.drawings
      .filter((drawing) => drawing.kind === 'horizontalLine')
      .map((drawing) => ({
        coordinate: () => this.series?.priceToCoordinate(this.pointsOf(drawing)[0]!.price) ?? -1000,
        text: () => this.formatPrice(this.pointsOf(drawing)[0]!.price),
        textColor: () => this.colors.text,
        backColor: () => (drawing.id === this.selectedId ? this.colors.selected : this.colors.line),
      }));
  }

  /** A drawing's points as shown: the dragged ones while it is being moved. */
  private pointsOf(drawing: Drawing): readonly DrawingPoint[] {
    return this.drag?.id === drawing.id ? this.drag.points : drawing.points;
  }

  /**
   * Where bar indices sit on screen: x = origin + index × spacing. logicalToCoordinate places
   * whole indices only (it answers 0 for a fraction) and coordinateToLogical rounds, so points
   * between bars go through this line instead.
   */
  private indexScale(): { origin: number; spacing: number } | null {
    const timeScale = this.chart.timeScale();
    const zero = timeScale.logicalToCoordinate(0 as Logical);
    const one = timeScale.logicalToCoordinate(1 as Logical);
    return zero === null || one === null || one === zero ? null : { origin: zero, spacing: one - zero };
  }

  private xOf(time: number): number | null {
    const logical = timeToLogical(this.axis, time);
    const scale = this.indexScale();
    return logical === null || scale === null ? null : scale.origin + logical * scale.spacing;
  }

  private pixelOf(point: DrawingPoint): PixelPoint | null {
    const x = this.xOf(point.time);
    const y = this.series?.priceToCoordinate(point.price) ?? null;
    return x === null || y === null ? null : { x, y };
  }

  private pixelsOf(points: readonly DrawingPoint[]): PixelPoint[] | null {
    const pixels = points.map((point) => this.pixelOf(point));
    return pixels.every((p): p is PixelPoint => p !== null) ? pixels : null;
  }

  /** The fractional bar index under x. */
  private logicalAt(x: number): number | null {
    const scale = this.indexScale();
    return scale === null ? null : (x - scale.origin) / scale.spacing;
  }

  /** The (time, price) under the pointer, snapped to the nearest bar's OHLC when asked. */
  private pointAt(pixel: PixelPoint, snap: boolean): DrawingPoint | null {
    const logical = this.logicalAt(pixel.x);
    if (logical === null || !this.series) return null;
    const series = this.series;
    if (snap) {
      const snapped = snapToOhlc(this.axis.bars, logical, pixel.y, (price) => series.priceToCoordinate(price));
      if (snapped) return snapped;
    }
    const time = logicalToTime(this.axis, logical);
    const price = series.coordinateToPrice(pixel.y);
    return time === null || price === null ? null : { time, price: this.roundPrice(price) };
  }

  /** The pointer in the price pane's coordinates, or null outside it. */
  private localPoint(event: MouseEvent): PixelPoint | null {
    const rect = this.container.getBoundingClientRect();
    const leftScale = this.chart.priceScale('left').width();
    const x = event.clientX - rect.left - leftScale;
    const y = event.clientY - rect.top;
    const paneHeight = this.chart.panes()[0]?.getHeight() ?? 0;
    if (x < 0 || x > this.chart.timeScale().width() || y < 0 || y > paneHeight) return null;
    return { x, y };
  }

  /** The topmost drawing under the pointer, and the handle pressed when it is the selected one. */
  private hitAt(pointer: PixelPoint): { drawing: Drawing; handle: number | null } | null {
    const selected = this.drawings.find((d) => d.id === this.selectedId);
    if (selected && selected.kind !== 'horizontalLine' && selected.kind !== 'text') {
      const pixels = this.pixelsOf(this.pointsOf(selected)) ?? [];
      const handle = pixels.findIndex((p) => Math.hypot(p.x - pointer.x, p.y - pointer.y) <= HANDLE_RADIUS + 2);
      if (handle >= 0) return { drawing: selected, handle };
    }
    // The nearest within reach; of two as near, the one drawn on top.
    let best: { drawing: Drawing; distance: number } | null = null;
    for (let i = this.drawings.length - 1; i >= 0; i--) {
      const drawing = this.drawings[i]!;
      const pixels = this.pixelsOf(this.pointsOf(drawing));
      const distance = pixels ? distanceToDrawing(drawing.kind, pixels, pointer, this.noteBoxes.get(drawing.id) ?? null) : Infinity;
      if (distance <= GRAB_DISTANCE && (best === null || distance < best.distance)) best = { drawing, distance };
    }
    return best && { drawing: best.drawing, handle: null };
  }

  private pauseChartScrolling(event: PointerEvent): void {
    event.stopPropagation();
    event.preventDefault();
    this.container.setPointerCapture(event.pointerId);
    this.chart.applyOptions({ handleScroll: false, handleScale: false });
  }

  private resumeChartScrolling(): void {
    this.chart.applyOptions({ handleScroll: true, handleScale: true });
  }

  private pointerDown(event: PointerEvent): void {
    // Alt+click belongs to price alerts, and a press an alert line took is theirs.
    if (event.button !== 0 || event.altKey || event.defaultPrevented) return;
    const pixel = this.localPoint(event);
    if (!pixel) return;
    if (this.tool !== null) {
      const point = this.pointAt(pixel, event.shiftKey);
      if (!point) return;
      this.pauseChartScrolling(event);
      if (this.placing) {
        // The second click of a two-point drawing.
        this.placing.points[1] = point;
        this.commitPlacing();
      } else if (drawingPointCounts[this.tool] === 1) {
        this.commit({ kind: this.tool, points: [point] });
      } else {
        this.placing = { kind: this.tool, points: [point, point], downAt: pixel };
      }
      this.requestUpdate?.();
      return;
    }
    const hit = this.hitAt(pixel);
    if (!hit) {
      if (this.selectedId !== null) this.events.onSelect(null);
      return;
    }
    const startPrice = this.series?.coordinateToPrice(pixel.y);
    if (startPrice === null || startPrice === undefined) return;
    this.pauseChartScrolling(event);
    this.drag = { id: hit.drawing.id, handle: hit.handle, startPrice: this.roundPrice(startPrice), startPixel: pixel, original: hit.drawing.points, points: [...hit.drawing.points], moved: false };
    this.container.dataset.dragging = hit.drawing.id;
    if (this.selectedId !== hit.drawing.id) this.events.onSelect(hit.drawing.id);
  }

  private pointerMove(event: PointerEvent): void {
    if (!this.placing && !this.drag) return;
    const rect = this.container.getBoundingClientRect();
    // While a press is held the pointer may leave the pane; the point follows it to the edge.
    const pixel = { x: event.clientX - rect.left - this.chart.priceScale('left').width(), y: event.clientY - rect.top };
    if (this.placing) {
      const point = this.pointAt(pixel, event.shiftKey);
      if (point) this.placing.points[1] = point;
      this.requestUpdate?.();
      return;
    }
    const drag = this.drag!;
    drag.moved ||= Math.hypot(pixel.x - drag.startPixel.x, pixel.y - drag.startPixel.y) > 2;
    if (drag.handle !== null) {
      const point = this.pointAt(pixel, event.shiftKey);
      if (point) drag.points = drag.original.map((p, i) => (i === drag.handle ? point : p));
    } else {
      const bars = this.logicalAt(pixel.x);
      const startBars = this.logicalAt(drag.startPixel.x);
      const price = this.series?.coordinateToPrice(pixel.y);
      if (bars === null || startBars === null || price === null || price === undefined) return;
      let moved = translatePoints(this.axis, drag.original, bars - startBars, this.roundPrice(price) - drag.startPrice);
      const firstPixel = event.shiftKey ? this.pixelOf(moved[0]!) : null;
      const snapped = firstPixel && this.pointAt(firstPixel, true);
      const firstBars = snapped ? timeToLogical(this.axis, moved[0]!.time) : null;
      const snappedBars = snapped ? timeToLogical(this.axis, snapped.time) : null;
      // Snapping a whole drawing puts its first point on the bar's value and keeps its shape.
      if (snapped && firstBars !== null && snappedBars !== null) moved = translatePoints(this.axis, moved, snappedBars - firstBars, snapped.price - moved[0]!.price);
      drag.points = moved;
    }
    this.rebuildAxisViews();
    this.requestUpdate?.();
  }

  private pointerUp(event: PointerEvent): void {
    if (this.container.hasPointerCapture(event.pointerId)) this.container.releasePointerCapture(event.pointerId);
    if (this.placing) {
      const pixel = this.localPoint(event);
      const dragged = pixel !== null && Math.hypot(pixel.x - this.placing.downAt.x, pixel.y - this.placing.downAt.y) > CLICK_SLOP;
      // A press dragged out to the second point places it now; a click waits for the second click.
      if (dragged) this.commitPlacing();
      return;
    }
    const drag = this.drag;
    if (!drag) return;
    this.drag = null;
    delete this.container.dataset.dragging;
    this.resumeChartScrolling();
    if (!drag.moved) return;
    // Shown where it was dropped until the stored copy arrives.
    this.drawings = this.drawings.map((d) => (d.id === drag.id ? { ...d, points: drag.points } : d));
    this.rebuildAxisViews();
    this.requestUpdate?.();
    this.events.onMove(drag.id, drag.points);
  }

  private doubleClick(event: MouseEvent): void {
    if (this.tool !== null) return;
    const pixel = this.localPoint(event);
    const hit = pixel && this.hitAt(pixel);
    if (hit?.drawing.kind === 'text') this.events.onEditText(hit.drawing.id);
  }

  private commitPlacing(): void {
    const placing = this.placing!;
    this.placing = null;
    this.commit({ kind: placing.kind, points: placing.points });
  }

  private commit(draft: DrawingDraft): void {
    this.resumeChartScrolling();
    if (draft.kind !== 'text') this.placed = draft;
    this.requestUpdate?.();
    this.events.onCreate(draft);
  }

  private draw(target: DrawTarget): void {
    const anchors: Record<string, number[][]> = {};
    this.noteBoxes.clear();
    target.useMediaCoordinateSpace(({ context, mediaSize }) => {
      context.save();
      for (const drawing of this.drawings) {
        const pixels = this.pixelsOf(this.pointsOf(drawing));
        if (!pixels) continue;
        anchors[drawing.id] = pixels.map((p) => [Math.round(p.x), Math.round(p.y)]);
        this.drawOne(context, mediaSize, drawing.kind, pixels, this.pointsOf(drawing), drawing.id === this.selectedId, drawing);
      }
      const draft = this.placing ?? this.placed;
      const draftPixels = draft && this.pixelsOf(draft.points);
      if (draft && draftPixels) this.drawOne(context, mediaSize, draft.kind, draftPixels, draft.points, true, null);
      context.restore();
    });
    // Where each drawing's points are on screen, for tests and for anyone inspecting a chart that misbehaves.
    const shown = JSON.stringify(anchors);
    if (shown !== this.anchorsShown) {
      this.anchorsShown = shown;
      this.container.dataset.drawingAnchors = shown;
    }
  }

  private drawOne(
    context: CanvasRenderingContext2D,
    size: { width: number; height: number },
    kind: DrawingKind,
    pixels: readonly PixelPoint[],
    points: readonly DrawingPoint[],
    selected: boolean,
    drawing: Drawing | null,
  ): void {
    const color = selected ? this.colors.selected : this.colors.line;
    context.strokeStyle = color;
    context.fillStyle = color;
    context.lineWidth = selected ? 2 : 1.5;
    context.setLineDash([]);
    const [a, b] = pixels;
    switch (kind) {
      case 'horizontalLine':
        this.line(context, { x: 0, y: a!.y }, { x: size.width, y: a!.y });
        break;
      case 'trendLine':
        this.line(context, a!, b!);
        break;
      case 'ray': {
        // On past the second point to well beyond the pane, whichever way it points.
        const length = Math.hypot(b!.x - a!.x, b!.y - a!.y) || 1;
        const reach = (size.width + size.height) * 2;
        this.line(context, a!, { x: a!.x + ((b!.x - a!.x) / length) * reach, y: a!.y + ((b!.y - a!.y) / length) * reach });
        break;
      }
      case 'rectangle': {
        const box = boxOf(a!, b!);
        context.fillStyle = this.colors.fill;
        context.fillRect(box.left, box.top, box.right - box.left, box.bottom - box.top);
        context.strokeRect(box.left, box.top, box.right - box.left, box.bottom - box.top);
        break;
      }
      case 'fibRetracement':
        this.drawFibonacci(context, a!, b!, points);
        break;
      case 'text':
        this.drawNote(context, a!, drawing?.text ?? '', selected, drawing?.id ?? null);
        return;
    }
    if (selected && kind !== 'horizontalLine') for (const pixel of pixels) this.handle(context, pixel);
  }

  private line(context: CanvasRenderingContext2D, from: PixelPoint, to: PixelPoint): void {
    context.beginPath();
    context.moveTo(from.x, from.y);
    context.lineTo(to.x, to.y);
    context.stroke();
  }

  private handle(context: CanvasRenderingContext2D, at: PixelPoint): void {
    context.beginPath();
    context.arc(at.x, at.y, HANDLE_RADIUS, 0, Math.PI * 2);
    context.fillStyle = this.colors.textBackground;
    context.fill();
    context.stroke();
  }

  private drawFibonacci(context: CanvasRenderingContext2D, a: PixelPoint, b: PixelPoint, points: readonly DrawingPoint[]): void {
    const left = Math.min(a.x, b.x);
    const right = Math.max(a.x, b.x);
    const box = boxOf(a, b);
    context.save();
    context.fillStyle = this.colors.fill;
    context.fillRect(left, box.top, right - left, box.bottom - box.top);
    context.restore();
    context.font = '10px system-ui, sans-serif';
    context.textBaseline = 'bottom';
    context.setLineDash([4, 3]);
    for (const { level, price } of fibonacciPrices(points[0]!.price, points[1]!.price)) {
      const y = this.series?.priceToCoordinate(price);
      if (y === null || y === undefined) continue;
      context.lineWidth = level === 0 || level === 1 ? 1.5 : 1;
      this.line(context, { x: left, y }, { x: right, y });
      context.fillText(`${level} (${this.formatPrice(price)})`, left + 3, y - 2);
    }
    context.setLineDash([]);
    context.lineWidth = 1;
    this.line(context, a, b);
  }

  private drawNote(context: CanvasRenderingContext2D, at: PixelPoint, text: string, selected: boolean, id: string | null): void {
    context.font = NOTE_FONT;
    context.textBaseline = 'middle';
    const width = context.measureText(text).width + NOTE_PADDING * 2;
    const height = 20;
    const box = { left: at.x, top: at.y - height / 2, right: at.x + width, bottom: at.y + height / 2 };
    context.fillStyle = this.colors.textBackground;
    context.fillRect(box.left, box.top, width, height);
    context.strokeStyle = selected ? this.colors.selected : this.colors.line;
    context.lineWidth = selected ? 2 : 1;
    context.strokeRect(box.left, box.top, width, height);
    context.fillStyle = this.colors.text;
    context.fillText(text, box.left + NOTE_PADDING, at.y);
    if (id !== null) this.noteBoxes.set(id, box);
  }
}
