/**
 * The arithmetic behind chart drawings, free of the chart library so it can be tested alone:
 * where a (time, price) point sits among the bars of whatever timeframe is shown, how far the
 * pointer is from each kind of drawing, and the OHLC value a point snaps to.
 */
import { fibonacciLevels, type DrawingKind } from '../../../shared/drawing-kinds';
import type { DrawingPoint } from '../../../shared/drawings';
import { lastIndexAtOrBefore, type BarTimeline } from './bar-window';

export interface PixelPoint {
  x: number;
  y: number;
}

/** How long bar `index` lasts on the axis: its nominal length, or less when the next bar opens sooner. */
function barLength({ bars, barMs }: BarTimeline, index: number): number {
  const next = bars[index + 1];
  return next === undefined ? barMs : Math.min(barMs, next.time - bars[index]!.time);
}

/**
 * The fractional bar index of `time`: bar i opens at i, a time inside it lies between i and
 * i + 1 in proportion, a time in a gap (a weekend) sits at the next bar's open, and times
 * before the first or after the last bar continue at one bar per `barMs`. Null without bars.
 * (Chart sync's logicalAtTime spreads a gap evenly between the bars either side instead, so a
 * following chart scrolls smoothly; a drawing's point must not drift into a weekend.)
 */
export function timeToLogical(axis: BarTimeline, time: number): number | null {
  const { bars, barMs } = axis;
  if (bars.length === 0) return null;
  const index = lastIndexAtOrBefore(bars, time);
  if (index === -1) return (time - bars[0]!.time) / barMs;
  if (index === bars.length - 1) return index + (time - bars[index]!.time) / barMs;
  return index + Math.min(1, (time - bars[index]!.time) / barLength(axis, index));
}

/** The inverse of timeToLogical, to the millisecond. */
export function logicalToTime(axis: BarTimeline, logical: number): number | null {
  const { bars, barMs } = axis;
  if (bars.length === 0) return null;
  const last = bars.length - 1;
  if (logical < 0) return Math.round(bars[0]!.time + logical * barMs);
  if (logical >= last) return Math.round(bars[last]!.time + (logical - last) * barMs);
  const index = Math.floor(logical);
  return Math.round(bars[index]!.time + (logical - index) * barLength(axis, index));
}

/**
 * The points moved by `bars` bars (fractional) and `price`, as a drag moves them on screen: by
 * bars rather than by time, so a drawing keeps its shape across a weekend on the chart.
 */
export function translatePoints(axis: BarTimeline, points: readonly DrawingPoint[], bars: number, price: number): DrawingPoint[] {
  return points.map((point) => {
    const logical = timeToLogical(axis, point.time);
    const time = logical === null ? null : logicalToTime(axis, logical + bars);
    return { time: time ?? point.time, price: point.price + price };
  });
}

function distanceToSegment(p: PixelPoint, a: PixelPoint, b: PixelPoint, unbounded: 'segment' | 'ray'): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const lengthSquared = dx * dx + dy * dy;
  if (lengthSquared === 0) return Math.hypot(p.x - a.x, p.y - a.y);
  let t = ((p.x - a.x) * dx + (p.y - a.y) * dy) / lengthSquared;
  t = unbounded === 'ray' ? Math.max(0, t) : Math.min(1, Math.max(0, t));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

/** A box as its left, top, right and bottom edges, in pixels. */
export interface PixelBox {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export function boxOf(a: PixelPoint, b: PixelPoint): PixelBox {
  return { left: Math.min(a.x, b.x), top: Math.min(a.y, b.y), right: Math.max(a.x, b.x), bottom: Math.max(a.y, b.y) };
}

/** 0 inside the box, else the distance to its nearest edge or corner. */
function distanceToBox(p: PixelPoint, box: PixelBox): number {
  return Math.hypot(Math.max(box.left - p.x, 0, p.x - box.right), Math.max(box.top - p.y, 0, p.y - box.bottom));
}

/**
 * Inside a shaded area the pointer counts as this far from it, unless nearer its border: a
 * line drawn across a rectangle is still picked where it runs, the rectangle everywhere else.
 */
export const INSIDE_AREA_DISTANCE = 5;

function distanceToArea(p: PixelPoint, box: PixelBox): number {
  const outside = distanceToBox(p, box);
  if (outside > 0) return outside;
  return Math.min(INSIDE_AREA_DISTANCE, p.x - box.left, box.right - p.x, p.y - box.top, box.bottom - p.y);
}

/**
 * How far, in pixels, the pointer is from a drawing on screen: 0 on a note's label, at most
 * INSIDE_AREA_DISTANCE inside a rectangle or a retracement's span, else the distance to its
 * line. `label` is the note's box as last drawn.
 */
export function distanceToDrawing(kind: DrawingKind, pixels: readonly PixelPoint[], pointer: PixelPoint, label: PixelBox | null): number {
  const [a, b] = pixels;
  if (!a) return Infinity;
  switch (kind) {
    case 'horizontalLine':
      return Math.abs(pointer.y - a.y);
    case 'text':
      return label ? distanceToBox(pointer, label) : Math.hypot(pointer.x - a.x, pointer.y - a.y);
    case 'trendLine':
      return b ? distanceToSegment(pointer, a, b, 'segment') : Infinity;
    case 'ray':
      return b ? distanceToSegment(pointer, a, b, 'ray') : Infinity;
    case 'rectangle':
    case 'fibRetracement':
      return b ? distanceToArea(pointer, boxOf(a, b)) : Infinity;
  }
}

/** The price of each retracement level between the first point (level 1) and the second (level 0). */
export function fibonacciPrices(first: number, second: number): { level: number; price: number }[] {
  return fibonacciLevels.map((level) => ({ level, price: second + (first - second) * level }));
}

export interface SnapBar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

/**
 * The bar nearest the fractional index `logical`, and whichever of its open, high, low and close
 * is nearest the pointer on screen: a line drawn through a swing high lands on it exactly.
 */
export function snapToOhlc(bars: readonly SnapBar[], logical: number, pointerY: number, priceToY: (price: number) => number | null): DrawingPoint | null {
  if (bars.length === 0) return null;
  const bar = bars[Math.min(bars.length - 1, Math.max(0, Math.round(logical)))]!;
  let best: DrawingPoint | null = null;
  let bestDistance = Infinity;
  for (const price of [bar.open, bar.high, bar.low, bar.close]) {
    const y = priceToY(price);
    if (y === null) continue;
    const distance = Math.abs(y - pointerY);
    if (distance < bestDistance) {
      best = { time: bar.time, price };
      bestDistance = distance;
    }
  }
  return best;
}
