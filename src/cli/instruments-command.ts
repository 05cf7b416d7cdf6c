import type { Core } from '../core/create-core';
import type { MethodInput } from '../shared/contract';
import type { Instrument } from '../shared/domain';
import { exitCodes } from './exit-codes';
import { formatCount, formatFields, formatTable, reportFailure, type CliOutput } from './format';
import { invokeMethod } from './invoke-method';

export interface InstrumentsAddOptions {
  kind: Instrument['kind'];
  name?: string;
  unit?: string;
  currency?: string;
  /** Tickers per provider, gathered from repeated --provider options. */
  provider?: MethodInput<'instruments.create'>['providerSymbols'];
}

export interface InstrumentsListOptions {
  json?: boolean;
}

export interface InstrumentsRemoveOptions {
  deleteBars?: boolean;
}

const formatProviders = (instrument: Instrument) =>
  Object.entries(instrument.providerSymbols)
    .map(([provider, ticker]) => `${provider}:${ticker}`)
    .join(' ') || '-';

/** Runs `metalytics instruments add`; returns the exit code. */
export async function runInstrumentsAdd(core: Core, symbol: string, options: InstrumentsAddOptions, output: CliOutput): Promise<number> {
  const { kind, name, unit, currency, provider } = options;
  const created = await invokeMethod(core, 'instruments.create', { symbol, kind, name, unit, currency, providerSymbols: provider });
  if (!created.ok) return reportFailure(output, created.error, false);
  const instrument = created.value;
  output.out(
    `Added ${instrument.symbol}\n` +
      formatFields([
        ['name', instrument.name],
        ['kind', instrument.kind],
        ['unit', instrument.unit],
        ['currency', instrument.currency],
        ['providers', formatProviders(instrument)],
      ]),
  );
  return exitCodes.ok;
}

/** Runs `metalytics instruments list`; returns the exit code. */
export async function runInstrumentsList(core: Core, options: InstrumentsListOptions, output: CliOutput): Promise<number> {
  const listed = await invokeMethod(core, 'instruments.list', {});
  if (!listed.ok) return reportFailure(output, listed.error, options.json);
  const { instruments } = listed.value;
  if (options.json) {
    output.out(`${JSON.stringify({ instruments }, null, 2)}\n`);
    return exitCodes.ok;
  }
  if (instruments.length === 0) {
    output.out('No instruments: add one with `metalytics instruments add SYMBOL --kind KIND`.\n');
    return exitCodes.ok;
  }
  const rows = instruments.map((i) => [i.symbol, i.kind, i.name, i.unit, formatProviders(i)]);
  output.out(formatTable(['SYMBOL', 'KIND', 'NAME', 'UNIT', 'PROVIDERS'], rows));
  return exitCodes.ok;
}

/** Runs `metalytics instruments remove`; an instrument holding bars needs --delete-bars. Returns the exit code. */
export async function runInstrumentsRemove(core: Core, symbol: string, options: InstrumentsRemoveOptions, output: CliOutput): Promise<number> {
  const deleted = await invokeMethod(core, 'instruments.delete', { symbol, deleteBars: options.deleteBars === true });
  if (!deleted.ok) {
    const { error } = deleted;
    const holdsBars = error.code === 'CONFLICT' && typeof (error.details as { bars?: unknown } | undefined)?.bars === 'number';
    return reportFailure(output, holdsBars ? { ...error, message: `${error.message}\nRun it again with --delete-bars to delete them.` } : error, false);
  }
  const { symbol: removed, deletedBars } = deleted.value;
  output.out(deletedBars === 0 ? `Removed ${removed}.\n` : `Removed ${removed} and its ${formatCount(deletedBars)} stored bars.\n`);
  return exitCodes.ok;
}
