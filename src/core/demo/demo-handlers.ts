import type { CoreContext } from '../context';
import type { HandlerMap } from '../handlers';
import { generateHourlyBars, type SyntheticSeries } from './synthetic-prices';

const DEMO_SOURCE = 'demo';
const DEMO_DAYS = 730;
const CHUNK = 5_000;

/** Synthetic series live under their own DEMO.* instruments so they never mix with real prices. */
const demoSeries: ReadonlyArray<{ symbol: string; series: SyntheticSeries }> = [
  { symbol: 'DEMO.XAUUSD', series: { seed: 1979, startPrice: 1900, drift: 0.08, volatility: 0.15, baseVolume: 4_000, weekdaysOnly: true } },
  { symbol: 'DEMO.BTCUSD', series: { seed: 2009, startPrice: 30_000, drift: 0.3, volatility: 0.6, baseVolume: 900, weekdaysOnly: false } },
];

export function demoHandlers(ctx: CoreContext): HandlerMap {
  return {
    'demo.load': async () => {
      const to = ctx.now();
      const from = to - DEMO_DAYS * 86_400_000;
      const generated = demoSeries.map(({ symbol, series }) => ({ symbol, bars: generateHourlyBars(series, from, to) }));
      const total = generated.reduce((sum, { bars }) => sum + bars.length, 0);

      const { value } = await ctx.jobs.run('demo', 'Load synthetic demo prices', 'bars', async (job) => {
        let done = 0;
        for (const { symbol, bars } of generated) {
          for (let i = 0; i < bars.length; i += CHUNK) {
            job.throwIfCancelled();
            await ctx.storage.marketData.upsertBars({ symbol, timeframe: '1h', source: DEMO_SOURCE, bars: bars.slice(i, i + CHUNK) });
            done += Math.min(CHUNK, bars.length - i);
            job.progress(done, total);
            // Let other requests and events through between chunks.
            await new Promise((resolve) => setImmediate(resolve));
          }
          const first = bars[0];
          const last = bars[bars.length - 1];
          if (first && last) ctx.events.emit('bars.changed', { symbol, timeframe: '1h', from: first.time, to: last.time });
        }
        return { value: { symbols: generated.map((g) => g.symbol), bars: total }, rows: total };
      });
      return value;
    },
  };
}
