import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import type { MethodOutput } from '../../../../shared/contract';
import type { CsvSource, Instrument } from '../../../../shared/domain';
import { timeframes, type Timeframe } from '../../../../shared/timeframes';
import { describeError } from '../../api/api-error';
import { call } from '../../api/client';
import { formatCount, formatPrice, formatVolume, pricePrecision } from '../../ui/format/numbers';
import { formatBarTime } from '../../ui/format/time';

type Preview = MethodOutput<'import.preview'>;
export type ImportSummary = MethodOutput<'import.csv'>;

const delimiterNames: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' };

interface ImportDialogProps {
  instruments: readonly Instrument[];
  /** Preselected target, usually the instrument on the chart. */
  initialSymbol: string | undefined;
  onClose(): void;
  onImported(summary: ImportSummary): void;
}

function RowErrors({ errors, total }: { errors: Preview['errors']; total: number }) {
  if (total === 0) return null;
  return (
    <div className="import__errors" data-testid="import-errors">
      <p>
        {formatCount(total)} {total === 1 ? 'row was' : 'rows were'} rejected
        {errors.length < total ? `; the first ${errors.length} are listed` : ''}:
      </p>
      <ul>
        {errors.map((error) => (
          <li key={`${error.line}:${error.reason}`}>
            Line {error.line}: {error.reason}
          </li>
        ))}
      </ul>
    </div>
  );
}

function PreviewDetails({ preview, chosenTimeframe }: { preview: Preview; chosenTimeframe: Timeframe | '' }) {
  const { detection } = preview;
  const columnName = (index: number | null) =>
    index === null ? '—' : detection.hasHeader ? (detection.headers[index] ?? `column ${index + 1}`) : `column ${index + 1}`;
  const timeframe = preview.timeframe;
  const precision = pricePrecision(preview.sample[0]?.close ?? 0);
  const fields = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

  return (
    <div className="import__preview" data-testid="import-preview-result">
      <dl className="facts">
        <dt>Delimiter</dt>
        <dd data-testid="import-delimiter">
          {delimiterNames[detection.delimiter] ?? detection.delimiter} ({JSON.stringify(detection.delimiter)})
        </dd>
        <dt>Header row</dt>
        <dd>{detection.hasHeader ? 'yes' : 'no'}</dd>
        <dt>Date format</dt>
        <dd data-testid="import-date-format">{detection.dateFormat}</dd>
        <dt>Columns</dt>
        <dd>{fields.map((field) => `${field}: ${columnName(detection.columns[field])}`).join(' · ')}</dd>
        <dt>Timeframe</dt>
        <dd data-testid="import-detected-timeframe">
          {timeframe ?? 'could not be detected — choose one above'}
          {timeframe && !chosenTimeframe ? ' (detected from the spacing of the rows)' : ''}
        </dd>
        <dt>Range</dt>
        <dd>
          {preview.first !== null && preview.last !== null && timeframe
            ? `${formatBarTime(preview.first, timeframe)} → ${formatBarTime(preview.last, timeframe)}`
            : '—'}
        </dd>
        <dt>Rows</dt>
        <dd data-testid="import-row-counts">
          {formatCount(preview.rowsRead)} read, {formatCount(preview.validRows)} valid, {formatCount(preview.errorCount)} rejected
        </dd>
      </dl>
      {preview.sample.length > 0 && (
        <table className="data-table" data-testid="import-sample">
          <caption>First rows as they will be stored (UTC)</caption>
          <thead>
            <tr>
              <th>Time</th>
              <th>Open</th>
              <th>High</th>
              <th>Low</th>
              <th>Close</th>
              <th>Volume</th>
            </tr>
          </thead>
          <tbody>
            {preview.sample.map((bar) => (
              <tr key={bar.time}>
                <td>{formatBarTime(bar.time, timeframe ?? '1m')}</td>
                <td>{formatPrice(bar.open, precision)}</td>
                <td>{formatPrice(bar.high, precision)}</td>
                <td>{formatPrice(bar.low, precision)}</td>
                <td>{formatPrice(bar.close, precision)}</td>
                <td>{formatVolume(bar.volume)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <RowErrors errors={preview.errors} total={preview.errorCount} />
    </div>
  );
}

function SummaryDetails({ summary }: { summary: ImportSummary }) {
  return (
    <div className="import__summary" data-testid="import-summary" role="status">
      <p>
        Imported into <b>{summary.symbol}</b> as {summary.timeframe} bars
        {summary.first !== null && summary.last !== null
          ? `, ${formatBarTime(summary.first, summary.timeframe)} → ${formatBarTime(summary.last, summary.timeframe)}`
          : ''}
        .
      </p>
      <dl className="facts facts--counts">
        <dt>Inserted</dt>
        <dd data-testid="import-inserted">{formatCount(summary.inserted)}</dd>
        <dt>Updated</dt>
        <dd data-testid="import-updated">{formatCount(summary.updated)}</dd>
        <dt>Unchanged</dt>
        <dd data-testid="import-unchanged">{formatCount(summary.unchanged)}</dd>
        <dt>Rejected</dt>
        <dd data-testid="import-rejected">{formatCount(summary.rejected)}</dd>
      </dl>
      <RowErrors errors={summary.errors} total={summary.rejected} />
    </div>
  );
}

/**
 * Import a CSV in two steps: Preview shows how the file was understood and which rows fail,
 * Import writes it. In Electron the file is read by the core from its path (no size limit
 * through IPC); in a browser its text is uploaded.
 */
export function ImportDialog({ instruments, initialSymbol, onClose, onImported }: ImportDialogProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const targets = instruments.filter((instrument) => instrument.kind !== 'synthetic');
  const [source, setSource] = useState<CsvSource | null>(null);
  const [fileLabel, setFileLabel] = useState<string | null>(null);
  const [symbol, setSymbol] = useState(
    targets.some((t) => t.symbol === initialSymbol) ? (initialSymbol ?? '') : (targets[0]?.symbol ?? ''),
  );
  const [timeframe, setTimeframe] = useState<Timeframe | ''>('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [summary, setSummary] = useState<ImportSummary | null>(null);
  const [busy, setBusy] = useState<'reading' | 'preview' | 'import' | null>(null);
  /** The sentence shown for the last failure. */
  const [error, setError] = useState<string | null>(null);
  const desktop = window.metalyticsDesktop;

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  // Any change of input makes an earlier preview stale, so Import waits for a new one.
  const changeInput = () => {
    setPreview(null);
    setSummary(null);
    setError(null);
  };

  const onFileInput = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    changeInput();
    setSource(null);
    setFileLabel(file?.name ?? null);
    if (!file) return;
    setBusy('reading');
    try {
      setSource({ kind: 'text', fileName: file.name, text: await file.text() });
    } catch {
      setError('That file could not be read. Check that it is a text file and try again.');
    } finally {
      setBusy(null);
    }
  };

  const onPickFile = async () => {
    if (!desktop) return;
    let picked: { path: string; name: string } | null;
    try {
      picked = await desktop.pickCsvFile();
    } catch {
      setError('The file dialog could not be opened. Try again.');
      return;
    }
    if (!picked) return;
    changeInput();
    setSource({ kind: 'path', path: picked.path });
    setFileLabel(picked.name);
  };

  const runPreview = async () => {
    if (!source) return;
    setBusy('preview');
    setError(null);
    setSummary(null);
    try {
      setPreview(await call('import.preview', { source, symbol, ...(timeframe ? { timeframe } : {}) }));
    } catch (failure) {
      setPreview(null);
      setError(describeError(failure));
    } finally {
      setBusy(null);
    }
  };

  const effectiveTimeframe = timeframe || preview?.timeframe || null;

  const runImport = async () => {
    if (!source || !effectiveTimeframe) return;
    setBusy('import');
    setError(null);
    try {
      // The timeframe the preview showed, so the import cannot detect a different one.
      const result = await call('import.csv', { source, symbol, timeframe: effectiveTimeframe });
      setSummary(result);
      onImported(result);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(null);
    }
  };

  const canPreview = source !== null && symbol !== '' && busy === null;
  const canImport = preview !== null && preview.validRows > 0 && effectiveTimeframe !== null && busy === null && summary === null;

  return (
    <dialog ref={dialogRef} className="dialog import" aria-labelledby="import-title" onClose={onClose} data-testid="import-dialog">
      <header className="dialog__header">
        <h2 id="import-title">Import a CSV file</h2>
        <button type="button" className="button button--ghost" onClick={onClose} aria-label="Close" data-testid="import-close">
          ✕
        </button>
      </header>
      <div className="dialog__body">
        <p className="muted">
          Yahoo Finance downloads, MetaTrader exports, Binance klines and most OHLC files with a date column are recognised.
          Nothing is written until you press Import.
        </p>
        <div className="form-grid">
          <label htmlFor="import-file">File</label>
          <div className="import__file">
            {desktop ? (
              <button type="button" id="import-file" className="button" onClick={onPickFile} data-testid="import-choose-file">
                Choose file…
              </button>
            ) : (
              <input
                id="import-file"
                type="file"
                accept=".csv,.txt,.tsv,text/csv,text/plain"
                onChange={onFileInput}
                data-testid="import-file"
              />
            )}
            {desktop && fileLabel && <span className="import__file-name">{fileLabel}</span>}
            {busy === 'reading' && <span className="muted">Reading…</span>}
          </div>

          <label htmlFor="import-symbol">Instrument</label>
          <select
            id="import-symbol"
            value={symbol}
            onChange={(event) => {
              changeInput();
              setSymbol(event.target.value);
            }}
            data-testid="import-symbol"
          >
            {targets.map((instrument) => (
              <option key={instrument.symbol} value={instrument.symbol}>
                {instrument.symbol} — {instrument.name}
              </option>
            ))}
          </select>

          <label htmlFor="import-timeframe">Timeframe</label>
          <select
            id="import-timeframe"
            value={timeframe}
            onChange={(event) => {
              changeInput();
              setTimeframe(event.target.value as Timeframe | '');
            }}
            data-testid="import-timeframe"
          >
            <option value="">Detect from the file</option>
            {timeframes.map((tf) => (
              <option key={tf} value={tf}>
                {tf}
              </option>
            ))}
          </select>
        </div>

        {error !== null && (
          <p className="error-text" role="alert" data-testid="import-error">
            {error}
          </p>
        )}
        {preview && !summary && <PreviewDetails preview={preview} chosenTimeframe={timeframe} />}
        {summary && <SummaryDetails summary={summary} />}
      </div>
      <footer className="dialog__footer">
        {summary ? (
          <button type="button" className="button button--primary" onClick={onClose} data-testid="import-done">
            Done
          </button>
        ) : (
          <>
            <button type="button" className="button" disabled={!canPreview} onClick={runPreview} data-testid="import-preview">
              {busy === 'preview' ? 'Reading the file…' : 'Preview'}
            </button>
            <button type="button" className="button button--primary" disabled={!canImport} onClick={runImport} data-testid="import-submit">
              {busy === 'import' ? 'Importing…' : preview ? `Import ${formatCount(preview.validRows)} rows` : 'Import'}
            </button>
          </>
        )}
      </footer>
    </dialog>
  );
}
