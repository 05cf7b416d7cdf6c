/**
 * Many clients of one `metalytics serve`: CLIENTS connections each asking `bars.query` for
 * 2,000 hourly candles, one request after another, for DURATION_MS. The server runs in its
 * own process on the data folder the chart figures filled; the clients share the machine with
 * it, as they did in the load test that found 72 replies/s.
 */
import { percentile } from './stats';
import { startServeProcess } from '../support/serve-process';

const CLIENTS = 20;
const DURATION_MS = 15_000;
const WARM_UP_MS = 2_000;

export async function benchConcurrentClients(dataDir: string, symbol: string, storedBars: number): Promise<Record<string, string | number>> {
  const server = await startServeProcess(dataDir);
  try {
    const ask = async () => {
      const response = await fetch(`${server.origin}/api/bars.query`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ symbol, timeframe: '1h', limit: 2_000 }),
      });
      const reply = (await response.json()) as { ok: boolean; value?: { bars: unknown[] } };
      if (!reply.ok || reply.value?.bars.length !== 2_000) throw new Error(`unexpected reply: ${JSON.stringify(reply).slice(0, 200)}`);
    };
    const latencies: number[] = [];
    const start = performance.now();
    const measureFrom = start + WARM_UP_MS;
    const end = measureFrom + DURATION_MS;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (performance.now() < end) {
          const sent = performance.now();
          await ask();
          if (sent >= measureFrom) latencies.push(performance.now() - sent);
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    return {
      figure: 'concurrent-clients',
      clients: CLIENTS,
      request: 'bars.query 2,000 1h candles',
      storedBars,
      repliesPerSecond: (latencies.length / (DURATION_MS / 1000)).toFixed(0),
      p50ms: percentile(latencies, 50).toFixed(0),
      p95ms: percentile(latencies, 95).toFixed(0),
    };
  } finally {
    await server.stop();
  }
}
