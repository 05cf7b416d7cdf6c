import { describe, expect, it } from 'vitest';
import type { BarTimeline } from './bar-window';
import { distanceToDrawing, fibonacciPrices, INSIDE_AREA_DISTANCE, logicalToTime, snapToOhlc, timeToLogical, translatePoints } from './drawing-geometry';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Thursday, Friday, then Monday and Tuesday: a weekend between the second and third bars.
const MONDAY = Date.UTC(2025, 0, 6);
const dailyTimes = [MONDAY - 4 * DAY, MONDAY - 3 * DAY, MONDAY, MONDAY + DAY];
const daily: BarTimeline = { bars: dailyTimes.map((time) => ({ time })), barMs: DAY };

describe('placing a time among the bars of a timeframe', () => {
  it('puts each bar open on its index and a time inside a bar in proportion', () => {
    expect(dailyTimes.map((time) => timeToLogical(daily, time))).toEqual([0, 1, 2, 3]);
    expect(timeToLogical(daily, MONDAY + 6 * HOUR)).toBe(2.25);
    // An hourly drawing at Friday 18:00 lies three quarters into Friday's daily bar, not in the weekend.
    expect(timeToLogical(daily, MONDAY - 3 * DAY + 18 * HOUR)).toBe(1.75);
    expect(timeToLogical(daily, MONDAY - DAY)).toBe(2);
  });

  it('continues one bar per bar length before the first and after the last bar', () => {
    expect(timeToLogical(daily, MONDAY - 6 * DAY)).toBe(-2);
    expect(timeToLogical(daily, MONDAY + 3 * DAY)).toBe(5);
    expect(timeToLogical({ bars: [], barMs: DAY }, MONDAY)).toBeNull();
  });

  it('turns an index back into the same time, to the millisecond', () => {
    for (const time of [MONDAY - 6 * DAY, MONDAY - 3 * DAY + 18 * HOUR, MONDAY + 6 * HOUR + 1, MONDAY + 3 * DAY]) {
      expect(logicalToTime(daily, timeToLogical(daily, time)!)).toBe(time);
    }
  });

  it('moves a drawing by bars, so it keeps its shape across the weekend', () => {
    const moved = translatePoints(daily, [{ time: MONDAY - 4 * DAY, price: 10 }, { time: MONDAY - 3 * DAY, price: 12 }], 1, 0.5);
    expect(moved).toEqual([{ time: MONDAY - 3 * DAY, price: 10.5 }, { time: MONDAY, price: 12.5 }]);
  });
});

describe('picking a drawing under the pointer', () => {
  it('measures to a trend line as a segment and to a ray past its second point', () => {
    const pixels = [{ x: 0, y: 0 }, { x: 100, y: 0 }];
    expect(distanceToDrawing('trendLine', pixels, { x: 50, y: 4 }, null)).toBe(4);
    expect(distanceToDrawing('trendLine', pixels, { x: 200, y: 0 }, null)).toBe(100);
    expect(distanceToDrawing('ray', pixels, { x: 200, y: 3 }, null)).toBe(3);
    expect(distanceToDrawing('ray', pixels, { x: -10, y: 0 }, null)).toBe(10);
    expect(distanceToDrawing('horizontalLine', [{ x: 500, y: 40 }], { x: 0, y: 43 }, null)).toBe(3);
  });

  it('counts inside a rectangle as near, but nearer its border, so a line across it can still be picked', () => {
    const box = [{ x: 0, y: 0 }, { x: 100, y: 50 }];
    expect(distanceToDrawing('rectangle', box, { x: 50, y: 25 }, null)).toBe(INSIDE_AREA_DISTANCE);
    expect(distanceToDrawing('rectangle', box, { x: 2, y: 25 }, null)).toBe(2);
    expect(distanceToDrawing('fibRetracement', box, { x: 103, y: 54 }, null)).toBe(5);
    expect(distanceToDrawing('text', [{ x: 10, y: 10 }], { x: 30, y: 12 }, { left: 10, top: 0, right: 60, bottom: 20 })).toBe(0);
  });
});

describe('snapping and retracements', () => {
  const bars = [
    { time: 1, open: 10, high: 14, low: 9, close: 12 },
    { time: 2, open: 12, high: 20, low: 11, close: 19 },
  ];
  // One pixel per price unit, price 0 at y = 100.
  const priceToY = (price: number) => 100 - price;

  it('takes the nearest bar and whichever of its open, high, low and close is nearest on screen', () => {
    expect(snapToOhlc(bars, 0.9, priceToY(17), priceToY)).toEqual({ time: 2, price: 19 });
    expect(snapToOhlc(bars, 0.2, priceToY(13.5), priceToY)).toEqual({ time: 1, price: 14 });
    expect(snapToOhlc(bars, 7, priceToY(0), priceToY)).toEqual({ time: 2, price: 11 });
    expect(snapToOhlc([], 0, 0, priceToY)).toBeNull();
  });

  it('puts level 1 at the first point and 0 at the second, with the usual ratios between', () => {
    expect(fibonacciPrices(100, 200).map(({ level, price }) => [level, Number(price.toFixed(2))])).toEqual([
      [0, 200],
      [0.236, 176.4],
      [0.382, 161.8],
      [0.5, 150],
      [0.618, 138.2],
      [0.786, 121.4],
      [1, 100],
    ]);
  });
});
