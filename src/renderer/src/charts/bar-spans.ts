import type { Bar, BarSpan } from '../../../shared/domain';
import type { Timeframe } from '../../../shared/timeframes';

/** The stored timeframe of each bar, for the legend; undefined where no span says. */
export function barTimeframes(bars: readonly Bar[], spans: readonly BarSpan[]): (Timeframe | undefined)[] {
  const out = new Array<Timeframe | undefined>(bars.length);
  let s = 0;
  for (let i = 0; i < bars.length; i++) {
    const time = bars[i]!.time;
    while (s < spans.length && spans[s]!.to < time) s++;
    out[i] = s < spans.length && spans[s]!.from <= time ? spans[s]!.timeframe : undefined;
  }
  return out;
}

/**
 * What the chart header says the bars were built from, naming every stored timeframe the
 * window shows, oldest first: "stored as 1d", "aggregated from 1h", "from 1d and 1h bars".
 */
export function sourceLine(spans: readonly BarSpan[], sourceTimeframe: Timeframe, shown: Timeframe): string {
  const used = [...new Set(spans.map((span) => span.timeframe))];
  if (used.length > 1) return `from ${used.slice(0, -1).join(', ')} and ${used.at(-1)} bars`;
  const only = used[0] ?? sourceTimeframe;
  return only === shown ? `stored as ${shown}` : `aggregated from ${only}`;
}
