import { rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/core/create-core';
import { importCsv, MAX_IMPORT_BYTES } from '../../src/core/import/import-service';
import type { EventMessage } from '../../src/shared/contract';
import { realDataPath, type RealDataFile } from '../support/real-data';
import { createTestCore, invokeFailure as failure, invokeOk as ok, type TestCore } from '../support/test-core';

const fromFile = (file: RealDataFile) => ({ kind: 'path' as const, path: realDataPath(file) });

function recordEvents(core: Core): EventMessage[] {
  const seen: EventMessage[] = [];
  core.events.subscribe((message) => seen.push(message));
  return seen;
}

const importRuns = async (core: Core) => (await ok(core, 'jobs.runs', { kind: 'import', limit: 100 })).runs;

describe('CSV import into a real SQLite store', () => {
  let test: TestCore;
  let core: Core;

  beforeAll(async () => {
    test = await createTestCore();
    core = test.core;
  });
  afterAll(() => test.cleanup());

  it('previews a file without writing anything', async () => {
    const runsBefore = await importRuns(core);
    const preview = await ok(core, 'import.preview', { source: fromFile('btcusdt-1h.csv'), symbol: 'btcusdt' });
    expect(preview).toMatchObject({
      detection: { delimiter: ',', dateFormat: 'epoch-ms', columns: { time: 1, close: 6 }, timeframe: '1h' },
      timeframe: '1h',
      rowsRead: 37_394,
      validRows: 35_422,
      errorCount: 1_972,
      first: Date.UTC(2017, 11, 31),
      last: Date.UTC(2022, 3, 12, 14, 5),
    });
    expect(preview.sample).toHaveLength(20);
    expect(preview.sample[0]).toEqual({ time: Date.UTC(2017, 11, 31), open: 12345.1, high: 12897, low: 12149.98, close: 12860, volume: 729.979678 });
    expect(preview.errors).toHaveLength(100);
    expect(preview.errors[0]).toEqual({ line: 9, reason: 'High 12831.31 is below close 12882.17' });
    expect(await core.storage.marketData.countBars()).toBe(0);
    expect(await importRuns(core)).toEqual(runsBefore);
  });

  it('imports the MetaTrader export as a recorded job and announces the new bars', async () => {
    const events = recordEvents(core);
    const summary = await ok(core, 'import.csv', { source: fromFile('xauusd-1d-mt4.csv'), symbol: 'XAUUSD' });
    expect(summary).toEqual({
      runId: expect.any(String),
      jobId: expect.any(String),
      symbol: 'XAUUSD',
      timeframe: '1d',
      rowsRead: 5_383,
      inserted: 5_383,
      updated: 0,
      unchanged: 0,
      rejected: 0,
      errors: [],
      first: Date.UTC(2004, 5, 11),
      last: Date.UTC(2025, 8, 30),
      badOhlc: 'reject',
      repaired: 0,
      repairs: [],
    });
    expect(await core.storage.marketData.countBars()).toBe(5_383);

    const run = (await importRuns(core)).find((r) => r.id === summary.jobId);
    expect(run).toMatchObject({ kind: 'import', status: 'succeeded', rows: 5_383, error: null, description: 'Import xauusd-1d-mt4.csv into XAUUSD 1d' });
    expect(events).toContainEqual({
      name: 'bars.changed',
      payload: { symbol: 'XAUUSD', timeframe: '1d', from: Date.UTC(2004, 5, 11), to: Date.UTC(2025, 8, 30) },
    });
    const progress = events.filter((e) => e.name === 'job.progress').map((e) => e.payload);
    expect(progress.at(-1)).toMatchObject({ jobId: summary.jobId, kind: 'import', done: 5_383, total: 5_383, unit: 'bars' });

    const { bars } = await ok(core, 'bars.query', { symbol: 'XAUUSD', timeframe: '1d', limit: 1 });
    expect(bars).toEqual([{ time: Date.UTC(2025, 8, 30), open: 3843.36, high: 3844.91, low: 3842.41, close: 3843.8, volume: 1521 }]);
  });

  it('changes nothing when the same file is imported again', async () => {
    const summary = await ok(core, 'import.csv', { source: fromFile('xauusd-1d-mt4.csv'), symbol: 'XAUUSD', timeframe: '1d' });
    expect(summary).toMatchObject({ inserted: 0, updated: 0, unchanged: 5_383, rejected: 0 });
    expect(await core.storage.marketData.countBars()).toBe(5_383);
    const run = (await importRuns(core)).find((r) => r.id === summary.jobId);
    expect(run).toMatchObject({ status: 'succeeded', rows: 0 });
  });

  it('imports the other real files with their detected timeframes', async () => {
    const yahoo = await ok(core, 'import.csv', { source: fromFile('btc-usd-1d-yahoo.csv'), symbol: 'BTCUSD' });
    expect(yahoo).toMatchObject({ timeframe: '1d', rowsRead: 2_723, inserted: 2_723, rejected: 0 });
    const binance = await ok(core, 'import.csv', { source: fromFile('btcusdt-1h.csv'), symbol: 'BTCUSDT' });
    expect(binance).toMatchObject({ timeframe: '1h', rowsRead: 37_394, inserted: 35_422, rejected: 1_972 });
    expect(binance.errors).toHaveLength(100);
    const gold = await ok(core, 'import.csv', { source: fromFile('gold-monthly.csv'), symbol: 'XAUUSD' });
    expect(gold).toMatchObject({ timeframe: '1M', rowsRead: 2_322, inserted: 2_322, rejected: 0, first: Date.UTC(1833, 0, 1) });

    expect(await core.storage.marketData.countBars()).toBe(5_383 + 2_723 + 35_422 + 2_322);
    const coverage = await ok(core, 'bars.coverage', {});
    expect(coverage.coverage).toEqual(
      expect.arrayContaining([
        { symbol: 'BTCUSD', timeframe: '1d', source: 'csv:btc-usd-1d-yahoo.csv', first: Date.UTC(2014, 8, 17), last: Date.UTC(2022, 2, 1), count: 2_723 },
        { symbol: 'BTCUSDT', timeframe: '1h', source: 'csv:btcusdt-1h.csv', first: Date.UTC(2017, 11, 31), last: Date.UTC(2022, 3, 12, 14, 5), count: 35_422 },
        { symbol: 'XAUUSD', timeframe: '1M', source: 'csv:gold-monthly.csv', first: Date.UTC(1833, 0, 1), last: Date.UTC(2026, 5, 1), count: 2_322 },
      ]),
    );
  });

  it('reads a UTF-16 file with a byte-order mark and CRLF lines, as Excel saves "Unicode text"', async () => {
    const file = path.join(test.dataDir, 'silver.csv');
    const text = '\ufeffDate\tOpen\tHigh\tLow\tClose\r\n2024-01-02\t23.7\t23.9\t23.5\t23.8\r\n2024-01-03\t23.8\t23.8\t23.1\t23.2\r\n';
    await writeFile(file, Buffer.from(text, 'utf16le'));
    const summary = await ok(core, 'import.csv', { source: { kind: 'path', path: file }, symbol: 'XAGUSD' });
    expect(summary).toMatchObject({ timeframe: '1d', inserted: 2, rejected: 0, first: Date.UTC(2024, 0, 2) });
    const { bars } = await ok(core, 'bars.query', { symbol: 'XAGUSD', timeframe: '1d' });
    expect(bars).toEqual([
      { time: Date.UTC(2024, 0, 2), open: 23.7, high: 23.9, low: 23.5, close: 23.8, volume: 0 },
      { time: Date.UTC(2024, 0, 3), open: 23.8, high: 23.8, low: 23.1, close: 23.2, volume: 0 },
    ]);
  });

  it('counts changed rows of a re-imported file as updated', async () => {
    const text = 'Date;Open;High;Low;Close;Volume\n2004.06.11 00:00;384;384.8;382.8;384.2;272\n2004.06.14 00:00;384.3;385.8;381.8;382.8;1902\n';
    const summary = await ok(core, 'import.csv', { source: { kind: 'text', fileName: 'fix.csv', text }, symbol: 'XAUUSD', timeframe: '1d' });
    expect(summary).toMatchObject({ inserted: 0, updated: 2, unchanged: 0 });
    const run = (await importRuns(core)).find((r) => r.id === summary.jobId);
    expect(run).toMatchObject({ status: 'succeeded', rows: 2 });
  });

  describe('refusals write nothing', () => {
    let barsBefore: number;
    let runsBefore: number;
    beforeAll(async () => {
      barsBefore = await core.storage.marketData.countBars();
      runsBefore = (await importRuns(core)).length;
    });
    const nothingWritten = async () => {
      expect(await core.storage.marketData.countBars()).toBe(barsBefore);
      expect(await importRuns(core)).toHaveLength(runsBefore);
    };

    it('refuses an unknown instrument', async () => {
      const error = await failure(core, 'import.csv', { source: fromFile('xauusd-1d-mt4.csv'), symbol: 'NOSUCH' });
      expect(error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/^Unknown instrument "NOSUCH"/) });
      expect((await failure(core, 'import.preview', { source: fromFile('xauusd-1d-mt4.csv'), symbol: 'NOSUCH' })).code).toBe('NOT_FOUND');
      await nothingWritten();
    });

    it('refuses a file whose every row is rejected, quoting the first reasons', async () => {
      const text = 'Date,Open,High,Low,Close\n2024-01-02,10,9,8,9.5\n2024-01-03,-1,2,1,1.5\n2024-01-04,x,2,1,1.5\n';
      const error = await failure(core, 'import.csv', { source: { kind: 'text', fileName: 'broken.csv', text }, symbol: 'XAGUSD' });
      expect(error.code).toBe('VALIDATION');
      expect(error.message).toBe(
        'None of the 3 rows of broken.csv could be imported (line 2: High 9 is below open 10; line 3: Open -1 is not a positive price; ' +
          'line 4: Open "x" is not a number). Nothing was written; check the file or give a column mapping.',
      );
      expect(error.details).toMatchObject({ errorCount: 3 });
      await nothingWritten();
    });

    it('gives the file\'s columns and first rows with a preview it cannot detect, and previews once they are mapped', async () => {
      const text = 'Datum;Eröffnung;Hoch;Tief;Schluss\n02.01.2024;10,5;11;10;10,8\n03.01.2024;10,8;11,2;10,6;11\n04.01.2024;11;11,5;10,9;11,4\n';
      const source = { kind: 'text' as const, fileName: 'kurse.csv', text };
      const error = await failure(core, 'import.preview', { source, symbol: 'XAGUSD' });
      expect(error.code).toBe('VALIDATION');
      expect(error.message).toMatch(/Could not find a close or price column/);
      expect(error.details).toEqual({
        delimiter: ';',
        hasHeader: true,
        headers: ['Datum', 'Eröffnung', 'Hoch', 'Tief', 'Schluss'],
        columnCount: 5,
        sampleRows: [
          ['02.01.2024', '10,5', '11', '10', '10,8'],
          ['03.01.2024', '10,8', '11,2', '10,6', '11'],
          ['04.01.2024', '11', '11,5', '10,9', '11,4'],
        ],
      });
      // A mapping to a column that is not there keeps the details, so the columns stay on offer.
      const wrongColumn = await failure(core, 'import.preview', { source, symbol: 'XAGUSD', mapping: { close: 7 } });
      expect(wrongColumn.details).toMatchObject({ columnCount: 5, delimiter: ';' });
      const preview = await ok(core, 'import.preview', {
        source,
        symbol: 'XAGUSD',
        mapping: { time: 0, dateFormat: 'DD.MM.YYYY', open: 1, high: 2, low: 3, close: 4 },
      });
      expect(preview).toMatchObject({ timeframe: '1d', validRows: 3, errorCount: 0 });
      expect(preview.sample[0]).toEqual({ time: Date.UTC(2024, 0, 2), open: 10.5, high: 11, low: 10, close: 10.8, volume: 0 });
      await nothingWritten();
    });

    it('refuses a missing file, naming its path', async () => {
      const missing = path.join(test.dataDir, 'missing.csv');
      const error = await failure(core, 'import.csv', { source: { kind: 'path', path: missing }, symbol: 'XAUUSD' });
      expect(error).toMatchObject({ code: 'NOT_FOUND', message: `No file at ${missing}.` });
      await nothingWritten();
    });

    it('refuses a folder and a file above the size limit before reading them', async () => {
      const folder = await failure(core, 'import.csv', { source: { kind: 'path', path: test.dataDir }, symbol: 'XAUUSD' });
      expect(folder).toMatchObject({ code: 'VALIDATION', message: `${test.dataDir} is not a file.` });
      const huge = path.join(test.dataDir, 'huge.csv');
      // Sparse: the size is real to stat, but no disk space is used.
      await writeFile(huge, '');
      await truncate(huge, MAX_IMPORT_BYTES + 10 * 1024 * 1024);
      const tooLarge = await failure(core, 'import.csv', { source: { kind: 'path', path: huge }, symbol: 'XAUUSD' });
      expect(tooLarge).toMatchObject({
        code: 'VALIDATION',
        message: 'huge.csv is 266.0 MB; files up to 256 MB can be imported. Split it and import the parts.',
      });
      await rm(huge);
      await nothingWritten();
    });

    it('asks for the timeframe when the spacing does not tell it', async () => {
      const text = 'Date,Close\n2024-01-01,1\n2024-01-04,2\n2024-01-11,3\n2024-01-13,4\n';
      const error = await failure(core, 'import.csv', { source: { kind: 'text', fileName: 'sparse.csv', text }, symbol: 'XAGUSD' });
      expect(error).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/^Could not tell the timeframe of sparse\.csv/) });
      const preview = await ok(core, 'import.preview', { source: { kind: 'text', fileName: 'sparse.csv', text }, symbol: 'XAGUSD' });
      expect(preview).toMatchObject({ timeframe: null, validRows: 4 });
      await nothingWritten();
    });

    it('refuses a file it cannot understand, pointing at the column mapping', async () => {
      const error = await failure(core, 'import.preview', { source: { kind: 'text', fileName: 'notes.csv', text: 'name,score\nalice,1\n' }, symbol: 'XAGUSD' });
      expect(error).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/column mapping/) });
      await nothingWritten();
    });
  });
});

describe('cancelling an import', () => {
  let test: TestCore;

  beforeAll(async () => {
    test = await createTestCore();
  });
  afterAll(() => test.cleanup());

  it('stops between chunks, keeps whole committed chunks and records a cancelled run', async () => {
    const { core } = test;
    const events = recordEvents(core);
    // Cancel as soon as the first chunk has been committed and reported.
    const unsubscribe = core.events.subscribe((message) => {
      if (message.name === 'job.progress' && message.payload.kind === 'import') core.jobs.cancel(message.payload.jobId);
    });
    const error = await failure(core, 'import.csv', { source: fromFile('btcusdt-1h.csv'), symbol: 'BTCUSDT' });
    unsubscribe();

    expect(error.code).toBe('CANCELLED');
    expect(await core.storage.marketData.countBars()).toBe(5_000);
    const [run] = (await ok(core, 'jobs.runs', { kind: 'import', limit: 10 })).runs;
    // The committed chunk is recorded with the run, not 0 (issue 16).
    expect(run).toMatchObject({ status: 'cancelled', rows: 5_000, description: 'Import btcusdt-1h.csv into BTCUSDT 1h' });
    const [stored] = await core.storage.marketData.coverage('BTCUSDT');
    expect(stored).toMatchObject({ timeframe: '1h', first: Date.UTC(2017, 11, 31), count: 5_000 });
    const changed = events.filter((e) => e.name === 'bars.changed').map((e) => e.payload);
    expect(changed).toEqual([{ symbol: 'BTCUSDT', timeframe: '1h', from: stored!.first, to: stored!.last }]);

    const again = await ok(core, 'import.csv', { source: fromFile('btcusdt-1h.csv'), symbol: 'BTCUSDT' });
    expect(again).toMatchObject({ inserted: 30_422, unchanged: 5_000 });
  });

  it('reports every chunk to a caller outside the RPC handlers, with the job id to cancel', async () => {
    const { core } = test;
    const seen: Array<{ done: number; total: number }> = [];
    let jobId = '';
    const summary = await importCsv(core, { source: fromFile('xauusd-1d-mt4.csv'), symbol: 'xauusd' }, {
      onProgress: (progress) => {
        jobId = progress.runId;
        seen.push({ done: progress.done, total: progress.total });
      },
    });
    expect(summary.jobId).toBe(jobId);
    expect(summary.symbol).toBe('XAUUSD');
    expect(seen).toEqual([
      { done: 5_000, total: 5_383 },
      { done: 5_383, total: 5_383 },
    ]);
  });
});
