import type { Core } from '../core/create-core';
import type { MethodOutput } from '../shared/contract';
import type { ErrorPayload } from '../shared/errors';
import { exitCodes } from './exit-codes';
import { invokeMethod } from './invoke-method';
import { formatCount, formatFields, formatTable, formatTime, reportFailure, type CliOutput } from './format';

export interface StatusCommandOptions {
  symbol?: string;
  json?: boolean;
}

const modeNames: Record<MethodOutput<'system.status'>['database']['mode'], string> = {
  sqlite: 'SQLite',
  postgres: 'Postgres',
  timescaledb: 'TimescaleDB',
};

function formatStatus(status: MethodOutput<'system.status'>, coverage: MethodOutput<'bars.coverage'>['coverage']): string {
  const { database } = status;
  const header =
    `Metalytics ${status.appVersion}\n` +
    formatFields([
      ['database', `${modeNames[database.mode]}, ${database.online ? 'online' : 'OFFLINE'}`],
      ['location', database.location],
      ['schema', database.schemaVersion],
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
 * Runs `metalytics status`; returns the exit code. An offline database exits 4 so a cron
 * job or a monitor can alert on it without parsing the text.
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
  return status.value.database.online ? exitCodes.ok : exitCodes.unavailable;
}
