import type { CandlestickData, HistogramData, LineData, UTCTimestamp } from 'lightweight-charts';
import type { Bar } from '../../../shared/domain';
import { toChartTime } from '../ui/format/time';

/** A bar's open, high, low and close as a candle or OHLC bar of the chart (Heikin-Ashi candles too). */
export function toCandle(bar: Pick<Bar, 'time' | 'open' | 'high' | 'low' | 'close'>): CandlestickData<UTCTimestamp> {
  return { time: toChartTime(bar.time), open: bar.open, high: bar.high, low: bar.low, close: bar.close };
}

export function toCandleData(bars: readonly Pick<Bar, 'time' | 'open' | 'high' | 'low' | 'close'>[]): CandlestickData<UTCTimestamp>[] {
  return bars.map(toCandle);
}

export function toCloseLineData(bars: readonly Bar[]): LineData<UTCTimestamp>[] {
  return bars.map((bar) => ({ time: toChartTime(bar.time), value: bar.close }));
}

/**
 * Files with only a close column (long monthly histories) store open = high = low = close;
 * as candles those are flat dashes, so they are drawn as a line instead.
 */
export function isCloseOnly(bars: readonly Bar[]): boolean {
  return bars.length > 0 && bars.every((bar) => bar.open === bar.close && bar.high === bar.close && bar.low === bar.close);
}

/** Spot quotes and close-only files carry no volume; a row of zero bars would only add noise. */
export function hasVolume(bars: readonly Bar[]): boolean {
  return bars.some((bar) => bar.volume > 0);
}

/** Volume bars take the colour of their candle so buying and selling pressure reads at a glance. */
export function toVolumeData(bars: readonly Bar[], colors: { up: string; down: string }): HistogramData<UTCTimestamp>[] {
  return bars.map((bar) => ({
    time: toChartTime(bar.time),
    value: bar.volume,
    color: bar.close >= bar.open ? colors.up : colors.down,
  }));
}

/**
 * Why lightweight-charts would refuse these bars, or null when it will draw them: it
 * requires strictly ascending times and finite prices, and throws otherwise.
 */
export function chartDataProblem(bars: readonly Bar[]): string | null {
  let previous = Number.NEGATIVE_INFINITY;
  for (const bar of bars) {
    const time = toChartTime(bar.time);
    if (time <= previous) return 'the bars are not in strictly ascending time order';
    if (![bar.open, bar.high, bar.low, bar.close, bar.volume].every(Number.isFinite)) return 'a bar has a missing or non-numeric price';
    previous = time;
  }
  return null;
}

/** Index of the bar that opens at `epochMs` in bars sorted by time, or -1. */
export function indexOfBarAt(bars: readonly Bar[], epochMs: number): number {
  let low = 0;
  let high = bars.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const time = bars[middle]!.time;
    if (time === epochMs) return middle;
    if (time < epochMs) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}
