/**
 * The few series the headless server exposes at /metrics, in the Prometheus text format
 * (version 0.0.4). Hand-written rather than prom-client: a handful of series do not justify a
 * dependency and its default collectors.
 */

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Seconds; CSV imports and long queries reach the upper buckets, plain reads stay in the first. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] as const;

export type DroppedClientReason = 'slow' | 'unresponsive';

/** Point-in-time values read from the core when scraped. */
export interface MetricsSnapshot {
  databaseUp: boolean;
  /** Null when the database could not count (it is down). */
  barsStored: number | null;
  eventClients: number;
  /** Per stored series, the open time of its newest bar (epoch ms), so stale data can be alerted on per instrument. */
  newestBars: readonly { symbol: string; timeframe: string; last: number }[];
}

interface Histogram {
  buckets: number[];
  sum: number;
  count: number;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(pairs: Record<string, string>): string {
  const inner = Object.entries(pairs)
    .map(([name, value]) => `${name}="${escapeLabel(value)}"`)
    .join(',');
  return inner ? `{${inner}}` : '';
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

export class ServerMetrics {
  private readonly requests = new Map<string, { method: string; outcome: string; count: number }>();
  private readonly durations = new Map<string, Histogram>();
  private readonly dropped = new Map<DroppedClientReason, number>();
  private readonly runs = new Map<string, { kind: string; status: string; count: number }>();
  private readonly startedAtMs: number;

  constructor(private readonly now: () => number = Date.now) {
    this.startedAtMs = now();
  }

  /** `outcome` is `ok` or the contract error code of the reply. */
  recordRpc(method: string, outcome: string, seconds: number): void {
    const key = `${method}\u0000${outcome}`;
    const entry = this.requests.get(key) ?? { method, outcome, count: 0 };
    entry.count += 1;
    this.requests.set(key, entry);

    let histogram = this.durations.get(method);
    if (!histogram) {
      histogram = { buckets: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.durations.set(method, histogram);
    }
    DURATION_BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) histogram.buckets[i] = (histogram.buckets[i] ?? 0) + 1;
    });
    histogram.sum += seconds;
    histogram.count += 1;
  }

  /** A job run ended (any kind: import, backfill, poll, train, backup…), from the core's `job.finished` event. */
  recordJobRun(kind: string, status: string): void {
    const key = `${kind}\u0000${status}`;
    const entry = this.runs.get(key) ?? { kind, status, count: 0 };
    entry.count += 1;
    this.runs.set(key, entry);
  }

  recordDroppedClient(reason: DroppedClientReason): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + 1);
  }

  render(snapshot: MetricsSnapshot): string {
    const lines: string[] = [];
    const family = (name: string, type: 'counter' | 'gauge' | 'histogram', help: string) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    };
    const sample = (name: string, value: number, pairs: Record<string, string> = {}) => {
      lines.push(`${name}${labels(pairs)} ${formatValue(value)}`);
    };

    family('process_start_time_seconds', 'gauge', 'Start time of the process since the Unix epoch in seconds.');
    sample('process_start_time_seconds', Math.floor(Date.now() / 1000 - process.uptime()));
    family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.');
    sample('process_resident_memory_bytes', process.memoryUsage.rss());
    family('metalytics_uptime_seconds', 'gauge', 'Seconds since the headless server started.');
    sample('metalytics_uptime_seconds', (this.now() - this.startedAtMs) / 1000);

    family('metalytics_rpc_requests_total', 'counter', 'Contract method calls over HTTP by method and outcome (ok or error code).');
    for (const { method, outcome, count } of this.requests.values()) {
      sample('metalytics_rpc_requests_total', count, { method, outcome });
    }

    family('metalytics_rpc_duration_seconds', 'histogram', 'Time to answer a contract method call over HTTP.');
    for (const [method, histogram] of this.durations) {
      DURATION_BUCKETS.forEach((bound, i) => {
        sample('metalytics_rpc_duration_seconds_bucket', histogram.buckets[i] ?? 0, { method, le: String(bound) });
      });
      sample('metalytics_rpc_duration_seconds_bucket', histogram.count, { method, le: '+Inf' });
      sample('metalytics_rpc_duration_seconds_sum', histogram.sum, { method });
      sample('metalytics_rpc_duration_seconds_count', histogram.count, { method });
    }

    family('metalytics_database_up', 'gauge', 'Whether the database answered a ping (1) or not (0).');
    sample('metalytics_database_up', snapshot.databaseUp ? 1 : 0);
    if (snapshot.barsStored !== null) {
      family('metalytics_bars_stored', 'gauge', 'Bars stored in market_data across all symbols and timeframes.');
      sample('metalytics_bars_stored', snapshot.barsStored);
    }
    family('metalytics_newest_bar_timestamp_seconds', 'gauge', 'Open time of the newest stored bar of each symbol and stored timeframe, since the Unix epoch.');
    for (const { symbol, timeframe, last } of snapshot.newestBars) {
      sample('metalytics_newest_bar_timestamp_seconds', last / 1000, { symbol, timeframe });
    }
    family('metalytics_job_runs_total', 'counter', 'Job runs that ended since the server started, by kind and status (succeeded, failed, cancelled).');
    for (const { kind, status, count } of this.runs.values()) {
      sample('metalytics_job_runs_total', count, { kind, status });
    }
    family('metalytics_event_clients', 'gauge', 'WebSocket clients subscribed to core events.');
    sample('metalytics_event_clients', snapshot.eventClients);
    family('metalytics_event_clients_dropped_total', 'counter', 'WebSocket clients disconnected for falling behind or not answering pings.');
    for (const reason of ['slow', 'unresponsive'] as const) {
      sample('metalytics_event_clients_dropped_total', this.dropped.get(reason) ?? 0, { reason });
    }
    return `${lines.join('\n')}\n`;
  }
}
