/**
 * Price alert levels as horizontal price lines, draggable to a new level. Lightweight-charts
 * has no drag for price lines, so the container's pointer events do it: a press within a few
 * pixels of a line picks it up (and stops the chart from panning meanwhile), moves follow
 * `coordinateToPrice`, and the release commits the new level once. Alt+click asks for a new
 * alert at the price clicked.
 */
import { LineStyle, type IChartApi, type IPriceLine, type ISeriesApi, type SeriesType } from 'lightweight-charts';

/** One alert level to draw. */
export interface AlertLine {
  id: string;
  price: number;
  /** The label on the price axis, e.g. "Alert ↑". */
  title: string;
}

export interface AlertLineEvents {
  /** A line was dropped at `price`. */
  onMove(id: string, price: number): void;
  /** Alt+click (or a click while placing) at `price`. */
  onPlace(price: number): void;
}

/** How close, in pixels, a press must be to a line to pick it up. */
const GRAB_DISTANCE = 6;

interface Drawn {
  line: AlertLine;
  handle: IPriceLine;
}

export class AlertLines {
  private drawn: Drawn[] = [];
  private series: ISeriesApi<SeriesType> | null = null;
  private color = '#f59e0b';
  private dragging: { drawn: Drawn; price: number } | null = null;
  private placing = false;

  /** The chart's own element: it goes with `chart.remove()`, and its listeners with it. */
  private readonly container: HTMLElement;

  constructor(
    private readonly chart: IChartApi,
    private readonly events: AlertLineEvents,
    private readonly round: (price: number) => number,
  ) {
    const container = chart.chartElement();
    this.container = container;
    const up = (event: PointerEvent) => this.pointerUp(event);
    // Capture phase: the press must be seen before the chart starts a pan with it.
    container.addEventListener('pointerdown', (event) => this.pointerDown(event), true);
    container.addEventListener('pointermove', (event) => this.pointerMove(event));
    container.addEventListener('pointerup', up);
    container.addEventListener('pointercancel', up);
    container.addEventListener('click', (event) => this.click(event));
  }

  /** Draws `lines` on `series` (the candles, or the close line for close-only data), replacing what was drawn. */
  set(series: ISeriesApi<SeriesType>, lines: readonly AlertLine[], color: string): void {
    // A drag in progress keeps its line; it is drawn anew once committed.
    if (this.dragging) return;
    this.clear();
    this.series = series;
    this.color = color;
    this.drawn = lines.map((line) => ({
      line,
      handle: series.createPriceLine({ price: line.price, color, lineWidth: 1, lineStyle: LineStyle.Dashed, axisLabelVisible: true, title: line.title }),
    }));
    this.container.dataset.alertLines = String(this.drawn.length);
  }

  /** While placing, the next click on the chart places an alert, as Alt+click always does. */
  setPlacing(placing: boolean): void {
    this.placing = placing;
    this.container.classList.toggle('price-chart__canvas--placing', placing);
  }

  /** The vertical position of each line in the container, for tests that drag one. */
  coordinateOf(id: string): number | null {
    const drawn = this.drawn.find((d) => d.line.id === id);
    return drawn && this.series ? this.series.priceToCoordinate(drawn.handle.options().price) : null;
  }

  private clear(): void {
    for (const { handle } of this.drawn) this.series?.removePriceLine(handle);
    this.drawn = [];
  }

  private localY(event: MouseEvent): number {
    return event.clientY - this.container.getBoundingClientRect().top;
  }

  private nearest(y: number): Drawn | null {
    let best: Drawn | null = null;
    let bestDistance = GRAB_DISTANCE;
    for (const drawn of this.drawn) {
      const lineY = this.series?.priceToCoordinate(drawn.handle.options().price);
      if (lineY === null || lineY === undefined) continue;
      const distance = Math.abs(lineY - y);
      if (distance <= bestDistance) {
        best = drawn;
        bestDistance = distance;
      }
    }
    return best;
  }

  private priceAt(y: number): number | null {
    const price = this.series?.coordinateToPrice(y);
    return price === null || price === undefined ? null : this.round(price);
  }

  private pointerDown(event: PointerEvent): void {
    if (event.button !== 0 || event.altKey) return;
    const drawn = this.nearest(this.localY(event));
    if (!drawn) return;
    event.stopPropagation();
    event.preventDefault();
    this.container.setPointerCapture(event.pointerId);
    this.chart.applyOptions({ handleScroll: false, handleScale: false });
    this.dragging = { drawn, price: drawn.handle.options().price };
    this.container.dataset.dragging = drawn.line.id;
  }

  private pointerMove(event: PointerEvent): void {
    const y = this.localY(event);
    if (!this.dragging) {
      this.container.classList.toggle('price-chart__canvas--grab', this.nearest(y) !== null);
      return;
    }
    const price = this.priceAt(y);
    if (price === null || price <= 0) return;
    this.dragging.price = price;
    this.dragging.drawn.handle.applyOptions({ price });
  }

  private pointerUp(event: PointerEvent): void {
    const dragging = this.dragging;
    if (!dragging) return;
    this.dragging = null;
    delete this.container.dataset.dragging;
    if (this.container.hasPointerCapture(event.pointerId)) this.container.releasePointerCapture(event.pointerId);
    this.chart.applyOptions({ handleScroll: true, handleScale: true });
    if (dragging.price !== dragging.drawn.line.price) this.events.onMove(dragging.drawn.line.id, dragging.price);
  }

  private click(event: MouseEvent): void {
    if (!event.altKey && !this.placing) return;
    const price = this.priceAt(this.localY(event));
    if (price === null || price <= 0) return;
    event.preventDefault();
    this.events.onPlace(price);
  }
}
