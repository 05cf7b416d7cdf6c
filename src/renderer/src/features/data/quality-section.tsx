import { Fragment, useState, type FormEvent } from 'react';
import type { MethodInput } from '../../../../shared/contract';
import type { Timeframe } from '../../../../shared/timeframes';
import { describeError } from '../../api/api-error';
import { call } from '../../api/client';
import { useApiEvent, useApiQuery } from '../../api/hooks';
import { sourceLine } from '../../charts/bar-spans';
import { formatCount } from '../../ui/format/numbers';
import { dateInputToEpoch, formatBarTime } from '../../ui/format/time';
import {
  calendarLabels,
  completeness,
  describeFilledBy,
  describeRejectedAtImport,
  describeRepair,
  describeRepaired,
  describeSingles,
  gapRows,
  qualitySeries,
  splitGaps,
  type GapOrder,
} from './quality-model';
import { DataTable } from './data-table';
import { DEFAULT_OUTLIER_Z, type QualityGap, type QualityRepairResult, type ReportedGap } from '../../../../shared/quality';

type ReportInput = MethodInput<'quality.report'>;

/** Outliers listed at most; the count covers all of them. */
const OUTLIERS_SHOWN = 50;

function RepairResult({ result, providerName }: { result: QualityRepairResult; providerName(id: string): string }) {
  return (
    <section className="repair-result" aria-labelledby="repair-result-title" data-testid="repair-result">
      <h3 id="repair-result-title">Repair</h3>
      <p role="status" data-testid="repair-summary">
        {describeRepair(result)}
      </p>
      {result.gaps.length > 0 && (
        <DataTable
          caption="What each gap got"
          columns={[
            { label: 'Gap' },
            { label: 'Missing' },
            { label: 'Filled' },
            { label: 'By', text: true },
            { label: 'Notes', text: true },
          ]}
        >
          {result.gaps.map((gap) => (
            <tr key={gap.from} data-testid={`repair-gap-${gap.from}`}>
              <td>
                {formatBarTime(gap.from, result.timeframe)} → {formatBarTime(gap.to, result.timeframe)}
              </td>
              <td>{formatCount(gap.missing)}</td>
              <td>{formatCount(gap.filled)}</td>
              <td className="data-table__text" data-testid={`repair-by-${gap.from}`}>
                {describeFilledBy(gap, providerName) || <span className="muted">nobody</span>}
              </td>
              <td className="data-table__text">
                {gap.notes.length > 0 && (
                  <ul className="repair-result__notes">
                    {gap.notes.map((note) => (
                      <li key={note}>{note}</li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

function GapRow({ gap, timeframe, busy, onRepair }: { gap: ReportedGap; timeframe: Timeframe; busy: 'all' | number | null; onRepair(gap: QualityGap): void }) {
  return (
    <tr data-testid={`quality-gap-${gap.from}`}>
      <td>{formatBarTime(gap.from, timeframe)}</td>
      <td>{formatBarTime(gap.to, timeframe)}</td>
      <td>
        {formatCount(gap.missing)}
        {gap.rejected > 0 && <span className="muted"> ({formatCount(gap.rejected)} rejected at import)</span>}
      </td>
      <td className="data-table__actions">
        <button
          type="button"
          className="button button--small"
          disabled={busy !== null}
          aria-label={`Repair the gap from ${formatBarTime(gap.from, timeframe)}`}
          data-testid={`quality-repair-${gap.from}`}
          onClick={() => onRepair(gap)}
        >
          {busy === gap.from ? 'Repairing…' : 'Repair'}
        </button>
      </td>
    </tr>
  );
}

export function QualitySection({ providerName }: { providerName(id: string): string }) {
  const coverage = useApiQuery('bars.coverage', {});
  const series = qualitySeries(coverage.data?.coverage ?? []);
  const [symbol, setSymbol] = useState('');
  const [timeframe, setTimeframe] = useState<Timeframe | ''>('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [input, setInput] = useState<ReportInput | null>(null);
  const [gapOrder, setGapOrder] = useState<GapOrder>('time');
  const [singlesOpen, setSinglesOpen] = useState(false);
  const report = useApiQuery('quality.report', input);
  useApiEvent('bars.changed', (change) => {
    coverage.reload();
    if (input && change.symbol === input.symbol) report.reload();
  });

  const stored = series.find((s) => s.symbol === symbol)?.timeframes ?? [];
  const chosenTimeframe = timeframe !== '' && stored.includes(timeframe) ? timeframe : stored[0];
  const fromTime = dateInputToEpoch(from);
  const toTime = dateInputToEpoch(to);
  const rangeError = fromTime !== undefined && toTime !== undefined && fromTime > toTime ? 'The start must not be after the end.' : null;

  const check = (event: FormEvent) => {
    event.preventDefault();
    if (!chosenTimeframe || rangeError) return;
    setRepair({ result: null, busy: null, error: null });
    setInput({ symbol, timeframe: chosenTimeframe, ...(fromTime !== undefined && { from: fromTime }), ...(toTime !== undefined && { to: toTime }) });
  };

  const data = report.data;
  const current = input !== null && report.dataKey === JSON.stringify(input);
  const split = data ? splitGaps(data.gaps) : { source: [], rejected: [] };
  const [repair, setRepair] = useState<{ result: QualityRepairResult | null; busy: 'all' | number | null; error: string | null }>({
    result: null,
    busy: null,
    error: null,
  });
  // The repair answers only when done; its job id, which Cancel needs, comes with its first progress event.
  const [repairRunId, setRepairRunId] = useState<string | null>(null);
  useApiEvent('job.progress', (progress) => {
    if (progress.kind === 'repair' && repair.busy !== null && repairRunId === null) setRepairRunId(progress.runId);
  });
  /** Re-fetches one gap, or every gap in the checked range when `gap` is absent. */
  const runRepair = async (gap?: QualityGap) => {
    if (!input) return;
    setRepair({ result: null, busy: gap ? gap.from : 'all', error: null });
    setRepairRunId(null);
    try {
      const result = await call('quality.repair', { ...input, ...(gap && { gaps: [{ from: gap.from, to: gap.to }] }) });
      setRepair({ result, busy: null, error: null });
    } catch (failure) {
      setRepair({ result: null, busy: null, error: describeError(failure) });
    } finally {
      setRepairRunId(null);
      // A cancelled repair keeps the bars it wrote, so the report is read again either way.
      report.reload();
    }
  };
  const cancelRepair = () => {
    if (repairRunId) void call('jobs.cancel', { runId: repairRunId });
  };

  return (
    <div className="data-section" data-testid="quality">
      <form className="data-toolbar" onSubmit={check} aria-label="Series to check">
        <label htmlFor="quality-symbol">Instrument</label>
        <select id="quality-symbol" value={symbol} data-testid="quality-symbol" onChange={(event) => setSymbol(event.target.value)}>
          <option value="">{series.length === 0 ? 'No stored data' : 'Choose…'}</option>
          {series.map((s) => (
            <option key={s.symbol} value={s.symbol}>
              {s.symbol}
            </option>
          ))}
        </select>
        <label htmlFor="quality-timeframe">Timeframe</label>
        <select
          id="quality-timeframe"
          value={chosenTimeframe ?? ''}
          disabled={stored.length === 0}
          data-testid="quality-timeframe"
          onChange={(event) => setTimeframe(event.target.value as Timeframe)}
        >
          {stored.map((tf) => (
            <option key={tf} value={tf}>
              {tf}
            </option>
          ))}
        </select>
        <label htmlFor="quality-from">From</label>
        <input id="quality-from" type="date" value={from} onChange={(event) => setFrom(event.target.value)} aria-invalid={rangeError !== null} />
        <label htmlFor="quality-to">To</label>
        <input id="quality-to" type="date" value={to} onChange={(event) => setTo(event.target.value)} aria-invalid={rangeError !== null} />
        <button type="submit" className="button button--primary" disabled={!chosenTimeframe || rangeError !== null} data-testid="quality-check">
          Check
        </button>
        {rangeError && (
          <span className="field-error" role="alert">
            {rangeError}
          </span>
        )}
      </form>
      {coverage.error !== null && <p className="error-text">{describeError(coverage.error)}</p>}
      {input === null && (
        <p className="muted">
          Pick a stored series to list its gaps against the market’s trading calendar, its outlying returns and any bars with broken OHLC.
        </p>
      )}
      {input !== null && report.error !== null && !report.loading && (
        <p className="error-text" role="alert" data-testid="quality-error">
          {describeError(report.error)}
        </p>
      )}
      {report.loading && <p className="muted">Checking…</p>}
      {data && current && (
        <div className="quality-report" data-testid="quality-report">
          <dl className="facts">
            <dt>Calendar</dt>
            <dd>{calendarLabels[data.calendar]}</dd>
            <dt>Bars</dt>
            <dd data-testid="quality-bars">
              {formatCount(data.bars)} of {formatCount(data.expected)} expected
              {completeness(data.bars, data.expected) && ` (${completeness(data.bars, data.expected)})`}
            </dd>
            {data.spans.length > 0 && (
              <>
                <dt>Built</dt>
                <dd data-testid="quality-source">{sourceLine(data.spans, data.spans.at(-1)!.timeframe, data.timeframe)}</dd>
              </>
            )}
            <dt>Gaps</dt>
            <dd data-testid="quality-gap-count">
              {formatCount(split.source.length)} ({formatCount(split.source.reduce((sum, gap) => sum + gap.missing, 0))} bars missing)
            </dd>
            {data.rejectedAtImport.length > 0 && (
              <>
                <dt>Rejected at import</dt>
                <dd data-testid="quality-rejected-count">
                  {formatCount(data.rejectedAtImport.length)} rows ({formatCount(split.rejected.length)} gaps)
                </dd>
              </>
            )}
            {data.repaired.length > 0 && (
              <>
                <dt>Repaired at import</dt>
                <dd data-testid="quality-repaired-count">{describeRepaired(data.repaired)}</dd>
              </>
            )}
            <dt>Outliers</dt>
            <dd>{formatCount(data.outliers.length)}</dd>
            <dt>Broken bars</dt>
            <dd>{formatCount(data.invalid.length)}</dd>
          </dl>

          {repair.error && (
            <p className="error-text" role="alert" data-testid="repair-error">
              {repair.error}
            </p>
          )}
          {repair.result && <RepairResult result={repair.result} providerName={providerName} />}

          <div className="data-toolbar">
            <h3>Gaps in the source</h3>
            {data.gaps.length > 0 && (
              <button
                type="button"
                className="button button--small button--primary"
                disabled={repair.busy !== null}
                data-testid="quality-repair-all"
                onClick={() => void runRepair()}
              >
                {repair.busy === 'all' ? 'Repairing…' : data.gaps.length === 1 ? 'Repair the gap' : 'Repair all gaps'}
              </button>
            )}
            {repair.busy !== null && (
              <button type="button" className="button button--small" disabled={repairRunId === null} data-testid="quality-repair-cancel" onClick={cancelRepair}>
                Cancel repair
              </button>
            )}
            {split.source.length > 1 && (
              <>
                <label htmlFor="quality-gap-order">Order</label>
                <select id="quality-gap-order" value={gapOrder} data-testid="quality-gap-order" onChange={(event) => setGapOrder(event.target.value as GapOrder)}>
                  <option value="time">Oldest first</option>
                  <option value="length">Longest first</option>
                </select>
              </>
            )}
          </div>
          {split.source.length === 0 ? (
            <p className="muted">
              {split.rejected.length === 0 ? 'No gaps: every bar the calendar expects is there.' : 'No gaps in the source: every missing bar is a row rejected at import.'}
            </p>
          ) : (
            <DataTable
              caption="Gaps in the source"
              testId="quality-gaps"
              columns={[
                { label: 'First missing bar' },
                { label: 'Last missing bar' },
                { label: 'Missing' },
                { label: 'Repair', unlabelled: true },
              ]}
            >
              {gapRows(split.source, gapOrder).map((row) =>
                row.kind === 'gap' ? (
                  <GapRow key={row.gap.from} gap={row.gap} timeframe={data.timeframe} busy={repair.busy} onRepair={(gap) => void runRepair(gap)} />
                ) : (
                  <Fragment key="singles">
                    <tr className="quality-singles">
                      <td colSpan={4} className="data-table__text">
                        <button
                          type="button"
                          className="button button--small"
                          aria-expanded={singlesOpen}
                          data-testid="quality-singles"
                          onClick={() => setSinglesOpen((open) => !open)}
                        >
                          {singlesOpen ? '▾' : '▸'} {describeSingles(row.gaps.length)}
                        </button>
                      </td>
                    </tr>
                    {singlesOpen &&
                      row.gaps.map((gap) => (
                        <GapRow key={gap.from} gap={gap} timeframe={data.timeframe} busy={repair.busy} onRepair={(one) => void runRepair(one)} />
                      ))}
                  </Fragment>
                ),
              )}
            </DataTable>
          )}

          {data.rejectedAtImport.length > 0 && (
            <section aria-labelledby="quality-rejected-title" data-testid="quality-rejected">
              <h3 id="quality-rejected-title">Rejected at import</h3>
              <p data-testid="quality-rejected-summary">{describeRejectedAtImport(data.rejectedAtImport, split.rejected.length)}</p>
              <details>
                <summary>The rejected rows</summary>
                <ul className="quality-invalid">
                  {data.rejectedAtImport.map((row) => (
                    <li key={`${row.runId}:${row.line}`}>
                      {formatBarTime(row.time, row.timeframe)}, line {formatCount(row.line)}: {row.reason}
                    </li>
                  ))}
                </ul>
              </details>
            </section>
          )}

          {data.repaired.length > 0 && (
            <section aria-labelledby="quality-repaired-title" data-testid="quality-repaired">
              <h3 id="quality-repaired-title">Repaired at import</h3>
              <p>
                {formatCount(data.repaired.length)} {data.repaired.length === 1 ? 'bar was' : 'bars were'} stored despite a high and low not enclosing open
                and close: {describeRepaired(data.repaired)}.
              </p>
              <details>
                <summary>What changed</summary>
                <ul className="quality-invalid">
                  {data.repaired.map((bar) => (
                    <li key={`${bar.timeframe}:${bar.time}`}>
                      {formatBarTime(bar.time, bar.timeframe)}: {bar.change}
                    </li>
                  ))}
                </ul>
              </details>
            </section>
          )}

          <h3>Outliers</h3>
          {data.outliers.length === 0 ? (
            <p className="muted">No return stands out from the series’ own spread.</p>
          ) : (
            <table className="data-table">
              <caption className="muted">
                Returns more than {DEFAULT_OUTLIER_Z} robust standard deviations from the median
                {data.outliers.length > OUTLIERS_SHOWN && `; the first ${OUTLIERS_SHOWN} of ${formatCount(data.outliers.length)}`}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Bar</th>
                  <th scope="col">Close</th>
                  <th scope="col">Return</th>
                  <th scope="col">Robust z</th>
                </tr>
              </thead>
              <tbody>
                {data.outliers.slice(0, OUTLIERS_SHOWN).map((outlier) => (
                  <tr key={outlier.time}>
                    <td>{formatBarTime(outlier.time, data.timeframe)}</td>
                    <td>{outlier.close}</td>
                    <td>{((Math.exp(outlier.logReturn) - 1) * 100).toFixed(2)}%</td>
                    <td>{outlier.zScore.toFixed(1)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}

          {data.invalid.length > 0 && (
            <>
              <h3>Broken bars</h3>
              <ul className="quality-invalid">
                {data.invalid.map((bar) => (
                  <li key={bar.time}>
                    {formatBarTime(bar.time, data.timeframe)}: {bar.reason}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </div>
  );
}
