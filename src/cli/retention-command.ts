import type { Core } from '../core/create-core';
import { exitCodes } from './exit-codes';
import { formatCount, formatTable, formatTime, reportFailure, type CliOutput } from './format';
import { invokeMethod } from './invoke-method';
import { watchJobProgress } from './job-watch';

export interface RetentionCommandOptions {
  apply?: boolean;
  json?: boolean;
}

type RetentionRow = { symbol: string; minuteBars: number; hourBars: number; bytesFreed: number };

const formatMiB = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MiB`;

function formatRows(rows: readonly RetentionRow[]): string {
  return formatTable(
    ['symbol', 'minute bars', 'hourly bars', 'space'],
    rows.map((row) => [row.symbol, formatCount(row.minuteBars), formatCount(row.hourBars), formatMiB(row.bytesFreed)]),
    new Set([1, 2, 3]),
  );
}

/**
 * Runs `metalytics retention`: what the retention setting would roll up now, per instrument,
 * or with `--apply` the roll-up itself, progress on stderr.
 */
export async function runRetention(core: Core, options: RetentionCommandOptions, output: CliOutput): Promise<number> {
  if (options.apply) {
    const progress = watchJobProgress(core, output, { kind: 'retention', label: 'Rolling up minute bars', noun: 'data retention' });
    try {
      const applied = await invokeMethod(core, 'retention.apply', { wait: true });
      progress.finish();
      if (!applied.ok) return reportFailure(output, applied.error, options.json);
      const instruments = applied.value.instruments ?? [];
      if (options.json) output.out(`${JSON.stringify(instruments, null, 2)}\n`);
      else if (instruments.length === 0) output.out('No minute bars were older than the retention setting; nothing changed.\n');
      else output.out(`Rolled up into hourly bars and deleted:\n${formatRows(instruments)}`);
      return exitCodes.ok;
    } finally {
      progress.dispose();
    }
  }
  const estimated = await invokeMethod(core, 'retention.estimate', {});
  if (!estimated.ok) return reportFailure(output, estimated.error, options.json);
  const estimate = estimated.value;
  if (options.json) {
    output.out(`${JSON.stringify(estimate, null, 2)}\n`);
    return exitCodes.ok;
  }
  if (estimate.before === null) {
    output.out('Data retention is off: minute bars are kept forever. Choose how many days to keep in Settings.\n');
    return exitCodes.ok;
  }
  if (estimate.instruments.length === 0) {
    output.out(`No minute bars before ${formatTime(estimate.before)} UTC; nothing to roll up.\n`);
    return exitCodes.ok;
  }
  output.out(
    `Minute bars before ${formatTime(estimate.before)} UTC would become hourly bars, freeing about ${formatMiB(estimate.bytesFreed)}:\n` +
      `${formatRows(estimate.instruments)}Run \`metalytics retention --apply\` to do it.\n`,
  );
  return exitCodes.ok;
}
