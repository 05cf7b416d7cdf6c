import type { IChartApi, ISeriesApi, LogicalRange, MouseEventHandler, SeriesType, Time } from 'lightweight-charts';
import { describe, expect, it, vi } from 'vitest';
import type { Bar } from '../../../shared/domain';
import type { Timeframe } from '../../../shared/timeframes';
import { ChartSync, barIndexAt, followingRange, logicalAtTime, timeAtLogical, type SyncedChart } from './chart-sync';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const D0 = Date.UTC(2025, 0, 6);

const bar = (time: number, close = 100): Bar => ({ time, open: close, high: close, low: close, close, volume: 0 });
/** Weekdays only: Monday 6 January 2025 on, a weekend hole after every fifth bar. */
const weekdays = (count: number) => Array.from({ length: count }, (_, i) => bar(D0 + (Math.floor(i / 5) * 7 + (i % 5)) * DAY, 100 + i));
const hours = (count: number) => Array.from({ length: count }, (_, i) => bar(D0 + i * HOUR, 200 + i));

describe('time on a chart\'s bar axis', () => {
  const days = { bars: weekdays(10), barMs: DAY };

  it('finds the bar that holds a time, also across a weekend and on a coarser chart', () => {
    expect(barIndexAt(days, D0)).toBe(0);
    expect(barIndexAt(days, D0 + 13 * HOUR)).toBe(0);
    // Saturday falls in the hole after Friday's bar (index 4): the last bar before it.
    expect(barIndexAt(days, D0 + 5 * DAY + 10 * HOUR)).toBe(4);
    expect(barIndexAt(days, D0 + 7 * DAY)).toBe(5);
    expect(barIndexAt(days, D0 - 1)).toBe(-1);
    // After the last bar has closed there is no bar to point at.
    expect(barIndexAt(days, D0 + 11 * DAY + 23 * HOUR)).toBe(9);
    expect(barIndexAt(days, D0 + 12 * DAY)).toBe(-1);
  });

  it('maps times to fractional bar indices and back, past both ends one bar width at a time', () => {
    expect(logicalAtTime(days, D0 + 12 * HOUR)).toBeCloseTo(0.5);
    // Friday 4 → Monday 5 spans three days, so Saturday noon is half way.
    expect(logicalAtTime(days, D0 + 5 * DAY + 12 * HOUR)).toBeCloseTo(4.5);
    expect(logicalAtTime(days, D0 + 11 * DAY + 4 * DAY)).toBeCloseTo(13);
    expect(logicalAtTime(days, D0 - 2 * DAY)).toBeCloseTo(-2);
    for (const logical of [-3, 0, 2.25, 4.5, 9, 12.5]) expect(logicalAtTime(days, timeAtLogical(days, logical))).toBeCloseTo(logical);
  });

  it('gives a chart of the same timeframe the same span, the leader\'s right margin included', () => {
    // Three empty bars right of Friday's bar 9 reach Monday, the follower's bar 5.
    const leader = { bars: weekdays(10), barMs: DAY, timeframe: '1d' as Timeframe, range: { from: 6, to: 12 } as LogicalRange };
    // The follower started a week later: the same dates are five bars earlier.
    const follower = { bars: weekdays(15).slice(5), barMs: DAY, timeframe: '1d' as Timeframe, range: null };
    expect(followingRange(leader, follower)).toEqual({ from: 1, to: 5 });
  });

  it('lets a chart of another timeframe keep its zoom and end where the leader ends', () => {
    const leader = { bars: weekdays(10), barMs: DAY, timeframe: '1d' as Timeframe, range: { from: 0, to: 3 } as LogicalRange };
    const follower = { bars: hours(24 * 5), barMs: HOUR, timeframe: '1h' as Timeframe, range: { from: 0, to: 40 } as LogicalRange };
    // The daily view ends at Thursday 00:00 (bar 3): hour 72 of the hourly chart.
    expect(followingRange(leader, follower)).toEqual({ from: 32, to: 72 });
    expect(followingRange(leader, { ...follower, bars: [] })).toBeNull();
  });
});

/** A chart that records what the group does to it and lets the test move the pointer over it. */
function fakeChart(bars: readonly Bar[], timeframe: Timeframe) {
  let crosshair: MouseEventHandler<Time> | null = null;
  let rangeChange: ((range: LogicalRange | null) => void) | null = null;
  let range: LogicalRange | null = { from: 0, to: bars.length } as LogicalRange;
  const series = {} as ISeriesApi<SeriesType>;
  const timeScale = {
    subscribeVisibleLogicalRangeChange: (handler: (range: LogicalRange | null) => void) => void (rangeChange = handler),
    unsubscribeVisibleLogicalRangeChange: () => void (rangeChange = null),
    getVisibleLogicalRange: () => range,
    setVisibleLogicalRange: vi.fn((next: LogicalRange) => {
      range = next;
      // The library reports a range it was given too, as it would a user's.
      rangeChange?.(next);
    }),
  };
  const chart = {
    subscribeCrosshairMove: (handler: MouseEventHandler<Time>) => void (crosshair = handler),
    unsubscribeCrosshairMove: () => void (crosshair = null),
    setCrosshairPosition: vi.fn(),
    clearCrosshairPosition: vi.fn(),
    timeScale: () => timeScale,
  };
  const hovered: (number | null)[] = [];
  const member: SyncedChart = {
    chart: chart as unknown as IChartApi,
    priceSeries: () => series,
    bars: () => bars,
    timeframe: () => timeframe,
    showHovered: (time) => hovered.push(time),
  };
  return {
    member,
    chart,
    series,
    hovered,
    pointAt: (time: number) => crosshair?.({ time: (time / 1000) as Time, point: { x: 1, y: 1 } as never, sourceEvent: {} as never, seriesData: new Map() }),
    leave: () => crosshair?.({ seriesData: new Map() } as never),
    /** As the library reports a crosshair it set itself: a point but no pointer event. */
    echo: (time: number) => crosshair?.({ time: (time / 1000) as Time, point: { x: 1, y: 1 } as never, seriesData: new Map() }),
    scrollTo: (next: LogicalRange) => {
      range = next;
      rangeChange?.(next);
    },
    subscribed: () => crosshair !== null && rangeChange !== null,
    timeScale,
  };
}

describe('charts that move together', () => {
  it('draws the crosshair on the other charts at the bar that holds the hovered time', () => {
    const sync = new ChartSync();
    const daily = fakeChart(weekdays(10), '1d');
    const hourly = fakeChart(hours(48), '1h');
    sync.join(daily.member);
    sync.join(hourly.member);

    hourly.pointAt(D0 + 30 * HOUR + 10 * 60_000);
    expect(daily.chart.setCrosshairPosition).toHaveBeenLastCalledWith(101, (D0 + DAY) / 1000, daily.series);
    expect(daily.hovered.at(-1)).toBe(D0 + DAY);
    expect(hourly.chart.setCrosshairPosition).not.toHaveBeenCalled();

    daily.pointAt(D0 + DAY);
    expect(hourly.chart.setCrosshairPosition).toHaveBeenLastCalledWith(224, (D0 + DAY) / 1000, hourly.series);
    // Beyond the hourly chart's two days there is no bar: its crosshair goes.
    daily.pointAt(D0 + 7 * DAY);
    expect(hourly.chart.clearCrosshairPosition).toHaveBeenCalledTimes(1);
    expect(hourly.hovered.at(-1)).toBeNull();

    daily.leave();
    expect(hourly.chart.clearCrosshairPosition).toHaveBeenCalledTimes(2);

    // A bar scrolled out of the hourly view: its values in the legend, no crosshair pinned to the edge.
    hourly.scrollTo({ from: 30, to: 47 } as LogicalRange);
    daily.pointAt(D0);
    expect(hourly.chart.clearCrosshairPosition).toHaveBeenCalledTimes(3);
    expect(hourly.hovered.at(-1)).toBe(D0);
  });

  it('ignores the crosshairs it set itself and the leaving of a chart that does not lead', () => {
    const sync = new ChartSync();
    const a = fakeChart(weekdays(10), '1d');
    const b = fakeChart(weekdays(10), '1d');
    sync.join(a.member);
    sync.join(b.member);
    a.pointAt(D0);
    b.echo(D0);
    b.leave();
    expect(a.chart.setCrosshairPosition).not.toHaveBeenCalled();
    expect(a.chart.clearCrosshairPosition).not.toHaveBeenCalled();
  });

  it('scrolls the others with the chart the pointer is on, without echoing back', () => {
    const sync = new ChartSync();
    const a = fakeChart(weekdays(10), '1d');
    const b = fakeChart(weekdays(15).slice(5), '1d');
    sync.join(a.member);
    const leave = sync.join(b.member);

    // Nobody has pointed at a chart yet: a chart loading its data moves no other.
    a.scrollTo({ from: 1, to: 5 } as LogicalRange);
    expect(b.timeScale.setVisibleLogicalRange).not.toHaveBeenCalled();

    a.pointAt(D0);
    a.scrollTo({ from: 5, to: 9 } as LogicalRange);
    expect(b.timeScale.setVisibleLogicalRange).toHaveBeenLastCalledWith({ from: 0, to: 4 });
    expect(a.timeScale.setVisibleLogicalRange).not.toHaveBeenCalled();

    leave();
    expect(b.subscribed()).toBe(false);
    a.scrollTo({ from: 2, to: 6 } as LogicalRange);
    expect(b.timeScale.setVisibleLogicalRange).toHaveBeenCalledTimes(1);
  });
});
