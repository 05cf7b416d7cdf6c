import type { IPanePrimitive, IPrimitivePaneRenderer, IPrimitivePaneView, PaneAttachedParameter, Time, UTCTimestamp } from 'lightweight-charts';
import type { BarSpan } from '../../../shared/domain';
import { toChartTime } from '../ui/format/time';

/** Where one stored timeframe gives way to another: between two neighbouring bars. */
export interface Seam {
  /** Open time of the last bar of the older span and of the first bar of the newer one. */
  before: number;
  after: number;
  /** The stored timeframe of the newer span, drawn beside the line. */
  timeframe: BarSpan['timeframe'];
}

/** The seams between consecutive spans, each between the bars either side of it. */
export function seamsOf(spans: readonly BarSpan[]): Seam[] {
  const seams: Seam[] = [];
  for (let i = 1; i < spans.length; i++) seams.push({ before: spans[i - 1]!.to, after: spans[i]!.from, timeframe: spans[i]!.timeframe });
  return seams;
}

type DrawTarget = Parameters<IPrimitivePaneRenderer['draw']>[0];

/**
 * A thin dotted line, with the newer span's stored timeframe in small type at its top,
 * wherever a chart's bars change from one stored timeframe to another: a daily chart built
 * from daily bars until 2017 and from hourly bars after shows where the resolution changes
 * without getting in the way of the candles. Attached to the price pane, so it shows over
 * candles and close-only lines alike.
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
    const same = seams.length === this.seams.length && seams.every((seam, i) => seam.after === this.seams[i]!.after && seam.timeframe === this.seams[i]!.timeframe);
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
    const lines: { x: number; label: string }[] = [];
    for (const seam of this.seams) {
      const before = timeScale.timeToCoordinate(toChartTime(seam.before) as UTCTimestamp);
      const after = timeScale.timeToCoordinate(toChartTime(seam.after) as UTCTimestamp);
      if (before !== null && after !== null) lines.push({ x: (before + after) / 2, label: seam.timeframe });
    }
    if (lines.length === 0) return;
    target.useMediaCoordinateSpace(({ context, mediaSize }) => {
      context.save();
      context.strokeStyle = this.color;
      context.fillStyle = this.color;
      context.lineWidth = 1;
      context.setLineDash([2, 3]);
      context.font = '10px system-ui, sans-serif';
      for (const { x, label } of lines) {
        const pixel = Math.round(x) + 0.5;
        context.beginPath();
        context.moveTo(pixel, 0);
        context.lineTo(pixel, mediaSize.height);
        context.stroke();
        context.fillText(`${label} →`, pixel + 4, 12);
      }
      context.restore();
    });
  }
}
