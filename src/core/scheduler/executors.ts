import type { Instrument, ProviderId } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import { bucketStart, type Timeframe } from '../../shared/timeframes';
import { newBackfillRunDetails, type Backfills } from '../backfill/backfill';
import type { ProviderRegistry } from '../providers/registry';
import type { JobContext, JobOutcome } from '../jobs/job-runner';
import type { Logger } from '../ports';
import type { NewsItem } from '../providers/types';
import type { NewsArticle, Storage, StoredIngestJob } from '../storage/types';

const DAY_MS = 86_400_000;

export interface ExecutorDeps {
  storage: Storage;
  providers: ProviderRegistry;
  backfills: Backfills;
  logger: Logger;
  now: () => number;
  /** Runs `predict` and `train` jobs: live predictions, their scores and drift, and retraining. */
  modelJobs: ModelJobs;
  /** Runs `retention` jobs (retention/retention.ts). */
  retentionJobs: RetentionJobs;
  /** Runs `backup` and `drill` jobs. */
  backupJobs: BackupJobs;
}

/** Data retention as the scheduler runs it: the setting in force, applied now; answers the minute bars rolled up. */
export interface RetentionJobs {
  apply(ctx: JobContext): Promise<number>;
}

/** What a scheduled run reports; the rows are recorded with its job run. */
export interface ExecutorResult {
  symbols: number;
  rows: number;
}

/** The models side of the scheduler, filled by the live tracker (models/live). */
export interface ModelJobs {
  /** Predicts with the series' active and shadow models, then scores what the new bars settle. */
  predict(ctx: JobContext, job: StoredIngestJob, symbol: string): Promise<number>;
  /** Retrains the job's model name on `symbol` from its active version's parameters. */
  train(ctx: JobContext, job: StoredIngestJob, symbol: string): Promise<number>;
}

/** The backups side of the scheduler, filled by the backups namespace. */
export interface BackupJobs {
  /** Writes and verifies a backup of kind `scheduled` inside the run, then applies the keep rules; answers the rows backed up. */
  backup(ctx: JobContext): Promise<number>;
  /** Restores the latest verified backup into a scratch database and queries it; answers the series checked. */
  drill(ctx: JobContext): Promise<number>;
}

export type Executor = (deps: ExecutorDeps, ctx: JobContext, job: StoredIngestJob) => Promise<JobOutcome<ExecutorResult>>;

/** Checkpoint of a scheduled job's updates of one series; one row per job and series, overwritten by every run. */
function scheduledCheckpointId(jobId: string, symbol: string, timeframe: Timeframe): string {
  return `scheduled:${jobId}:${symbol}:${timeframe}`;
}

/** Polygon's insight labels (and the bullish/bearish some feeds use) on the news table's -1 … 1 scale. */
export function sentimentScore(label: string | null): number | null {
  switch (label?.trim().toLowerCase()) {
    case 'positive':
    case 'bullish':
      return 1;
    case 'neutral':
      return 0;
    case 'negative':
    case 'bearish':
      return -1;
    default:
      return null;
  }
}

function toArticle(item: NewsItem): NewsArticle {
  return {
    provider: item.provider,
    providerId: item.id,
    publishedAt: item.publishedAt,
    title: item.title,
    url: item.url,
    tickers: item.tickers,
    publisher: item.publisher,
    sentiment: sentimentScore(item.sentiment),
  };
}

/** The provider of a kind that needs one; validation keeps it set, so its absence is a stored job from elsewhere. */
function providerOf(job: StoredIngestJob): ProviderId {
  if (job.provider === null) throw new AppError('VALIDATION', `The ${job.kind} job "${job.name}" has no provider; edit it to choose one.`);
  return job.provider;
}

async function instrumentOf(storage: Storage, symbol: string): Promise<Instrument> {
  const instrument = await storage.instruments.get(symbol);
  if (!instrument) throw new AppError('NOT_FOUND', `There is no instrument ${symbol} any more; edit the job to remove it.`);
  return instrument;
}

/**
 * Runs `work` for each symbol in turn. One symbol failing does not stop the others; the run
 * then fails with every symbol's reason, under the first failure's code (which decides
 * whether it is retried). A cancel stops at once.
 */
async function eachSymbol(
  ctx: JobContext,
  symbols: readonly string[],
  work: (symbol: string) => Promise<number>,
  options: { reportSymbols: boolean } = { reportSymbols: true },
): Promise<JobOutcome<ExecutorResult>> {
  let rows = 0;
  const failures: { symbol: string; error: unknown }[] = [];
  for (const [index, symbol] of symbols.entries()) {
    ctx.throwIfCancelled();
    try {
      rows += await work(symbol);
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      failures.push({ symbol, error });
    }
    if (options.reportSymbols) ctx.progress(index + 1, symbols.length);
  }
  if (failures.length > 0) {
    const first = failures[0]!.error;
    const message = failures.map(({ symbol, error }) => `${symbol}: ${error instanceof Error ? error.message : String(error)}`).join(' ');
    throw new AppError(first instanceof AppError ? first.code : 'INTERNAL', message, first instanceof AppError ? first.details : undefined);
  }
  return { value: { symbols: symbols.length, rows }, rows };
}

/** Brings each series up to now: from its last stored bar (refetched, it may have been still forming), or `lookbackDays` back. */
const runBackfill: Executor = async (deps, ctx, job) => {
  const { storage, providers, backfills, now } = deps;
  const timeframe = job.timeframe;
  if (timeframe === null) throw new AppError('VALIDATION', `The backfill job "${job.name}" has no timeframe.`);
  const adapter = await providers.adapter(providerOf(job));
  const details = newBackfillRunDetails();
  ctx.recordDetails(details);
  return eachSymbol(ctx, job.symbols, async (symbol) => {
    const instrument = await instrumentOf(storage, symbol);
    const stored = (await storage.marketData.coverage(symbol)).filter((series) => series.timeframe === timeframe);
    const lastStored = stored.length === 0 ? null : Math.max(...stored.map((series) => series.last));
    const to = now();
    const from = lastStored ?? bucketStart(to - job.lookbackDays * DAY_MS, timeframe);
    if (from >= to) return 0;
    const summary = await backfills.backfillWithin(
      ctx,
      { adapter, instrument, timeframe, from, to, checkpointId: scheduledCheckpointId(job.id, symbol, timeframe) },
      details,
    );
    return summary.inserted + summary.updated;
  }, { reportSymbols: false }); // each series' backfill reports its own progress in bars
};

/** One spot snapshot per symbol into precious_metals_prices; the same quote polled twice is stored once. */
const runPoll: Executor = async (deps, ctx, job) => {
  const { storage, providers } = deps;
  const provider = providerOf(job);
  const adapter = await providers.adapter(provider);
  const fetchLatest = adapter.fetchLatest;
  if (!fetchLatest) throw new AppError('VALIDATION', `${provider} offers no latest price; use a backfill job instead.`);
  return eachSymbol(ctx, job.symbols, async (symbol) => {
    const instrument = await instrumentOf(storage, symbol);
    const latest = await fetchLatest.call(adapter, instrument, ctx.signal);
    const stored = await storage.spotPrices.insert({ metal: symbol, price: latest.price, timestamp: latest.time, source: latest.source });
    return stored ? 1 : 0;
  });
};

/** News since the newest stored article of the provider (or `lookbackDays` back), per symbol or for the whole market. */
const runNews: Executor = async (deps, ctx, job) => {
  const { storage, providers, now } = deps;
  const provider = providerOf(job);
  const adapter = await providers.adapter(provider);
  const fetchNews = adapter.fetchNews;
  if (!fetchNews) throw new AppError('VALIDATION', `${provider} offers no news.`);
  const to = now();
  // Inclusive of the newest stored article's time: articles published in the same millisecond are not lost, and the upsert skips known ones.
  const from = (await storage.news.latestPublishedAt(provider)) ?? to - job.lookbackDays * DAY_MS;
  const fetchFor = async (instrument: Instrument | undefined) => {
    let rows = 0;
    for await (const page of fetchNews.call(adapter, { ...(instrument ? { instrument } : {}), from, to, signal: ctx.signal })) {
      ctx.throwIfCancelled();
      const written = await storage.news.upsert(page.map(toArticle));
      rows += written.inserted + written.updated;
    }
    return rows;
  };
  if (job.symbols.length === 0) {
    const rows = await fetchFor(undefined);
    return { value: { symbols: 0, rows }, rows };
  }
  return eachSymbol(ctx, job.symbols, async (symbol) => fetchFor(await instrumentOf(storage, symbol)));
};

/** Each symbol's series: forecasts from its models, scored as actual bars arrive. */
const runPredict: Executor = (deps, ctx, job) => eachSymbol(ctx, job.symbols, (symbol) => deps.modelJobs.predict(ctx, job, symbol));

/** A new version of the job's model name per symbol, from its active version's parameters. */
const runTrain: Executor = (deps, ctx, job) => eachSymbol(ctx, job.symbols, (symbol) => deps.modelJobs.train(ctx, job, symbol), { reportSymbols: false });

/** Minute bars older than the retention setting rolled up into hourly bars, over every instrument; nothing while it is off. */
const runRetention: Executor = async (deps, ctx) => {
  const rows = await deps.retentionJobs.apply(ctx);
  return { value: { symbols: 0, rows }, rows };
};

/** The whole workspace, written and verified inside the run. */
const runBackup: Executor = async (deps, ctx) => {
  const rows = await deps.backupJobs.backup(ctx);
  return { value: { symbols: 0, rows }, rows };
};

/** The latest verified backup restored into a scratch database and queried; it writes no rows of the workspace. */
const runDrill: Executor = async (deps, ctx) => {
  const series = await deps.backupJobs.drill(ctx);
  return { value: { symbols: series, rows: 0 }, rows: 0 };
};

export const executors: Readonly<Record<StoredIngestJob['kind'], Executor>> = {
  backfill: runBackfill,
  poll: runPoll,
  news: runNews,
  predict: runPredict,
  train: runTrain,
  retention: runRetention,
  backup: runBackup,
  drill: runDrill,
};

/** What each kind's job.progress events count. */
export const progressUnits: Readonly<Record<StoredIngestJob['kind'], string>> = {
  backfill: 'bars',
  poll: 'symbols',
  news: 'symbols',
  predict: 'symbols',
  train: 'epochs',
  retention: 'bars',
  backup: '%',
  drill: '%',
};
