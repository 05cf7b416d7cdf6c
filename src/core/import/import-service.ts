import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { methods, type MethodInput, type MethodOutput } from '../../shared/contract';
import { runIds, type BadOhlcPolicy, type Bar, type CsvMapping, type CsvSource } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import type { Timeframe } from '../../shared/timeframes';
import type { CoreContext } from '../context';
import { detectCsvLayout, type CsvLayout } from './detect-csv';
import { describeBadOhlc, layoutQuestions, mappingOf } from './import-questions';
import { MAX_RECORDED_REPAIRS, type ImportRunDetails, type RecordedRejection, type RecordedRepair } from './recorded-repairs';
import { scanBars, textChunks, walkBarRows, type BarScan } from './parse-bars';

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
  /** The import run's id, for `jobs.cancel`. */
  runId: string;
  /** Bars written so far, of `total` valid bars. */
  done: number;
  total: number;
}

export interface ImportOptions {
  /** Called after every chunk, unthrottled, for callers that show their own progress (the CLI). */
  onProgress?: (progress: ImportProgress) => void;
}

/** A file that can be read from the start as often as needed, in decoded text chunks. */
interface OpenedSource {
  fileName: string;
  chunks(): AsyncIterable<string>;
}

interface ScannedFile {
  fileName: string;
  layout: CsvLayout;
  scan: BarScan;
  chunks(): AsyncIterable<string>;
}

const megabytes = (bytes: number) => (bytes / MEGABYTE).toFixed(1);

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** Bytes read at a time: the only part of a file held in memory besides one parsing block. */
const READ_CHUNK_BYTES = MEGABYTE;
/** Lines detection looks at (it reads the first 1,000), with room for a header. */
const DETECTION_LINES = 1_001;
/** Detection never waits for more than this, however long the lines are. */
const MAX_DETECTION_CHARS = 4 * MEGABYTE;

/** Text as written by the common exporters: UTF-8, or UTF-16 LE with a BOM (Excel's "Unicode text"). */
async function* fileChunks(path: string): AsyncIterable<string> {
  let decoder: StringDecoder | undefined;
  for await (const buffer of createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }) as AsyncIterable<Buffer>) {
    decoder ??= new StringDecoder(buffer[0] === 0xff && buffer[1] === 0xfe ? 'utf16le' : 'utf8');
    yield decoder.write(buffer);
  }
  if (decoder) yield decoder.end();
}

async function openSource(source: CsvSource): Promise<OpenedSource> {
  if (source.kind === 'text') return { fileName: source.fileName, chunks: () => textChunks(source.text) };
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
    return { fileName, chunks: () => fileChunks(path) };
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') throw new AppError('NOT_FOUND', `No file at ${path}.`, { path });
    if (code === 'EACCES' || code === 'EPERM') throw new AppError('VALIDATION', `Metalytics is not allowed to read ${path}.`, { path });
    throw error;
  }
}

/** The first lines of a file, as much as detection reads. */
async function detectionHead(chunks: AsyncIterable<string>): Promise<string> {
  let head = '';
  let lineBreaks = 0;
  for await (const chunk of chunks) {
    head += chunk;
    for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', i + 1)) lineBreaks++;
    if (lineBreaks >= DETECTION_LINES || head.length >= MAX_DETECTION_CHARS) break;
  }
  return head;
}

async function requireInstrument(deps: ImportDeps, symbol: string): Promise<void> {
  if (!(await deps.storage.instruments.get(symbol))) {
    throw new AppError('NOT_FOUND', `Unknown instrument "${symbol}". Add it to the instruments first, or pick one that exists.`, { symbol });
  }
}

/** Detects the layout from the first lines, then walks the whole file once, keeping no bars. */
async function scanFile(source: CsvSource, mapping: CsvMapping | undefined, policy: BadOhlcPolicy): Promise<ScannedFile> {
  const { fileName, chunks } = await openSource(source);
  const layout = detectCsvLayout(await detectionHead(chunks()), mapping);
  return { fileName, layout, scan: await scanBars(chunks(), layout, policy, SAMPLE_BARS), chunks };
}

/** Detects and validates a file without writing anything, so the user sees what an import would do. */
export async function previewImport(deps: ImportDeps, input: MethodInput<'import.preview'>): Promise<MethodOutput<'import.preview'>> {
  const { source, symbol, timeframe, mapping, badOhlc: policy = 'reject' } = methods['import.preview'].input.parse(input);
  await requireInstrument(deps, symbol);
  const { fileName, layout, scan } = await scanFile(source, mapping, policy);
  return {
    detection: layout.detection,
    timeframe: timeframe ?? layout.detection.timeframe,
    rowsRead: scan.rowsRead,
    validRows: scan.validRows,
    sample: scan.sample,
    errors: scan.errors,
    errorCount: scan.errorCount,
    first: scan.first,
    last: scan.last,
    mapping: mappingOf(layout.detection),
    columnCount: layout.columnCount,
    questions: layoutQuestions(fileName, layout.detection, timeframe),
    badOhlc: describeBadOhlc(scan, policy),
    repaired: scan.repairCount,
    repairs: scan.repairs,
  };
}

function refuseEmptyImport(fileName: string, parsed: BarScan): never {
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
  const { source, symbol, timeframe: requested, mapping, badOhlc: policy = 'reject' } = methods['import.csv'].input.parse(input);
  await requireInstrument(deps, symbol);
  const { fileName, layout, scan, chunks } = await scanFile(source, mapping, policy);
  const [question] = layoutQuestions(fileName, layout.detection, requested);
  if (question) throw new AppError('VALIDATION', question.message, { option: question.option, choices: question.choices });
  // Without a question open, a timeframe is known: one is asked for whenever neither exists.
  const timeframe: Timeframe = requested ?? layout.detection.timeframe!;
  const { first, last } = scan;
  if (scan.validRows === 0 || first === null || last === null) refuseEmptyImport(fileName, scan);
  const total = scan.validRows;

  const description = `Import ${fileName} into ${symbol} ${timeframe}`;
  const { value } = await deps.jobs.run('import', description, 'bars', async (job) => {
    const totals = { inserted: 0, updated: 0, unchanged: 0 };
    let written = 0;
    let writtenFrom = Number.POSITIVE_INFINITY;
    let writtenTo = Number.NEGATIVE_INFINITY;
    let pending: Bar[] = [];
    const repairs: RecordedRepair[] = [];
    const rejections: RecordedRejection[] = [];
    const details: ImportRunDetails = { file: fileName, symbol, timeframe, badOhlc: policy, repaired: scan.repairCount, repairs, rejected: scan.errorCount, rejections };
    // Recorded however the run ends: the repaired bars of a cancelled import's committed chunks are stored too.
    if (scan.repairCount > 0 || scan.errorCount > 0) job.recordDetails(details);
    const writeChunk = async (chunk: Bar[]) => {
      job.throwIfCancelled();
      const result = await deps.storage.marketData.upsertBars({ symbol, timeframe, source: `csv:${fileName}`, bars: chunk });
      totals.inserted += result.inserted;
      totals.updated += result.updated;
      totals.unchanged += result.unchanged;
      job.addCommittedRows(result.inserted + result.updated);
      for (const bar of chunk) {
        if (bar.time < writtenFrom) writtenFrom = bar.time;
        if (bar.time > writtenTo) writtenTo = bar.time;
      }
      written += chunk.length;
      job.progress(written, total);
      options.onProgress?.({ runId: job.runId, done: written, total });
    };
    try {
      // The second walk writes what the scan counted: the first row of each time, in file order.
      await walkBarRows(
        chunks(),
        layout,
        policy,
        (bar, line, repair) => {
          if (scan.kept.claim(bar.time, line) !== line) return null;
          pending.push(bar);
          if (repair !== null && repairs.length < MAX_RECORDED_REPAIRS) repairs.push({ time: bar.time, line, change: repair });
          return null;
        },
        async () => {
          while (pending.length >= UPSERT_CHUNK) await writeChunk(pending.splice(0, UPSERT_CHUNK));
        },
        // Rows without a time leave no bucket of their own empty, so only timed ones are recorded for the quality report.
        (line, reason, time, badOhlc) => {
          if (time !== null && rejections.length < MAX_RECORDED_REPAIRS) rejections.push({ time, line, reason, badOhlc });
        },
      );
      if (pending.length > 0) await writeChunk(pending);
      pending = [];
    } finally {
      // Charts re-query whatever was committed, also when the import stopped part-way.
      if (written > 0) deps.events.emit('bars.changed', { symbol, timeframe, from: writtenFrom, to: writtenTo });
    }
    return {
      value: {
        ...runIds(job.runId),
        symbol,
        timeframe,
        rowsRead: scan.rowsRead,
        ...totals,
        rejected: scan.errorCount,
        errors: scan.errors,
        first,
        last,
        badOhlc: policy,
        repaired: scan.repairCount,
        repairs: scan.repairs,
      },
      rows: totals.inserted + totals.updated,
    };
  });
  return value;
}
