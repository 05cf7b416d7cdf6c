import { basename, resolve } from 'node:path';
import type { Core } from '../core/create-core';
import type { MethodInput, MethodOutput } from '../shared/contract';
import type { ErrorPayload } from '../shared/errors';
import { badOhlcPolicies, type BadOhlcPolicy, type CsvMapping, type DateFormat, type RowError } from '../shared/domain';
import type { Timeframe } from '../shared/timeframes';
import { CliError, exitCodes } from './exit-codes';
import { invokeMethod } from './invoke-method';
import { watchJobProgress } from './job-watch';
import { formatCount, formatNumber, formatFields, formatRange, formatTable, formatTime, reportFailure, type CliOutput } from './format';

export interface ImportCommandOptions {
  symbol: string;
  timeframe?: Timeframe;
  preview?: boolean;
  delimiter?: NonNullable<CsvMapping['delimiter']>;
  dateFormat?: DateFormat;
  decimalSeparator?: NonNullable<CsvMapping['decimalSeparator']>;
  /** Minutes east of UTC, from `--utc-offset`. */
  utcOffset?: number;
  /** `field=column` pairs, each argument possibly comma-separated. */
  map: string[];
  badOhlc?: BadOhlcPolicy;
  json?: boolean;
}

const mappedFields = ['time', 'timeOfDay', 'open', 'high', 'low', 'close', 'volume'] as const;
type MappedField = (typeof mappedFields)[number];
/** The fields a file may lack, which `field=none` leaves out (null in the mapping). */
const optionalFields = ['timeOfDay', 'open', 'high', 'low', 'volume'] as const;
type OptionalField = (typeof optionalFields)[number];

/**
 * `time=Date,close=Price` → `{ time: 'Date', close: 'Price' }`. A purely numeric column is a
 * 0-based index, `none` says an optional field is not in the file (null), anything else a header name.
 */
export function parseColumnMap(args: readonly string[]): Partial<Pick<CsvMapping, MappedField>> {
  const mapping: Partial<Pick<CsvMapping, MappedField>> = {};
  for (const pair of args.flatMap((arg) => arg.split(',')).map((p) => p.trim()).filter(Boolean)) {
    const equals = pair.indexOf('=');
    const name = pair.slice(0, equals).trim().toLowerCase();
    const field = mappedFields.find((candidate) => candidate.toLowerCase() === name) ?? name;
    const column = pair.slice(equals + 1).trim();
    if (equals < 0 || column === '') throw new CliError(`--map expects field=column pairs, e.g. time=Date,close=Price; got "${pair}".`, exitCodes.usage);
    if (!(mappedFields as readonly string[]).includes(field)) {
      throw new CliError(`--map: "${field}" is not a bar field; use ${mappedFields.join(', ')}.`, exitCodes.usage);
    }
    if (column.toLowerCase() === 'none' && (optionalFields as readonly string[]).includes(field)) mapping[field as OptionalField] = null;
    else mapping[field as MappedField] = /^\d+$/.test(column) ? Number(column) : column;
  }
  return mapping;
}

/** The `import.preview` / `import.csv` input the options describe. */
export function buildImportInput(file: string, options: ImportCommandOptions): MethodInput<'import.csv'> {
  const mapping: CsvMapping = { ...parseColumnMap(options.map) };
  if (options.delimiter) mapping.delimiter = options.delimiter;
  if (options.dateFormat) mapping.dateFormat = options.dateFormat;
  if (options.decimalSeparator) mapping.decimalSeparator = options.decimalSeparator;
  if (options.utcOffset !== undefined) mapping.utcOffsetMinutes = options.utcOffset;
  return {
    source: { kind: 'path', path: resolve(file) },
    symbol: options.symbol,
    ...(options.timeframe ? { timeframe: options.timeframe } : {}),
    ...(Object.keys(mapping).length > 0 ? { mapping } : {}),
    ...(options.badOhlc && options.badOhlc !== 'reject' ? { badOhlc: options.badOhlc } : {}),
  };
}


const SHOWN_ERRORS = 10;

function formatRows(title: string, errors: readonly RowError[], total: number): string {
  if (total === 0 || errors.length === 0) return '';
  const shown = errors.slice(0, SHOWN_ERRORS);
  const heading = total > shown.length ? `${title} (first ${shown.length} of ${formatCount(total)}):\n` : `${title}:\n`;
  return heading + shown.map(({ line, reason }) => `  line ${line}: ${reason}\n`).join('');
}

const formatRejected = (errors: readonly RowError[], total: number) => formatRows('Rejected rows', errors, total);
const formatRepaired = (repairs: readonly RowError[], total: number) => formatRows('Repaired or kept rows', repairs, total);

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
      ...(summary.repaired > 0 ? [[summary.badOhlc === 'widen' ? 'widened' : 'kept as written', formatCount(summary.repaired)] as const] : []),
      ['range', formatRange(summary.first, summary.last, timeframe)],
    ]) +
    formatRejected(summary.errors, summary.rejected) +
    formatRepaired(summary.repairs, summary.repaired)
  );
}

function describeDelimiter(delimiter: string): string {
  return delimiter === '\t' ? 'tab' : `"${delimiter}"`;
}

/** The bad-OHLC line of a preview: how many, and what the chosen policy does with them. */
function describeBadOhlcPolicy({ badOhlc }: MethodOutput<'import.preview'>): string | null {
  if (badOhlc.rows === 0) return null;
  return `${badOhlc.message}. With --bad-ohlc ${badOhlc.policy}: ${badOhlc.outcomes[badOhlc.policy]} (the others: ${badOhlcPolicies.filter((p) => p !== badOhlc.policy).join(', ')})`;
}

function formatQuestions(questions: MethodOutput<'import.preview'>['questions']): string {
  return questions.map(({ message }) => `To decide before importing: ${message}\n`).join('');
}

const describeOffset = (minutes: number) =>
  minutes === 0 ? 'UTC' : `UTC${minutes < 0 ? '-' : '+'}${String(Math.floor(Math.abs(minutes) / 60)).padStart(2, '0')}:${String(Math.abs(minutes) % 60).padStart(2, '0')}`;

function formatImportPreview(file: string, symbol: string, preview: MethodOutput<'import.preview'>): string {
  const { detection, timeframe } = preview;
  const badOhlc = describeBadOhlcPolicy(preview);
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
      [
        'format',
        `delimiter ${describeDelimiter(detection.delimiter)}, ${detection.hasHeader ? 'header row' : 'no header row'}, dates ${detection.dateFormatChoices.join(' or ')}, ` +
          `decimal "${detection.decimalSeparator}", times in ${describeOffset(detection.utcOffsetMinutes)}`,
      ],
      ['columns', columns],
      ['timeframe', timeframeText],
      ['rows', `${formatCount(preview.rowsRead)} read, ${formatCount(preview.validRows)} valid, ${formatCount(preview.errorCount)} rejected`],
      ['range', formatRange(preview.first, preview.last, timeframe ?? undefined)],
      ...(badOhlc ? [['bad OHLC', badOhlc] as const] : []),
    ]) +
    formatQuestions(preview.questions) +
    (sample.length > 0 ? `Sample:\n${formatTable(['TIME', 'OPEN', 'HIGH', 'LOW', 'CLOSE', 'VOLUME'], sample, new Set([1, 2, 3, 4, 5]))}` : '') +
    formatRejected(preview.errors, preview.errorCount) +
    formatRepaired(preview.repairs, preview.repaired)
  );
}

/** Runs `metalytics import`; returns the exit code. */
export async function runImport(core: Core, file: string, options: ImportCommandOptions, output: CliOutput): Promise<number> {
  const input = buildImportInput(file, options);
  const progress = watchJobProgress(core, output, { kind: 'import', label: `Importing ${basename(file)}`, noun: 'the import' });
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
    progress.dispose();
  }
}
