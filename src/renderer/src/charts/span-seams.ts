import type { IPanePrimitive, IPrimitivePaneRenderer, IPrimitivePaneView, PaneAttachedParameter, Time, UTCTimestamp } from 'lightweight-charts';
import type { BarSpan } from '../../../shared/domain';
import { nominalTimeframeMs, type Timeframe } from '../../../shared/timeframes';
import { toChartTime } from '../ui/format/time';

/**
 * A mark between two neighbouring bars: a `seam` where one stored timeframe gives way to
 * another, or a `hole` where the data has none for longer than markets pause.
 */
export interface Seam {
  kind: 'seam' | 'hole';
  /** Open times of the bars either side. */
  before: number;
  after: number;
  /** A seam: the newer span's stored timeframe; a hole: its length ("81-day gap"). */
  label: string;
}

/** The seams between consecutive spans, each between the bars either side of it. */
export function seamsOf(spans: readonly BarSpan[]): Seam[] {
  const seams: Seam[] = [];
  for (let i = 1; i < spans.length; i++) seams.push({ kind: 'seam', before: spans[i - 1]!.to, after: spans[i]!.from, label: `${spans[i]!.timeframe} →` });
  return seams;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** A long weekend is the longest pause of a market that trades every working day. */
const LONGEST_PAUSE_MS = 4 * DAY_MS;

/**
 * Gaps between neighbouring bars longer than any market pause: more than a long weekend and
 * more than three bars' length. A chart draws its bars side by side, so without a mark the bar
 * after a hole of weeks would sit beside the one before it as if a day had passed.
 */
export function holesOf(bars: readonly { time: number }[], timeframe: Timeframe): Seam[] {
  const longest = Math.max(LONGEST_PAUSE_MS, 3 * nominalTimeframeMs(timeframe));
  const holes: Seam[] = [];
  for (let i = 1; i < bars.length; i++) {
    const gap = bars[i]!.time - bars[i - 1]!.time;
    if (gap <= longest) continue;
    const days = Math.round(gap / DAY_MS);
    holes.push({ kind: 'hole', before: bars[i - 1]!.time, after: bars[i]!.time, label: `${days}-day gap` });
  }
  return holes;
}

/**
 * Why an indicator's value at bar `index` is suspect: its window of `window` bars ending there
 * reaches across a hole, so it mixes prices from either side of weeks without data (an RSI of
 * 80 after a hole measures the jump, not momentum). Undefined when no hole is inside.
 */
export function holeInWindow(bars: readonly { time: number }[], holes: readonly Seam[], index: number, window: number): string | undefined {
  const start = bars[Math.max(0, index - window + 1)]?.time;
  const end = bars[index]?.time;
  if (start === undefined || end === undefined || window < 2) return undefined;
  const inside = holes.filter((h) => h.before >= start && h.after <= end);
  if (inside.length === 0) return undefined;
  const longest = inside.reduce((a, b) => (b.after - b.before > a.after - a.before ? b : a));
  const also = inside.length > 1 ? ` and ${inside.length - 1} more` : '';
  return `Its ${window}-bar window reaches across a ${longest.label}${also} in the data, so this value mixes prices from either side of it.`;
}

type DrawTarget = Parameters<IPrimitivePaneRenderer['draw']>[0];

/**
 * A thin dotted line, with the newer span's stored timeframe in small type at its top,
 * wherever a chart's bars change from one stored timeframe to another: a daily chart built
 * from daily bars until 2017 and from hourly bars after shows where the resolution changes
 * without getting in the way of the candles. A hole in the data is a shaded band between the
 * bars either side, its length written at the bottom, just above the time axis. Attached to
 * the price pane, so it shows over candles and close-only lines alike.
 */
export class SpanSeams implements IPanePrimitive<Time> {
  private seams: readonly Seam[] = [];
  private color = 'rgba(128, 128, 128, 0.6)';
  private attachedTo: PaneAttachedParameter<Time> | null = null;
  private readonly view: IPrimitivePaneView = {
    zOrder: () => 'bottom',
    renderer: () => ({ draw: (target) => this.draw(target) }),
  };

  attached(param: PaneAttachedParameter<Time>): void {
    this.attachedTo = param;
  }

  detached(): void {
    this.attachedTo = null;
  }

  paneViews(): readonly IPrimitivePaneView[] {
    return [this.view];
  }

  /** Shows these seams from now on; the same list again draws nothing new. */
  set(seams: readonly Seam[], color: string): void {
    const same = seams.length === this.seams.length && seams.every((seam, i) => seam.after === this.seams[i]!.after && seam.label === this.seams[i]!.label);
    if (same && color === this.color) return;
    this.seams = seams;
    this.color = color;
    this.attachedTo?.requestUpdate();
  }

  /** The same seams in the colour of a new theme. */
  restyle(color: string): void {
    this.set(this.seams, color);
  }

  private draw(target: DrawTarget): void {
    const timeScale = this.attachedTo?.chart.timeScale();
    if (!timeScale || this.seams.length === 0) return;
    const marks: { kind: Seam['kind']; before: number; after: number; label: string }[] = [];
    for (const seam of this.seams) {
      const before = timeScale.timeToCoordinate(toChartTime(seam.before) as UTCTimestamp);
      const after = timeScale.timeToCoordinate(toChartTime(seam.after) as UTCTimestamp);
      if (before !== null && after !== null) marks.push({ kind: seam.kind, before, after, label: seam.label });
    }
    if (marks.length === 0) return;
    target.useMediaCoordinateSpace(({ context, mediaSize }) => {
      context.save();
      context.strokeStyle = this.color;
      context.fillStyle = this.color;
      context.lineWidth = 1;
      context.setLineDash([2, 3]);
      context.font = '10px system-ui, sans-serif';
      // Holes a few bars apart would print their lengths over each other: a label that would touch the last one is left out.
      let labelsEndAt = Number.NEGATIVE_INFINITY;
      for (const { kind, before, after, label } of marks) {
        const pixel = Math.round((before + after) / 2) + 0.5;
        if (kind === 'hole') {
          context.globalAlpha = 0.18;
          context.fillRect(before, 0, Math.max(after - before, 1), mediaSize.height);
          context.globalAlpha = 1;
          const half = context.measureText(label).width / 2;
          if (pixel - half > labelsEndAt + 4) {
            context.textAlign = 'center';
            context.fillText(label, pixel, mediaSize.height - 6);
            context.textAlign = 'start';
            labelsEndAt = pixel + half;
          }
          continue;
        }
        context.beginPath();
        context.moveTo(pixel, 0);
        context.lineTo(pixel, mediaSize.height);
        context.stroke();
        context.fillText(label, pixel + 4, 12);
      }
      context.restore();
    });
  }
}
