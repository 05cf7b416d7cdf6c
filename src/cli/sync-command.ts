import type { Core } from '../core/create-core';
import type { MethodOutput } from '../shared/contract';
import { exitCodes } from './exit-codes';
import { formatCount, formatDuration, formatPlural, reportFailure, type CliOutput } from './format';
import { invokeMethod } from './invoke-method';

export interface SyncCommandOptions {
  json?: boolean;
}

function formatSyncOutcome(outcome: MethodOutput<'sync.now'>): string {
  return (
    `Synced with the team database in ${formatDuration(outcome.finishedAt - outcome.startedAt)}: ` +
    `${formatPlural(outcome.pushedRows, 'row')} sent, ${formatCount(outcome.pulledRows)} received, ${formatPlural(outcome.conflicts, 'conflict')}; ` +
    `${formatPlural(outcome.rangesCompared, 'bar range')} compared, ${formatCount(outcome.rangesMoved)} moved.\n`
  );
}

/**
 * Runs `metalytics sync`: the cache of this data folder and the team database exchange their
 * changes now (and an offline cache sends what it kept). Exits 4 while the team database cannot be
 * reached, 2 in a workspace with no team database.
 */
export async function runSync(core: Core, options: SyncCommandOptions, output: CliOutput): Promise<number> {
  const synced = await invokeMethod(core, 'sync.now', {});
  if (!synced.ok) return reportFailure(output, synced.error, options.json);
  output.out(options.json ? `${JSON.stringify(synced.value, null, 2)}\n` : formatSyncOutcome(synced.value));
  return exitCodes.ok;
}
