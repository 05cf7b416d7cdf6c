import type { Core } from '../core/create-core';
import type { MethodOutput } from '../shared/contract';
import type { ErrorPayload } from '../shared/errors';
import { exitCodes } from './exit-codes';
import { invokeMethod } from './invoke-method';
import { formatCount, formatDuration, formatFields, formatTable, formatTime, reportFailure, type CliOutput } from './format';

export interface StatusCommandOptions {
  symbol?: string;
  json?: boolean;
}

const modeNames: Record<MethodOutput<'system.status'>['database']['mode'], string> = {
  sqlite: 'SQLite',
  postgres: 'Postgres',
  timescaledb: 'TimescaleDB',
};

type SyncStatus = MethodOutput<'system.status'>['sync'];

/** Team mode's lines: whether the team database answers, what waits to be sent, the last sync and the cache. */
function syncFields(sync: SyncStatus): [string, string][] {
  if (sync.mode === 'local' || sync.cache === null) return [];
  const { lastSync, cache } = sync;
  const scope = cache.scope.map((entry) => `${entry.symbol} ${entry.timeframes.join('+')} ${entry.days === null ? 'all' : `${entry.days}d`}`);
  return [
    [
      'team database',
      sync.state === 'online'
        ? 'online'
        : `OFFLINE since ${sync.offlineSince === null ? 'start' : `${formatTime(sync.offlineSince)} UTC`}: working from the local cache`,
    ],
    ['to send', `${formatCount(sync.pendingChanges)} change${sync.pendingChanges === 1 ? '' : 's'}`],
    [
      'last sync',
      lastSync === null
        ? 'none yet'
        : `${formatTime(lastSync.at)} UTC: ${formatCount(lastSync.pushedRows)} rows sent, ${formatCount(lastSync.pulledRows)} received, ${formatCount(lastSync.conflicts)} conflicts, ${formatDuration(lastSync.ms)}`,
    ],
    ['cache', `${cache.location} (${(cache.bytes / 1_048_576).toFixed(1)} MiB)`],
    ['cache scope', scope.length === 0 ? 'nothing' : scope.join(', ')],
  ];
}

function formatStatus(status: MethodOutput<'system.status'>, coverage: MethodOutput<'bars.coverage'>['coverage']): string {
  const { database } = status;
  const header =
    `Metalytics ${status.appVersion}\n` +
    formatFields([
      ['database', `${modeNames[database.mode]}, ${database.online ? 'online' : 'OFFLINE'}`],
      ['location', database.location],
      ['schema', database.schemaVersion],
      ...syncFields(status.sync),
      ['instruments', status.instruments === null ? 'unknown' : formatCount(status.instruments)],
      ['bars', status.bars === null ? 'unknown (database offline)' : formatCount(status.bars)],
    ]);
  if (coverage.length === 0) {
    return `${header}\nNo bars stored yet: import a CSV with \`metalytics import FILE --symbol SYMBOL\`.\n`;
  }
  const rows = coverage.map((c) => [c.symbol, c.timeframe, c.source, formatTime(c.first, c.timeframe), formatTime(c.last, c.timeframe), formatCount(c.count)]);
  return `${header}\nCoverage (UTC)\n${formatTable(['SYMBOL', 'TIMEFRAME', 'SOURCE', 'FIRST', 'LAST', 'BARS'], rows, new Set([5]))}`;
}

/**
 * Runs `metalytics status`; returns the exit code. An offline database, or a team database this
 * desktop works without, exits 4 so a cron job or a monitor can alert on it without parsing the text.
 */
export async function runStatus(core: Core, options: StatusCommandOptions, output: CliOutput): Promise<number> {
  const fail = (error: ErrorPayload) => reportFailure(output, error, options.json);
  const status = await invokeMethod(core, 'system.status', {});
  if (!status.ok) return fail(status.error);
  const coverage = await invokeMethod(core, 'bars.coverage', options.symbol ? { symbol: options.symbol } : {});
  if (!coverage.ok) return fail(coverage.error);
  output.out(
    options.json
      ? `${JSON.stringify({ ...status.value, coverage: coverage.value.coverage }, null, 2)}\n`
      : formatStatus(status.value, coverage.value.coverage),
  );
  return status.value.database.online && status.value.sync.state === 'online' ? exitCodes.ok : exitCodes.unavailable;
}
