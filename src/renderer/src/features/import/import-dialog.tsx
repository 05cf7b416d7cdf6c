import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import type { MethodOutput } from '../../../../shared/contract';
import type { BadOhlcPolicy, CsvMapping, CsvSource, Instrument } from '../../../../shared/domain';
import { timeframes, type Timeframe } from '../../../../shared/timeframes';
import { call } from '../../api/client';
import { useApiAction } from '../../api/use-api-action';
import { formatCount, formatPrice, formatVolume, pricePrecision } from '../../ui/format/numbers';
import { formatBarTime } from '../../ui/format/time';
import { MappingControls, QuestionHint, questionAttributes, readingOfPreview, readingOfShape } from './mapping-controls';
import { BadOhlcChoice, FileRows, RowErrors, RowRepairs } from './row-lists';
import { useLivePreview, type Preview } from './use-live-preview';
import './import-dialog.css';

export type ImportSummary = MethodOutput<'import.csv'>;

interface ImportDialogProps {
  instruments: readonly Instrument[];
  /** Preselected target, usually the instrument on the chart. */
  initialSymbol: string | undefined;
  onClose(): void;
  onImported(summary: ImportSummary): void;
}

function PreviewDetails({ preview, chosenTimeframe, pending }: { preview: Preview; chosenTimeframe: Timeframe | ''; pending: boolean }) {
  const timeframe = preview.timeframe;
  const precision = pricePrecision(preview.sample[0]?.close ?? 0);

  return (
    <div className="import__preview" data-testid="import-preview-result" aria-busy={pending}>
      <dl className="facts">
        <dt>Timeframe</dt>
        <dd data-testid="import-detected-timeframe">
          {timeframe ?? 'could not be detected — choose one above'}
          {timeframe && !chosenTimeframe ? ' (detected from the spacing of the rows)' : ''}
        </dd>
        <dt>Range</dt>
        <dd data-testid="import-range">
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

const repairedLabels: Record<BadOhlcPolicy, string> = { reject: 'Repaired', widen: 'Widened', keep: 'Kept as written' };

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
        {summary.badOhlc !== 'reject' && (
          <>
            <dt>{repairedLabels[summary.badOhlc]}</dt>
            <dd data-testid="import-repaired">{formatCount(summary.repaired)}</dd>
          </>
        )}
      </dl>
      <RowErrors errors={summary.errors} total={summary.rejected} />
      <RowRepairs policy={summary.badOhlc} repairs={summary.repairs} total={summary.repaired} tense="past" />
    </div>
  );
}

/**
 * Import a CSV: the file is previewed as soon as it is chosen, showing how it was understood
 * as controls the user can correct (each change previews again), the questions detection
 * could not answer, and what becomes of bad rows. Nothing is written until Import. In
 * Electron the file is read by the core from its path (no size limit through IPC); in a
 * browser its text is uploaded.
 */
export function ImportDialog({ instruments, initialSymbol, onClose, onImported }: ImportDialogProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const targets = instruments.filter((instrument) => instrument.kind !== 'synthetic');
  const [source, setSource] = useState<CsvSource | null>(null);
  const [fileLabel, setFileLabel] = useState<string | null>(null);
  const [reading, setReading] = useState(false);
  const [fileError, setFileError] = useState<string | null>(null);
  const [symbol, setSymbol] = useState(
    targets.some((t) => t.symbol === initialSymbol) ? (initialSymbol ?? '') : (targets[0]?.symbol ?? ''),
  );
  const [timeframe, setTimeframe] = useState<Timeframe | ''>('');
  /** Only what the user changed: the rest of the mapping is detected afresh around it. */
  const [edits, setEdits] = useState<CsvMapping>({});
  const [badOhlc, setBadOhlc] = useState<BadOhlcPolicy>('reject');
  const [summary, setSummary] = useState<ImportSummary | null>(null);
  const importing = useApiAction();
  const desktop = window.metalyticsDesktop;

  const { preview, pending, error: previewError, fileShape, readAgain } = useLivePreview(
    source && symbol !== '' && summary === null
      ? {
          source,
          symbol,
          ...(timeframe ? { timeframe } : {}),
          ...(Object.keys(edits).length > 0 ? { mapping: edits } : {}),
          badOhlc,
        }
      : null,
  );

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  // The mapping and the bad-row choice belong to one file.
  const chooseSource = (next: CsvSource | null, label: string | null) => {
    setSource(next);
    setFileLabel(label);
    setEdits({});
    setBadOhlc('reject');
    setFileError(null);
    importing.clearError();
  };

  const onFileInput = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    chooseSource(null, file?.name ?? null);
    if (!file) return;
    setReading(true);
    try {
      chooseSource({ kind: 'text', fileName: file.name, text: await file.text() }, file.name);
    } catch {
      setFileError('That file could not be read. Check that it is a text file and try again.');
    } finally {
      setReading(false);
    }
  };

  const onPickFile = async () => {
    if (!desktop) return;
    let picked: { path: string; name: string } | null;
    try {
      picked = await desktop.pickCsvFile();
    } catch {
      setFileError('The file dialog could not be opened. Try again.');
      return;
    }
    if (!picked) return;
    chooseSource({ kind: 'path', path: picked.path }, picked.name);
  };

  // Before any preview succeeded, a failure that still split the file offers its columns with nothing chosen.
  const fileReading = preview ? readingOfPreview(preview) : fileShape ? readingOfShape(fileShape) : null;
  const effectiveTimeframe = timeframe || preview?.timeframe || null;
  const timeframeQuestion = preview?.questions.find((question) => question.option === 'timeframe');

  const runImport = () =>
    importing.run(async () => {
      if (!source || !preview || !effectiveTimeframe) return;
      // Exactly what the preview showed: its mapping and timeframe, so the import cannot read the file another way.
      const result = await call('import.csv', { source, symbol, timeframe: effectiveTimeframe, mapping: preview.mapping, badOhlc });
      setSummary(result);
      onImported(result);
    });

  const canImport =
    preview !== null &&
    !pending &&
    previewError === null &&
    preview.questions.length === 0 &&
    preview.validRows > 0 &&
    effectiveTimeframe !== null &&
    !importing.busy &&
    summary === null;
  const error = fileError ?? previewError ?? importing.error;

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
          Correct anything read wrongly below; nothing is written until you press Import.
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
            {reading && <span className="muted">Reading…</span>}
          </div>

          <label htmlFor="import-symbol">Instrument</label>
          <select
            id="import-symbol"
            value={symbol}
            onChange={(event) => setSymbol(event.target.value)}
            disabled={summary !== null}
            data-testid="import-symbol"
          >
            {targets.map((instrument) => (
              <option key={instrument.symbol} value={instrument.symbol}>
                {instrument.symbol} — {instrument.name}
              </option>
            ))}
          </select>

          <label htmlFor="import-timeframe">Timeframe</label>
          <div className="import__control">
            <select
              id="import-timeframe"
              value={timeframe}
              {...questionAttributes('import-question-timeframe', timeframeQuestion)}
              onChange={(event) => setTimeframe(event.target.value as Timeframe | '')}
              disabled={summary !== null}
              data-testid="import-timeframe"
            >
              <option value="">Detect from the file</option>
              {timeframes.map((tf) => (
                <option key={tf} value={tf}>
                  {tf}
                </option>
              ))}
            </select>
            <QuestionHint id="import-question-timeframe" question={timeframeQuestion} />
          </div>
        </div>

        {fileReading && !summary && <MappingControls reading={fileReading} edits={edits} onEdit={setEdits} />}
        {error !== null && (
          <p className="error-text" role="alert" data-testid="import-error">
            {error}
          </p>
        )}
        {preview && !summary && previewError === null && (
          <>
            <BadOhlcChoice preview={preview} chosen={badOhlc} onChoose={setBadOhlc} />
            <PreviewDetails preview={preview} chosenTimeframe={timeframe} pending={pending} />
          </>
        )}
        {!preview && fileShape && !summary && <FileRows shape={fileShape} />}
        {summary && <SummaryDetails summary={summary} />}
      </div>
      <footer className="dialog__footer">
        {summary ? (
          <button type="button" className="button button--primary" onClick={onClose} data-testid="import-done">
            Done
          </button>
        ) : (
          <>
            {pending && (
              <span className="muted import__status" role="status">
                Reading the file…
              </span>
            )}
            <button type="button" className="button" disabled={source === null || pending} onClick={readAgain} data-testid="import-preview">
              Read the file again
            </button>
            <button type="button" className="button button--primary" disabled={!canImport} onClick={runImport} data-testid="import-submit">
              {importing.busy ? 'Importing…' : preview ? `Import ${formatCount(preview.validRows)} rows` : 'Import'}
            </button>
          </>
        )}
      </footer>
    </dialog>
  );
}
