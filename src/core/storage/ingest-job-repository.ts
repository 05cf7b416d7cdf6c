/**
 * Ingest jobs, alerts, spot snapshots, news and plan depths for both dialects: each statement exists
 * once with `{name}` parameters, compiled per driver the way the bar and checkpoint SQL
 * are. Values cross as portable types only: booleans as 1/0 (Postgres reads '1' as true),
 * JSON as text (Postgres casts it to jsonb); rows are read back through the `to*` mappers,
 * which accept SQLite's text JSON and Postgres's bigint strings alike.
 */
import type { ProviderId } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import type { Alert } from '../../shared/scheduler';
import type {
  AlertRepository,
  IngestJobRepository,
  NewsArticle,
  NewsRepository,
  PlanDepth,
  PlanDepthRepository,
  SpotPriceRepository,
  SpotSnapshot,
  StoredIngestJob,
} from './types';

type Row = Record<string, unknown>;

/** One dialect's way to run a statement with `{name}` parameters. */
export interface SqlExecutor {
  /** The rows a statement returns (SELECT, or RETURNING). */
  query(text: string, params?: Row): Promise<Row[]>;
  /** How many rows a statement changed. */
  execute(text: string, params?: Row): Promise<number>;
}

const json = (value: unknown) => JSON.stringify(value);
const parseJson = <T>(value: unknown): T => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T));
const nullableNumber = (value: unknown) => (value === null || value === undefined ? null : Number(value));

const INGEST_JOB_COLUMNS = `id, name, kind, provider, symbols, timeframe, schedule, timezone, lookback_days AS "lookbackDays",
  retry_policy AS "retryPolicy", timeout_ms AS "timeoutMs", depends_on AS "dependsOn", enabled,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

function toIngestJob(row: Row): StoredIngestJob {
  return {
    id: String(row.id),
    name: String(row.name),
    kind: row.kind as StoredIngestJob['kind'],
    provider: row.provider as ProviderId,
    symbols: parseJson<string[]>(row.symbols),
    timeframe: (row.timeframe ?? null) as StoredIngestJob['timeframe'],
    schedule: (row.schedule ?? null) as string | null,
    timezone: String(row.timezone),
    lookbackDays: Number(row.lookbackDays),
    retryPolicy: parseJson<StoredIngestJob['retryPolicy']>(row.retryPolicy),
    timeoutMs: Number(row.timeoutMs),
    dependsOn: parseJson<string[]>(row.dependsOn),
    enabled: row.enabled === true || Number(row.enabled) === 1,
    createdAt: Number(row.createdAt),
    updatedAt: Number(row.updatedAt),
  };
}

function ingestJobParams(job: StoredIngestJob): Row {
  return {
    ...job,
    symbols: json(job.symbols),
    retryPolicy: json(job.retryPolicy),
    dependsOn: json(job.dependsOn),
    enabled: job.enabled ? 1 : 0,
  };
}

export class SqlIngestJobs implements IngestJobRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async list(): Promise<StoredIngestJob[]> {
    return (await this.sql.query(`SELECT ${INGEST_JOB_COLUMNS} FROM ingest_jobs ORDER BY created_at, id`)).map(toIngestJob);
  }

  async get(id: string): Promise<StoredIngestJob | undefined> {
    const [row] = await this.sql.query(`SELECT ${INGEST_JOB_COLUMNS} FROM ingest_jobs WHERE id = {id}`, { id });
    return row && toIngestJob(row);
  }

  async create(job: StoredIngestJob): Promise<void> {
    const added = await this.sql.execute(
      `INSERT INTO ingest_jobs (id, name, kind, provider, symbols, timeframe, schedule, timezone, lookback_days, retry_policy,
         timeout_ms, depends_on, enabled, created_at, updated_at)
       VALUES ({id}, {name}, {kind}, {provider}, {symbols}, {timeframe}, {schedule}, {timezone}, {lookbackDays}, {retryPolicy},
         {timeoutMs}, {dependsOn}, {enabled}, {createdAt}, {updatedAt})
       ON CONFLICT (id) DO NOTHING`,
      ingestJobParams(job),
    );
    if (added === 0) throw new AppError('CONFLICT', `A scheduled job with id ${job.id} exists already.`);
  }

  async update(job: StoredIngestJob): Promise<void> {
    const changed = await this.sql.execute(
      `UPDATE ingest_jobs SET name = {name}, kind = {kind}, provider = {provider}, symbols = {symbols}, timeframe = {timeframe},
         schedule = {schedule}, timezone = {timezone}, lookback_days = {lookbackDays}, retry_policy = {retryPolicy},
         timeout_ms = {timeoutMs}, depends_on = {dependsOn}, enabled = {enabled}, updated_at = {updatedAt}
       WHERE id = {id}`,
      ingestJobParams(job),
    );
    if (changed === 0) throw new AppError('NOT_FOUND', `There is no scheduled job ${job.id}.`);
  }

  async delete(id: string): Promise<boolean> {
    return (await this.sql.execute('DELETE FROM ingest_jobs WHERE id = {id}', { id })) > 0;
  }

  async claimFiring(id: string, scheduledAt: number): Promise<boolean> {
    // One conditional UPDATE: the database serialises it, so of two processes waking for the same time one changes the row.
    const claimed = await this.sql.execute(
      `UPDATE ingest_jobs SET last_fired_at = {scheduledAt}
       WHERE id = {id} AND (last_fired_at IS NULL OR last_fired_at < {scheduledAt})`,
      { id, scheduledAt },
    );
    return claimed > 0;
  }
}

const ALERT_COLUMNS = 'id, created_at AS "createdAt", severity, source, message, acknowledged_at AS "acknowledgedAt"';

function toAlert(row: Row): Alert {
  return {
    id: Number(row.id),
    createdAt: Number(row.createdAt),
    severity: row.severity as Alert['severity'],
    source: String(row.source),
    message: String(row.message),
    acknowledgedAt: nullableNumber(row.acknowledgedAt),
  };
}

export class SqlAlerts implements AlertRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async raise(alert: Parameters<AlertRepository['raise']>[0]): Promise<Alert> {
    const [row] = await this.sql.query(
      `INSERT INTO alerts (created_at, severity, source, message, details)
       VALUES ({createdAt}, {severity}, {source}, {message}, {details}) RETURNING ${ALERT_COLUMNS}`,
      { ...alert, details: alert.details === undefined ? null : json(alert.details) },
    );
    return toAlert(row!);
  }

  async list(filter: { unacknowledgedOnly: boolean; limit: number }): Promise<Alert[]> {
    const where = filter.unacknowledgedOnly ? 'WHERE acknowledged_at IS NULL' : '';
    const rows = await this.sql.query(`SELECT ${ALERT_COLUMNS} FROM alerts ${where} ORDER BY created_at DESC, id DESC LIMIT {limit}`, {
      limit: filter.limit,
    });
    return rows.map(toAlert);
  }

  async acknowledge(ids: readonly number[] | undefined, at: number): Promise<number> {
    if (ids === undefined) return this.sql.execute('UPDATE alerts SET acknowledged_at = {at} WHERE acknowledged_at IS NULL', { at });
    let changed = 0;
    // One statement per id keeps the SQL identical on both drivers; people acknowledge a handful at a time.
    for (const id of new Set(ids)) {
      changed += await this.sql.execute('UPDATE alerts SET acknowledged_at = {at} WHERE id = {id} AND acknowledged_at IS NULL', { at, id });
    }
    return changed;
  }

  async countUnacknowledged(): Promise<number> {
    const [row] = await this.sql.query('SELECT count(*) AS n FROM alerts WHERE acknowledged_at IS NULL');
    return Number(row!.n);
  }

  async latestUnacknowledged(source: string): Promise<(Alert & { details: Record<string, unknown> | null }) | undefined> {
    const [row] = await this.sql.query(
      `SELECT ${ALERT_COLUMNS}, details FROM alerts WHERE source = {source} AND acknowledged_at IS NULL
       ORDER BY created_at DESC, id DESC LIMIT 1`,
      { source },
    );
    return row && { ...toAlert(row), details: row.details === null ? null : parseJson<Record<string, unknown>>(row.details) };
  }
}

export class SqlSpotPrices implements SpotPriceRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async insert(snapshot: SpotSnapshot): Promise<boolean> {
    if (!Number.isFinite(snapshot.price) || snapshot.price <= 0) {
      throw new AppError('VALIDATION', `A ${snapshot.metal} price from ${snapshot.source} must be a positive number, not ${snapshot.price}.`);
    }
    const added = await this.sql.execute(
      `INSERT INTO precious_metals_prices (metal, price, timestamp, source) VALUES ({metal}, {price}, {timestamp}, {source})
       ON CONFLICT (metal, source, timestamp) DO NOTHING`,
      { ...snapshot },
    );
    return added > 0;
  }

  async list(filter: { metal?: string; limit: number }): Promise<SpotSnapshot[]> {
    const rows = await this.sql.query(
      `SELECT metal, price, timestamp, source FROM precious_metals_prices
       WHERE metal = COALESCE({metal}, metal) ORDER BY timestamp DESC, id DESC LIMIT {limit}`,
      { metal: filter.metal ?? null, limit: filter.limit },
    );
    return rows.map((row) => ({ metal: String(row.metal), price: Number(row.price), timestamp: Number(row.timestamp), source: String(row.source) }));
  }
}

const NEWS_COLUMNS = `provider, provider_id AS "providerId", published_at AS "publishedAt", title, url, tickers, publisher, sentiment`;

export class SqlNews implements NewsRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async upsert(articles: readonly NewsArticle[]): Promise<{ inserted: number; updated: number }> {
    let inserted = 0;
    let updated = 0;
    // Article by article: a page holds at most a thousand, and the counts stay exact on both drivers.
    for (const article of articles) {
      const params = { ...article, tickers: json(article.tickers) };
      if (
        (await this.sql.execute(
          `INSERT INTO news (provider, provider_id, published_at, title, url, tickers, publisher, sentiment)
           VALUES ({provider}, {providerId}, {publishedAt}, {title}, {url}, {tickers}, {publisher}, {sentiment})
           ON CONFLICT (provider, provider_id) DO NOTHING`,
          params,
        )) > 0
      ) {
        inserted++;
        continue;
      }
      updated += await this.sql.execute(
        `UPDATE news SET published_at = {publishedAt}, title = {title}, url = {url}, tickers = {tickers}, publisher = {publisher},
           sentiment = {sentiment}
         WHERE provider = {provider} AND provider_id = {providerId}
           AND (published_at <> {publishedAt} OR title <> {title} OR url <> {url} OR tickers <> {tickers}
             OR publisher IS DISTINCT FROM {publisher} OR sentiment IS DISTINCT FROM {sentiment})`,
        params,
      );
    }
    return { inserted, updated };
  }

  async list(filter: { provider?: ProviderId; limit: number }): Promise<NewsArticle[]> {
    const rows = await this.sql.query(
      `SELECT ${NEWS_COLUMNS} FROM news WHERE provider = COALESCE({provider}, provider)
       ORDER BY published_at DESC, id DESC LIMIT {limit}`,
      { provider: filter.provider ?? null, limit: filter.limit },
    );
    return rows.map((row) => ({
      provider: row.provider as ProviderId,
      providerId: String(row.providerId),
      publishedAt: Number(row.publishedAt),
      title: String(row.title),
      url: String(row.url),
      tickers: parseJson<string[]>(row.tickers),
      publisher: (row.publisher ?? null) as string | null,
      sentiment: nullableNumber(row.sentiment),
    }));
  }

  async latestPublishedAt(provider: ProviderId): Promise<number | null> {
    const [row] = await this.sql.query('SELECT max(published_at) AS latest FROM news WHERE provider = {provider}', { provider });
    return nullableNumber(row?.latest);
  }
}

export class SqlPlanDepths implements PlanDepthRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async get(key: { provider: ProviderId; keyFingerprint: string; timeframe: PlanDepth['timeframe'] }): Promise<PlanDepth | undefined> {
    const [row] = await this.sql.query(
      `SELECT history_start AS "historyStart", learned_at AS "learnedAt" FROM provider_plan_depth
       WHERE provider = {provider} AND key_fingerprint = {keyFingerprint} AND timeframe = {timeframe}`,
      { ...key },
    );
    return row && { ...key, historyStart: Number(row.historyStart), learnedAt: Number(row.learnedAt) };
  }

  async save(depth: PlanDepth): Promise<void> {
    await this.sql.execute(
      `INSERT INTO provider_plan_depth (provider, key_fingerprint, timeframe, history_start, learned_at)
       VALUES ({provider}, {keyFingerprint}, {timeframe}, {historyStart}, {learnedAt})
       ON CONFLICT (provider, key_fingerprint, timeframe) DO UPDATE SET history_start = excluded.history_start, learned_at = excluded.learned_at`,
      { ...depth },
    );
  }
}

/** The repositories written once over an executor, each wrapped by the dialect's error mapping. */
export function sqlRepositories(executor: SqlExecutor, wrap: <T extends object>(repository: T) => T) {
  return {
    ingestJobs: wrap(new SqlIngestJobs(executor)),
    alerts: wrap(new SqlAlerts(executor)),
    spotPrices: wrap(new SqlSpotPrices(executor)),
    news: wrap(new SqlNews(executor)),
    planDepths: wrap(new SqlPlanDepths(executor)),
  };
}

