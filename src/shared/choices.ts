/**
 * The fixed lists a user picks from: timeframes, instrument kinds, providers, model types…
 * They live apart from their zod schemas (domain.ts, timeframe-schema.ts, models.ts build the
 * enums from them) so the CLI can offer them as option choices without loading zod, and the
 * first screen can use them without zod in its first load: `metalytics --help` and the
 * first chart stay fast.
 */

/** Chart timeframes, finest first. `1M` is a calendar month; `1w` starts Monday 00:00 UTC. */
export const timeframes = ['1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w', '1M'] as const;

export const instrumentKinds = ['spot', 'future', 'fx', 'crypto', 'stock', 'etf', 'index', 'synthetic'] as const;
export const providerIds = ['yahoo', 'polygon', 'twelvedata', 'metalsapi'] as const;
export const jobStatuses = ['running', 'succeeded', 'failed', 'cancelled'] as const;

export const dateFormats = [
  'epoch-ms',
  'epoch-s',
  'iso',
  'YYYY-MM-DD',
  'YYYY-MM-DD HH:mm',
  'YYYY-MM-DD HH:mm:ss',
  'YYYY-MM-DD_HH:mm:ss',
  'YYYY.MM.DD',
  'YYYY.MM.DD HH:mm',
  'YYYY-MM',
  'MM/DD/YYYY',
  'DD.MM.YYYY',
  'DD/MM/YYYY',
  'MM/DD/YYYY HH:mm',
  'DD/MM/YYYY HH:mm',
  'DD.MM.YYYY HH:mm',
  'YYYYMMDD',
  'YYYYMMDD HHmmss',
  'MMM DD, YYYY',
] as const;

/**
 * What an import does with rows whose high and low do not enclose open and close; see
 * badOhlcPolicySchema in domain.ts.
 */
export const badOhlcPolicies = ['reject', 'widen', 'keep'] as const;

/** How the Markets chart draws prices: candlesticks, OHLC bars, a close line, or Heikin-Ashi candles. */
export const chartTypes = ['candles', 'bars', 'line', 'heikinAshi'] as const;

/** How many charts one window can show side by side: one, two beside each other, or a 2×2 grid. */
export const chartLayoutSizes = [1, 2, 4] as const;
export const MAX_CHARTS_PER_LAYOUT = 4;

/** Exact names, used by the CLI (`--model`), RPC and the registry's `model_type`. */
export const modelTypes = ['naive', 'seasonal_naive', 'drift', 'ridge', 'mlp', 'lstm', 'gru'] as const;
export const presetNames = ['spot_12h', 'daily_lstm', 'intraday_gru'] as const;
