/**
 * Indicator throughput: bars per second of each indicator over ~1M synthetic minute bars,
 * beside a baseline taken in the same run (one plain pass over the closes, the floor any
 * single-pass indicator is measured against). Best of several runs, so a GC pause or JIT
 * warm-up does not decide the figure.
 *
 *   METALYTICS_BENCH_INDICATOR_BARS   bars per run (default 1,000,000)
 */
import { computeIndicator, toPriceColumns, type PriceColumns } from '../../src/shared/compute-indicators';
import type { IndicatorSpec } from '../../src/shared/indicators';
import { formatRate, syntheticMinuteBars } from './stats';

const BARS = Number(process.env.METALYTICS_BENCH_INDICATOR_BARS ?? 1_000_000);
const RUNS = 5;

const specs: IndicatorSpec[] = [
  { kind: 'sma', params: { period: 20 } },
  { kind: 'sma', params: { period: 1000 } },
  { kind: 'ema', params: { period: 20 } },
  { kind: 'wma', params: { period: 20 } },
  { kind: 'rsi', params: { period: 14 } },
  { kind: 'atr', params: { period: 14 } },
  { kind: 'bbands', params: { period: 20, stddev: 2 } },
  { kind: 'macd', params: { fast: 12, slow: 26, signal: 9 } },
  { kind: 'stoch', params: { k: 14, d: 3, smooth: 3 } },
  { kind: 'stoch', params: { k: 1000, d: 3, smooth: 3 } },
  { kind: 'vwap', params: {} },
  { kind: 'volatility', params: { period: 20 } },
];

function bestMs(run: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    run();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

function describeParams(spec: IndicatorSpec): string {
  return Object.values(spec.params).join(',');
}

export async function benchIndicators(): Promise<Array<Record<string, string | number>>> {
  const bars = [...syntheticMinuteBars(Date.UTC(2020, 0, 1), BARS, BARS)].flat();
  const rows: Array<Record<string, string | number>> = [];
  const row = (name: string, params: string, ms: number) =>
    rows.push({ figure: 'indicator', indicator: name, params, bars: BARS, bestMs: ms.toFixed(1), rate: formatRate((BARS / ms) * 1000) });

  let columns: PriceColumns = toPriceColumns(bars);
  row('columns from bars', '', bestMs(() => (columns = toPriceColumns(bars))));

  let sink = 0;
  const sumCloses = (close: Float64Array) => {
    let sum = 0;
    for (let i = 0; i < close.length; i++) sum += close[i]!;
    return sum;
  };
  row('baseline: one pass over closes', '', bestMs(() => (sink += sumCloses(columns.close))));

  const context = { timeframe: '1m' as const, instrumentKind: 'spot' as const, firstShown: 0 };
  for (const spec of specs) {
    row(spec.kind, describeParams(spec), bestMs(() => computeIndicator(spec, columns, context, (values) => values)));
  }
  if (Number.isNaN(sink)) throw new Error('the baseline pass produced NaN');
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await benchIndicators()) console.log(Object.entries(r).map(([k, v]) => `${k}=${v}`).join('  '));
}
