import type { Instrument, ProviderId } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import type { ProviderTestResult } from '../../shared/providers';
import { nominalTimeframeMs, timeframes } from '../../shared/timeframes';
import { formatWait, providerNames, type ProviderErrorDetails } from './provider-errors';
import type { Logger } from '../ports';
import type { ProviderAdapter, RequestLimits } from './types';

/**
 * A Test click spends at most one request of the provider's budget: no retry, and no long
 * wait behind a backfill using the same rate limit (it answers RATE_LIMITED with the wait
 * instead, without sending anything).
 */
export const TEST_LIMITS: Readonly<Required<RequestLimits>> = { maxWaitMs: 3_000, maxAttempts: 1 };

/** Instruments a Test uses when none is given, first carried first: gold spot, then gold futures for Yahoo. */
const PREFERRED_TEST_SYMBOLS = ['XAUUSD', 'GC=F'] as const;

/** Bars the fallback probe asks for, so even a daily-only provider answers with something outside weekends. */
const PROBE_BARS = 7;

/** The instrument a Test of `provider` uses by default: gold when the provider carries it, else the first it carries. */
export function defaultTestInstrument(provider: ProviderId, instruments: readonly Instrument[]): Instrument | undefined {
  const carried = instruments.filter((instrument) => instrument.providerSymbols[provider] !== undefined);
  for (const symbol of PREFERRED_TEST_SYMBOLS) {
    const preferred = carried.find((instrument) => instrument.symbol === symbol);
    if (preferred) return preferred;
  }
  return carried[0];
}

/**
 * One cheap real request through the adapter: the latest price where the adapter has it,
 * else the first page of a few of its coarsest bars. Answers with the latency and a
 * sample, or with the failure's code and a sentence a trader can act on.
 */
export async function testProvider(
  adapter: ProviderAdapter,
  instrument: Instrument,
  deps: { now: () => number; logger: Logger },
): Promise<ProviderTestResult> {
  const name = providerNames[adapter.id];
  const started = performance.now();
  const latencyMs = () => Math.round(performance.now() - started);
  try {
    const sample = await probe(adapter, instrument, deps.now());
    const ms = latencyMs();
    return {
      provider: adapter.id,
      ok: true,
      latencyMs: ms,
      message: sample
        ? `${name} answered in ${ms} ms: ${instrument.symbol} ${formatPrice(sample.price)} at ${new Date(sample.time).toISOString()}.`
        : `${name} answered in ${ms} ms but had no recent ${instrument.symbol} bars.`,
      errorCode: null,
      retryAfterMs: null,
      sample,
    };
  } catch (error) {
    const ms = latencyMs();
    if (!(error instanceof AppError)) {
      deps.logger.warn('provider test failed unexpectedly', { provider: adapter.id, error: error instanceof Error ? error.message : String(error) });
      return failure(adapter.id, ms, 'INTERNAL', `${name} could not be tested: something went wrong inside Metalytics; the details are in the log.`, null);
    }
    const details = (error.details ?? {}) as Partial<ProviderErrorDetails>;
    const retryAfterMs = error.code === 'RATE_LIMITED' ? (details.retryAfterMs ?? null) : null;
    return failure(adapter.id, ms, error.code, failureMessage(error.message, details, retryAfterMs), retryAfterMs);
  }
}

async function probe(adapter: ProviderAdapter, instrument: Instrument, now: number): Promise<ProviderTestResult['sample']> {
  if (adapter.fetchLatest) {
    const latest = await adapter.fetchLatest(instrument, undefined, TEST_LIMITS);
    return { symbol: instrument.symbol, price: latest.price, time: latest.time };
  }
  // The coarsest timeframe the provider serves: the fewest bars for a window that is rarely empty.
  const timeframe = timeframes.filter((tf) => adapter.capabilities.timeframes.includes(tf)).at(-1);
  if (!timeframe) throw new AppError('INTERNAL', `${providerNames[adapter.id]} serves no bars and no latest price.`);
  const pages = adapter.fetchBars({ instrument, timeframe, from: now - PROBE_BARS * nominalTimeframeMs(timeframe), to: now, ...TEST_LIMITS });
  // Only the first page: a provider that pages (Polygon's next_url) would otherwise spend more requests.
  for await (const page of pages) {
    const last = page.bars.at(-1);
    return last ? { symbol: instrument.symbol, price: last.close, time: last.time } : null;
  }
  return null;
}

function failureMessage(message: string, details: Partial<ProviderErrorDetails>, retryAfterMs: number | null): string {
  if (retryAfterMs === null) return message;
  // Without an HTTP status the request never left: our limiter held it to keep the provider's budget.
  const said = details.status === undefined ? `No request was sent: ${message}` : message;
  const wait = formatWait(retryAfterMs);
  return said.includes(wait) ? said : `${said} Try again in ${wait}.`;
}

function failure(
  provider: ProviderId,
  latencyMs: number,
  errorCode: NonNullable<ProviderTestResult['errorCode']>,
  message: string,
  retryAfterMs: number | null,
): ProviderTestResult {
  return { provider, ok: false, latencyMs, message, errorCode, retryAfterMs, sample: null };
}

function formatPrice(price: number): string {
  return price.toLocaleString('en-US', { maximumFractionDigits: price < 10 ? 6 : 2 });
}
