import type { Core } from '../core/create-core';
import type { Timeframe } from '../shared/timeframes';
import { exitCodes } from './exit-codes';
import { formatCount, formatFields, formatTime, reportFailure, type CliOutput } from './format';
import { invokeMethod } from './invoke-method';
import { watchJobProgress } from './job-watch';

export interface FeaturesMaterializeOptions {
  symbol: string;
  timeframe: Timeframe;
  from?: number;
  to?: number;
  json?: boolean;
}

/** Runs `metalytics features materialize`: progress on stderr, what was stored on stdout. */
export async function runFeaturesMaterialize(core: Core, options: FeaturesMaterializeOptions, output: CliOutput): Promise<number> {
  const symbol = options.symbol.toUpperCase();
  const progress = watchJobProgress(core, output, { kind: 'features', label: `Materialising features of ${symbol} ${options.timeframe}`, noun: 'the materialisation' });
  try {
    const stored = await invokeMethod(core, 'features.materialize', { symbol, timeframe: options.timeframe, from: options.from, to: options.to });
    progress.finish();
    if (!stored.ok) return reportFailure(output, stored.error, options.json);
    const result = stored.value;
    if (options.json) {
      output.out(`${JSON.stringify(result, null, 2)}\n`);
      return exitCodes.ok;
    }
    output.out(
      `Stored ${formatCount(result.rows)} rows of feature set ${result.featureSetVersion} for ${symbol} ${options.timeframe} in feature_store\n` +
        formatFields([
          ['rows', `${formatTime(result.from, options.timeframe)} … ${formatTime(result.to, options.timeframe)} UTC`],
          ['columns', result.columns.join(', ')],
          ['job run', result.runId],
        ]),
    );
    return exitCodes.ok;
  } finally {
    progress.dispose();
  }
}
