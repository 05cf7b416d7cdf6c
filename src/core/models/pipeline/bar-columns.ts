import type { Bar } from '../../../shared/domain';
import type { BarColumns } from '../engine/ports';

/** Bars (ascending by time) as the columns the worker takes, copied once into typed arrays. */
export function toBarColumns(bars: readonly Bar[]): BarColumns {
  const column = (pick: (bar: Bar) => number) => Float64Array.from(bars, pick);
  return {
    time: column((bar) => bar.time),
    open: column((bar) => bar.open),
    high: column((bar) => bar.high),
    low: column((bar) => bar.low),
    close: column((bar) => bar.close),
    volume: column((bar) => bar.volume),
  };
}
