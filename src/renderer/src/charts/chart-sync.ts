import type { IChartApi, ISeriesApi, LogicalRange, MouseEventHandler, SeriesType, Time, UTCTimestamp } from 'lightweight-charts';
import type { Bar } from '../../../shared/domain';
import { nominalTimeframeMs, type Timeframe } from '../../../shared/timeframes';
import { fromChartTime, toChartTime } from '../ui/format/time';
import { lastIndexAtOrBefore, type BarTimeline } from './bar-window';

/**
 * The bar that holds `time` (the last one opening at or before it), or -1 when `time` lies
 * before the first bar or after the last one has closed. A 1h time on a daily chart finds its day.
 */
export function barIndexAt({ bars, barMs }: BarTimeline, time: number): number {
  const index = lastIndexAtOrBefore(bars, time);
  if (index < 0 || (index === bars.length - 1 && time >= bars[index]!.time + barMs)) return -1;
  return index;
}

/**
 * Where `time` falls on the chart's logical (bar index) axis: between two bars in proportion,
 * and past either end one bar width at a time, as the chart's empty space to the right is.
 */
export function logicalAtTime({ bars, barMs }: BarTimeline, time: number): number {
  const first = bars[0]!.time;
  const last = bars.length - 1;
  if (time <= first) return (time - first) / barMs;
  if (time >= bars[last]!.time) return last + (time - bars[last]!.time) / barMs;
  const index = lastIndexAtOrBefore(bars, time);
  const open = bars[index]!.time;
  return index + (time - open) / (bars[index + 1]!.time - open);
}

/** The time at a fractional bar index; the inverse of logicalAtTime. */
export function timeAtLogical({ bars, barMs }: BarTimeline, logical: number): number {
  const last = bars.length - 1;
  if (logical <= 0) return bars[0]!.time + logical * barMs;
  if (logical >= last) return bars[last]!.time + (logical - last) * barMs;
  const index = Math.floor(logical);
  const open = bars[index]!.time;
  return open + (logical - index) * (bars[index + 1]!.time - open);
}

export interface TimelineView extends BarTimeline {
  timeframe: Timeframe;
  range: LogicalRange | null;
}

/**
 * The range a chart shows to follow another's. Charts of one timeframe show the same span; a
 * chart of another timeframe keeps its own zoom (a 1m chart cannot show a daily chart's year)
 * and ends where the other ends. Null when either chart has no bars.
 */
export function followingRange(leader: TimelineView & { range: LogicalRange }, follower: TimelineView): LogicalRange | null {
  if (leader.bars.length === 0 || follower.bars.length === 0) return null;
  const to = logicalAtTime(follower, timeAtLogical(leader, leader.range.to));
  if (leader.timeframe === follower.timeframe) {
    return { from: logicalAtTime(follower, timeAtLogical(leader, leader.range.from)), to } as LogicalRange;
  }
  const width = follower.range ? follower.range.to - follower.range.from : leader.range.to - leader.range.from;
  return { from: to - width, to } as LogicalRange;
}

/** What a chart lends the group: its chart, where the crosshair's price sits, and what it shows. */
export interface SyncedChart {
  chart: IChartApi;
  /** The series whose bar close the crosshair's horizontal line marks. */
  priceSeries(): ISeriesApi<SeriesType>;
  bars(): readonly Bar[];
  timeframe(): Timeframe;
  /** Shows the bar at this time in the chart's legend (null: the latest bar), as the chart's own crosshair would. */
  showHovered(time: number | null): void;
}

function timelineOf(member: SyncedChart): BarTimeline {
  return { bars: member.bars(), barMs: nominalTimeframeMs(member.timeframe()) };
}

/**
 * Charts that move together: the crosshair over one is drawn on the others at the bar holding
 * the same time, and scrolling or zooming one scrolls the others to the same time. Only the
 * chart the pointer last moved over leads, so the moves the group makes on the others (and
 * their own loading) never echo back.
 */
export class ChartSync {
  private readonly members = new Set<SyncedChart>();
  private leader: SyncedChart | null = null;

  join(member: SyncedChart): () => void {
    this.members.add(member);
    const onCrosshairMove: MouseEventHandler<Time> = (param) => {
      if (param.point === undefined) {
        if (this.leader === member) this.crosshairAt(member, null);
        return;
      }
      // Crosshairs the group sets carry no pointer event.
      if (param.sourceEvent === undefined) return;
      this.leader = member;
      this.crosshairAt(member, param.time === undefined ? null : fromChartTime(param.time as UTCTimestamp));
    };
    const onRangeChange = (range: LogicalRange | null) => {
      if (range !== null && this.leader === member) this.followTime(member, range);
    };
    member.chart.subscribeCrosshairMove(onCrosshairMove);
    member.chart.timeScale().subscribeVisibleLogicalRangeChange(onRangeChange);
    return () => {
      member.chart.unsubscribeCrosshairMove(onCrosshairMove);
      member.chart.timeScale().unsubscribeVisibleLogicalRangeChange(onRangeChange);
      this.members.delete(member);
      if (this.leader === member) this.leader = null;
    };
  }

  private crosshairAt(leader: SyncedChart, time: number | null): void {
    for (const member of this.members) {
      if (member === leader) continue;
      const bars = member.bars();
      const index = time === null ? -1 : barIndexAt({ bars, barMs: nominalTimeframeMs(member.timeframe()) }, time);
      const bar = bars[index];
      const view = member.chart.timeScale().getVisibleLogicalRange();
      // A bar scrolled out of view keeps its values in the legend, but a crosshair there would be
      // pinned to the chart's edge at another bar.
      if (bar && view && index >= view.from && index <= view.to) member.chart.setCrosshairPosition(bar.close, toChartTime(bar.time), member.priceSeries());
      else member.chart.clearCrosshairPosition();
      member.showHovered(bar ? bar.time : null);
    }
  }

  private followTime(leader: SyncedChart, range: LogicalRange): void {
    const leaderView = { ...timelineOf(leader), timeframe: leader.timeframe(), range };
    for (const member of this.members) {
      if (member === leader) continue;
      const timeScale = member.chart.timeScale();
      const next = followingRange(leaderView, { ...timelineOf(member), timeframe: member.timeframe(), range: timeScale.getVisibleLogicalRange() });
      if (next) timeScale.setVisibleLogicalRange(next);
    }
  }
}
