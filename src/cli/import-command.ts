import { basename, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { Core } from '../core/create-core';
import type { EventPayload, MethodInput, MethodOutput } from '../shared/contract';
import type { ErrorPayload } from '../shared/errors';
import type { CsvMapping, DateFormat, RowError } from '../shared/domain';
import type { Timeframe } from '../shared/timeframes';
import { CliError, exitCodes } from './exit-codes';
import { invokeMethod } from './invoke-method';
import { formatCount, formatDuration, formatNumber, formatFields, formatRange, formatTable, formatTime, reportFailure, type CliOutput } from './format';

export interface ImportCommandOptions {
  symbol: string;
  timeframe?: Timeframe;
  preview?: boolean;
  delimiter?: NonNullable<CsvMapping['delimiter']>;
  dateFormat?: DateFormat;
  /** `field=column` pairs, each argument possibly comma-separated. */
  map: string[];
  json?: boolean;
}

const mappedFields = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;
type MappedField = (typeof mappedFields)[number];

const delimiterNames: Readonly<Record<string, NonNullable<CsvMapping['delimiter']>>> = {
  ',': ',',
  ';': ';',
  '|': '|',
  '\t': '\t',
  '\\t': '\t',
  tab: '\t',
};

/** Commander argument parser for `--delimiter`; `tab` spares people typing a literal tab. */
export function parseDelimiter(text: string): NonNullable<CsvMapping['delimiter']> {
  const delimiter = delimiterNames[text.toLowerCase()];
  if (!delimiter) throw new InvalidArgumentError('use one of "," ";" "|" or tab.');
  return delimiter;
}

/**
 * `time=Date,close=Price` → `{ time: 'Date', close: 'Price' }`. A purely numeric column is a
 * 0-based index, anything else a header name.
 */
export function parseColumnMap(args: readonly string[]): Partial<Pick<CsvMapping, MappedField>> {
  const mapping: Partial<Record<MappedField, string | number>> = {};
  for (const pair of args.flatMap((arg) => arg.split(',')).map((p) => p.trim()).filter(Boolean)) {
    const equals = pair.indexOf('=');
    const field = pair.slice(0, equals).trim().toLowerCase();
    const column = pair.slice(equals + 1).trim();
    if (equals < 0 || column === '') throw new CliError(`--map expects field=column pairs, e.g. time=Date,close=Price; got "${pair}".`, exitCodes.usage);
    if (!(mappedFields as readonly string[]).includes(field)) {
      throw new CliError(`--map: "${field}" is not a bar field; use ${mappedFields.join(', ')}.`, exitCodes.usage);
    }
    mapping[field as MappedField] = /^\d+$/.test(column) ? Number(column) : column;
  }
  return mapping;
}

/** The `import.preview` / `import.csv` input the options describe. */
export function buildImportInput(file: string, options: ImportCommandOptions): MethodInput<'import.csv'> {
  const mapping: CsvMapping = { ...parseColumnMap(options.map) };
  if (options.delimiter) mapping.delimiter = options.delimiter;
  if (options.dateFormat) mapping.dateFormat = options.dateFormat;
  return {
    source: { kind: 'path', path: resolve(file) },
    symbol: options.symbol,
    ...(options.timeframe ? { timeframe: options.timeframe } : {}),
    ...(Object.keys(mapping).length > 0 ? { mapping } : {}),
  };
}

const PLAIN_PROGRESS_INTERVAL_MS = 1000;

/**
 * Job progress on stderr: one line redrawn in place on a terminal, otherwise a plain line
 * at most once a second so logs of cron runs stay short.
 */
export function createProgressReporter(output: CliOutput, label: string, now: () => number = Date.now) {
  let drawn = false;
  let lastPlain = -Infinity;
  return {
    update(progress: EventPayload<'job.progress'>): void {
      const { done, total, unit, rate, etaMs } = progress;
      const parts = [total !== null ? `${formatCount(done)} / ${formatCount(total)} ${unit}` : `${formatCount(done)} ${unit}`];
      if (total) parts[0] += ` (${Math.floor((done / total) * 100)}%)`;
      if (rate !== null) parts.push(`${formatCount(Math.round(rate))} ${unit}/s`);
      if (etaMs !== null && etaMs >= 1000 && total !== null && done < total) parts.push(`about ${formatDuration(etaMs)} left`);
      const line = `${label}: ${parts.join(', ')}`;
      if (output.errIsTTY) {
        output.err(`\r\x1b[K${line}`);
        drawn = true;
        return;
      }
      const finished = total !== null && done >= total;
      if (finished || now() - lastPlain >= PLAIN_PROGRESS_INTERVAL_MS) {
        lastPlain = now();
        output.err(`${line}\n`);
      }
    },
    /** Ends the in-place line so what follows starts on its own. */
    finish(): void {
      if (drawn) output.err('\n');
      drawn = false;
    },
  };
}

const SHOWN_ERRORS = 10;

function formatRejected(errors: readonly RowError[], total: number): string {
  if (total === 0 || errors.length === 0) return '';
  const shown = errors.slice(0, SHOWN_ERRORS);
  const heading = total > shown.length ? `Rejected rows (first ${shown.length} of ${formatCount(total)}):\n` : 'Rejected rows:\n';
  return heading + shown.map(({ line, reason }) => `  line ${line}: ${reason}\n`).join('');
}

function formatImportSummary(file: string, summary: MethodOutput<'import.csv'>): string {
  const { symbol, timeframe } = summary;
  return (
    `Imported ${basename(file)} into ${symbol} ${timeframe}\n` +
    formatFields([
      ['rows read', formatCount(summary.rowsRead)],
      ['inserted', formatCount(summary.inserted)],
      ['updated', formatCount(summary.updated)],
      ['unchanged', formatCount(summary.unchanged)],
      ['rejected', formatCount(summary.rejected)],
      ['range', formatRange(summary.first, summary.last, timeframe)],
    ]) +
    formatRejected(summary.errors, summary.rejected)
  );
}

function describeDelimiter(delimiter: string): string {
  return delimiter === '\t' ? 'tab' : `"${delimiter}"`;
}

function formatImportPreview(file: string, symbol: string, preview: MethodOutput<'import.preview'>): string {
  const { detection, timeframe } = preview;
  const columnName = (index: number | null) => (index === null ? null : (detection.headers[index] ?? `#${index}`));
  const columns = Object.entries(detection.columns)
    .map(([field, index]) => [field, columnName(index)] as const)
    .filter(([, name]) => name !== null)
    .map(([field, name]) => `${field}=${name}`)
    .join(' ');
  const timeframeText = timeframe ?? 'unknown — pass --timeframe';
  const sample = preview.sample.map((bar) => [
    formatTime(bar.time, timeframe ?? undefined),
    ...[bar.open, bar.high, bar.low, bar.close, bar.volume].map(formatNumber),
  ]);
  return (
    `Preview of ${basename(file)} for ${symbol} (nothing was written)\n` +
    formatFields([
      ['format', `delimiter ${describeDelimiter(detection.delimiter)}, ${detection.hasHeader ? 'header row' : 'no header row'}, dates ${detection.dateFormat}`],
      ['columns', columns],
      ['timeframe', timeframeText],
      ['rows', `${formatCount(preview.rowsRead)} read, ${formatCount(preview.validRows)} valid, ${formatCount(preview.errorCount)} rejected`],
      ['range', formatRange(preview.first, preview.last, timeframe ?? undefined)],
    ]) +
    (sample.length > 0 ? `Sample:\n${formatTable(['TIME', 'OPEN', 'HIGH', 'LOW', 'CLOSE', 'VOLUME'], sample, new Set([1, 2, 3, 4, 5]))}` : '') +
    formatRejected(preview.errors, preview.errorCount)
  );
}

/** Runs `metalytics import`; returns the exit code. */
export async function runImport(core: Core, file: string, options: ImportCommandOptions, output: CliOutput): Promise<number> {
  const input = buildImportInput(file, options);
  const progress = createProgressReporter(output, `Importing ${basename(file)}`);
  const unsubscribe = core.events.subscribe((message) => {
    if (message.name === 'job.progress' && message.payload.kind === 'import') progress.update(message.payload);
  });

  // Ctrl-C cancels the import cleanly (the run is recorded as cancelled); a second one quits at once.
  let interrupted = false;
  const onInterrupt = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    progress.finish();
    output.err('Cancelling the import… (press Ctrl-C again to quit at once)\n');
    core.jobs.cancelAll();
  };
  process.on('SIGINT', onInterrupt);
  const fail = (error: ErrorPayload) => reportFailure(output, error, options.json);
  const show = (value: unknown, text: () => string) => {
    output.out(options.json ? `${JSON.stringify(value, null, 2)}\n` : text());
    return exitCodes.ok;
  };
  try {
    if (options.preview) {
      const preview = await invokeMethod(core, 'import.preview', input);
      return preview.ok ? show(preview.value, () => formatImportPreview(file, input.symbol.toUpperCase(), preview.value)) : fail(preview.error);
    }
    const summary = await invokeMethod(core, 'import.csv', input);
    progress.finish();
    return summary.ok ? show(summary.value, () => formatImportSummary(file, summary.value)) : fail(summary.error);
  } finally {
    process.off('SIGINT', onInterrupt);
    unsubscribe();
    progress.finish();
  }
}
