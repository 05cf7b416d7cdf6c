import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { methods, type MethodInput, type MethodOutput } from '../../shared/contract';
import type { CsvMapping, CsvSource } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import type { Timeframe } from '../../shared/timeframes';
import type { CoreContext } from '../create-core';
import { detectCsvLayout, type CsvLayout } from './detect-csv';
import { parseBars, type ParsedBars } from './parse-bars';

const MEGABYTE = 1024 * 1024;

/**
 * The same limit as the contract puts on uploaded text; it also keeps a file well below
 * the longest string V8 can hold (about 512 MiB).
 */
export const MAX_IMPORT_BYTES = 256 * MEGABYTE;
/**
 * Bars per upsert, one transaction each. better-sqlite3 is synchronous, so a chunk holds
 * the event loop while it commits: 20–40 ms for 5,000 hourly bars on a busy 2-core
 * machine, the longest stretch of a whole import; requests get through between chunks.
 */
const UPSERT_CHUNK = 5_000;
const SAMPLE_BARS = 20;
/** Reasons quoted in the message of a file whose rows were all rejected. */
const REASONS_IN_MESSAGE = 5;

/** What importing needs from the core; `Core` itself has these, so the CLI can pass it. */
export type ImportDeps = Pick<CoreContext, 'storage' | 'jobs' | 'events'>;

export interface ImportProgress {
  /** The import job's id, for `jobs.cancel`. */
  jobId: string;
  /** Bars written so far, of `total` valid bars. */
  done: number;
  total: number;
}

export interface ImportOptions {
  /** Called after every chunk, unthrottled, for callers that show their own progress (the CLI). */
  onProgress?: (progress: ImportProgress) => void;
}

interface LoadedFile {
  fileName: string;
  layout: CsvLayout;
  parsed: ParsedBars;
}

const megabytes = (bytes: number) => (bytes / MEGABYTE).toFixed(1);

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** Text as written by the common exporters: UTF-8, or UTF-16 LE with a BOM (Excel's "Unicode text"). */
function decode(buffer: Buffer): string {
  return buffer[0] === 0xff && buffer[1] === 0xfe ? buffer.toString('utf16le') : buffer.toString('utf8');
}

async function readSource(source: CsvSource): Promise<{ fileName: string; text: string }> {
  if (source.kind === 'text') return { fileName: source.fileName, text: source.text };
  const { path } = source;
  const fileName = basename(path);
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new AppError('VALIDATION', `${path} is not a file.`);
    if (info.size > MAX_IMPORT_BYTES) {
      throw new AppError(
        'VALIDATION',
        `${fileName} is ${megabytes(info.size)} MB; files up to ${MAX_IMPORT_BYTES / MEGABYTE} MB can be imported. Split it and import the parts.`,
      );
    }
    return { fileName, text: decode(await readFile(path)) };
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') throw new AppError('NOT_FOUND', `No file at ${path}.`, { path });
    if (code === 'EACCES' || code === 'EPERM') throw new AppError('VALIDATION', `Metalytics is not allowed to read ${path}.`, { path });
    throw error;
  }
}

async function requireInstrument(deps: ImportDeps, symbol: string): Promise<void> {
  if (!(await deps.storage.instruments.get(symbol))) {
    throw new AppError('NOT_FOUND', `Unknown instrument "${symbol}". Add it to the instruments first, or pick one that exists.`, { symbol });
  }
}

async function loadFile(source: CsvSource, mapping: CsvMapping | undefined): Promise<LoadedFile> {
  const { fileName, text } = await readSource(source);
  const layout = detectCsvLayout(text, mapping);
  return { fileName, layout, parsed: await parseBars(text, layout) };
}

/** Detects and validates a file without writing anything, so the user sees what an import would do. */
export async function previewImport(deps: ImportDeps, input: MethodInput<'import.preview'>): Promise<MethodOutput<'import.preview'>> {
  const { source, symbol, timeframe, mapping } = methods['import.preview'].input.parse(input);
  await requireInstrument(deps, symbol);
  const { layout, parsed } = await loadFile(source, mapping);
  const { bars } = parsed;
  return {
    detection: layout.detection,
    timeframe: timeframe ?? layout.detection.timeframe,
    rowsRead: parsed.rowsRead,
    validRows: bars.length,
    sample: bars.slice(0, SAMPLE_BARS),
    errors: parsed.errors,
    errorCount: parsed.errorCount,
    first: bars[0]?.time ?? null,
    last: bars[bars.length - 1]?.time ?? null,
  };
}

function refuseEmptyImport(fileName: string, parsed: ParsedBars): never {
  const reasons = parsed.errors
    .slice(0, REASONS_IN_MESSAGE)
    .map((error) => `line ${error.line}: ${error.reason}`)
    .join('; ');
  throw new AppError(
    'VALIDATION',
    `None of the ${parsed.rowsRead} rows of ${fileName} could be imported (${reasons}). Nothing was written; check the file or give a column mapping.`,
    { errors: parsed.errors, errorCount: parsed.errorCount },
  );
}

/**
 * Imports a CSV of bars into one instrument and timeframe as an `import` job: checks the
 * instrument, detects and validates every row, then upserts the valid bars in chunks with
 * progress and cancellation between them. A cancelled import keeps the chunks already
 * committed (each is whole). Re-importing a file only adds to `unchanged`.
 *
 * Takes the contract's raw input and validates it, so callers outside `invoke` (the CLI)
 * get the same checks as the UI.
 */
export async function importCsv(
  deps: ImportDeps,
  input: MethodInput<'import.csv'>,
  options: ImportOptions = {},
): Promise<MethodOutput<'import.csv'>> {
  const { source, symbol, timeframe: requested, mapping } = methods['import.csv'].input.parse(input);
  await requireInstrument(deps, symbol);
  const { fileName, layout, parsed } = await loadFile(source, mapping);
  const timeframe: Timeframe | null = requested ?? layout.detection.timeframe;
  if (!timeframe) {
    throw new AppError(
      'VALIDATION',
      `Could not tell the timeframe of ${fileName} from the spacing of its rows. Choose the timeframe (1m … 1M) and import again.`,
    );
  }
  const { bars } = parsed;
  if (bars.length === 0) refuseEmptyImport(fileName, parsed);

  const description = `Import ${fileName} into ${symbol} ${timeframe}`;
  const { value } = await deps.jobs.run('import', description, 'bars', async (job) => {
    const totals = { inserted: 0, updated: 0, unchanged: 0 };
    let written = 0;
    try {
      for (let start = 0; start < bars.length; start += UPSERT_CHUNK) {
        job.throwIfCancelled();
        const chunk = bars.slice(start, start + UPSERT_CHUNK);
        const result = await deps.storage.marketData.upsertBars({ symbol, timeframe, source: `csv:${fileName}`, bars: chunk });
        totals.inserted += result.inserted;
        totals.updated += result.updated;
        totals.unchanged += result.unchanged;
        written += chunk.length;
        job.progress(written, bars.length);
        options.onProgress?.({ jobId: job.jobId, done: written, total: bars.length });
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      // Charts re-query whatever was committed, also when the import stopped part-way.
      if (written > 0) deps.events.emit('bars.changed', { symbol, timeframe, from: bars[0]!.time, to: bars[written - 1]!.time });
    }
    return {
      value: {
        jobId: job.jobId,
        symbol,
        timeframe,
        rowsRead: parsed.rowsRead,
        ...totals,
        rejected: parsed.errorCount,
        errors: parsed.errors,
        first: bars[0]!.time,
        last: bars[bars.length - 1]!.time,
      },
      rows: totals.inserted + totals.updated,
    };
  });
  return value;
}
