import { useMemo, useRef, useState, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import type { EventPayload } from '../../../../shared/contract';
import type { ChartLayoutSize, ChartPanelView } from '../../../../shared/chart-layout';
import type { TimeZoneChoice } from '../../../../shared/domain';
import type { ProviderStatus } from '../../../../shared/providers';
import { MAX_INDICATORS_PER_QUERY } from '../../../../shared/indicator-outputs';
import type { IndicatorSpec } from '../../../../shared/indicators';
import { isIntraday, type Timeframe } from '../../../../shared/timeframes';
import { describeError } from '../../api/api-error';
import { call } from '../../api/client';
import { useApiEvent, useApiResume } from '../../api/hooks';
import type { InstrumentCatalogue } from '../../api/use-instrument-catalogue';
import { useSettings } from '../../ui/settings-context';
import type { ResolvedTheme } from '../../ui/theme';
import { sourceLine } from '../../charts/bar-spans';
import type { ChartSync } from '../../charts/chart-sync';
import { MAX_BARS_HELD, coarserTimeframeFor, historyNote } from '../../charts/history-cap';
import { PriceChart, type PriceChartHandle } from '../../charts/price-chart';
import { formatCount } from '../../ui/format/numbers';
import { formatUtcDate } from '../../ui/format/time';
import { browserTimeZone, displayZone, formatZonedBarTime, UTC_ZONE } from '../../ui/format/zoned-time';
import { addIndicator, removeIndicator } from '../indicators/active-indicators';
import { indicatorId, indicatorLabel } from '../../charts/indicator-catalog';
import { IndicatorMenu } from '../indicators/indicator-menu';
import { barIndicesInRange, captionedChartImage, chartCsv, downloadBlob, exportFileName } from './chart-export';
import { historyFetchFor, type HistoryFetch } from './history-source';
import { SyntheticBadge } from './instrument-picker';
import { chartableTimeframes, type InstrumentRow } from './instrument-rows';
import { TimeframeBar } from './timeframe-bar';
import { useChartWindow, type LoadedWindow } from './use-chart-window';
import { ChartTypeSelect } from './chart-type-select';
import { useActiveForecast } from './use-active-forecast';
import { PriceAlertsPanel, usePriceAlerts } from './price-alerts-panel';
import { DrawingNoteEditor, DrawingTools } from './drawing-tools';
import { useDrawings } from './use-drawings';

interface ChartNoticeProps {
  row: InstrumentRow | undefined;
  symbol: string;
  timeframe: Timeframe;
  onTimeframe(timeframe: Timeframe): void;
  onImport(): void;
  /** Where history can be fetched from; null when no provider that carries the instrument is usable. */
  history: HistoryFetch | null;
  fetching: boolean;
  onFetchHistory(history: HistoryFetch): void;
}

/** Why the chart is empty, in plain words, with the action that fixes it. */
function ChartNotice({ row, symbol, timeframe, onTimeframe, onImport, history, fetching, onFetchHistory }: ChartNoticeProps) {
  const stored = row?.storedTimeframes ?? [];
  if (stored.length === 0) {
    return (
      <div className="chart-overlay" data-testid="chart-notice">
        <p>No prices are stored for {symbol} yet.</p>
        <div className="chart-overlay__actions">
          {history && (
            <button
              type="button"
              className="button button--primary"
              disabled={fetching}
              onClick={() => onFetchHistory(history)}
              title={`${history.timeframe} bars of ${history.ticker} from ${formatUtcDate(history.from)} on`}
              data-testid="fetch-history"
            >
              {fetching ? `Fetching from ${history.providerName}…` : `Fetch history from ${history.providerName}`}
            </button>
          )}
          <button type="button" className="button" onClick={onImport}>
            Import a CSV file…
          </button>
        </div>
      </div>
    );
  }
  const usable = chartableTimeframes(stored);
  if (!usable.includes(timeframe)) {
    return (
      <div className="chart-overlay" data-testid="chart-notice">
        <p>
          {symbol} is stored as {stored.join(', ')} bars only, which is too coarse for {timeframe}.
        </p>
        <div className="chart-overlay__actions">
          {usable.map((tf) => (
            <button key={tf} type="button" className="button" onClick={() => onTimeframe(tf)}>
              Show {tf}
            </button>
          ))}
        </div>
      </div>
    );
  }
  return (
    <div className="chart-overlay" data-testid="chart-notice">
      <p>No {timeframe} bars for {symbol} in the stored range.</p>
    </div>
  );
}

interface HistoryCapNoticeProps {
  held: LoadedWindow;
  available: readonly Timeframe[];
  onTimeframe(timeframe: Timeframe, viewStart: number): void;
  onDismiss(): void;
}

/** Shown when scrolling back reaches the most bars one chart holds (see MAX_BARS_HELD). */
function HistoryCapNotice({ held, available, onTimeframe, onDismiss }: HistoryCapNoticeProps) {
  const first = held.bars[0];
  const last = held.bars.at(-1);
  if (!first || !last) return null;
  const coarser = coarserTimeframeFor(held.timeframe, last.time - first.time, available);
  return (
    <div className="chart-notice" role="status" data-testid="history-cap-notice">
      <span>
        The chart holds the latest {formatCount(MAX_BARS_HELD)} {held.timeframe} bars.
        {coarser ? ` ${coarser} bars show this span and more in far fewer points.` : ''}
      </span>
      {coarser && (
        <button type="button" className="button button--small" data-testid="history-cap-switch" onClick={() => onTimeframe(coarser, first.time)}>
          Show {coarser}
        </button>
      )}
      <button type="button" className="chart-notice__close" aria-label="Dismiss" onClick={onDismiss}>
        ×
      </button>
    </div>
  );
}

/** A history fetch the empty chart started, followed through its run's events. */
interface HistoryRun {
  symbol: string;
  runId: string | null;
  fetch: HistoryFetch;
  done: number;
  total: number | null;
  unit: string;
  error: string | null;
}

function HistoryRunNotice({ run, onDismiss }: { run: HistoryRun; onDismiss(): void }) {
  const { fetch } = run;
  if (run.error !== null) {
    return (
      <div className="chart-notice chart-notice--problem" role="alert" data-testid="history-fetch-error">
        <span>
          {fetch.timeframe} history from {fetch.providerName} could not be fetched. {run.error}
        </span>
        <button type="button" className="chart-notice__close" aria-label="Dismiss" onClick={onDismiss}>
          ×
        </button>
      </div>
    );
  }
  const share = run.total ? Math.min(1, run.done / run.total) : null;
  return (
    <div className="chart-notice" role="status" data-testid="history-fetch-progress">
      <span>
        Fetching {fetch.timeframe} history of {run.symbol} from {fetch.providerName}…{' '}
        {share !== null ? `${Math.round(share * 100)} %` : run.done > 0 ? `${formatCount(run.done)} ${run.unit}` : ''}
      </span>
      {share !== null && <progress max={1} value={share} aria-label="History fetched" />}
    </div>
  );
}

function ProblemNotice({ text, failure, onRetry }: { text: string; failure: unknown; onRetry(): void }) {
  return (
    <div className="chart-notice chart-notice--problem" role="alert">
      <span>
        {text} {describeError(failure)}
      </span>
      <button type="button" className="button button--small" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}

/** Colours of the page, for the caption of an exported image. */
function captionColors() {
  const style = getComputedStyle(document.documentElement);
  const read = (name: string) => style.getPropertyValue(name).trim();
  return { background: read('--chart-bg'), text: read('--text-strong'), muted: read('--text-muted') };
}

/** Where the active chart puts its header, toolbar and alert list: above and below the charts. */
export interface ChartChromeSlots {
  header: HTMLElement | null;
  footer: HTMLElement | null;
}

export interface ChartPanelProps {
  /** Where this chart sits in the layout (0 = the first), for tests and the caption. */
  index: number;
  /** The symbol and timeframe shown, resolved from the panel's own or the defaults. */
  symbol: string | undefined;
  timeframe: Timeframe;
  view: ChartPanelView;
  /** The chart the watchlist, toolbar and shortcuts act on; it shows the header, toolbar and alert list. */
  active: boolean;
  layoutSize: ChartLayoutSize;
  theme: ResolvedTheme;
  rows: readonly InstrumentRow[];
  catalogue: InstrumentCatalogue;
  providers: readonly ProviderStatus[] | undefined;
  viewStart: number | null;
  sync: ChartSync;
  slots: ChartChromeSlots;
  /** The layout switch, drawn in the active chart's toolbar. */
  layoutSwitch: ReactNode;
  onSelect(next: { symbol?: string; timeframe?: Timeframe }, startAt?: number | null): void;
  onChange(change: (view: ChartPanelView) => ChartPanelView): void;
  onActivate(): void;
  onImport(): void;
  onSaveError(message: string): void;
}

/**
 * One chart of the Markets layout with everything it loads: bars and indicators, forecasts,
 * price alerts, history fetches, live bars. The active chart also draws the header, the toolbar
 * and the alert list, into the slots the screen keeps above and below the charts.
 */
export function ChartPanel({
  index,
  symbol,
  timeframe,
  view,
  active,
  layoutSize,
  theme,
  rows,
  catalogue,
  providers,
  viewStart,
  sync,
  slots,
  layoutSwitch,
  onSelect,
  onChange,
  onActivate,
  onImport,
  onSaveError,
}: ChartPanelProps) {
  const { settings, updateSettings } = useSettings();
  const [historyRun, setHistoryRun] = useState<HistoryRun | null>(null);
  const chartRef = useRef<PriceChartHandle>(null);
  const row = rows.find((r) => r.symbol === symbol);
  const instrument = catalogue.instruments?.find((i) => i.symbol === symbol);
  const localZone = browserTimeZone();
  const zone = displayZone(settings?.timeZone ?? 'utc', instrument?.exchangeTimeZone, localZone);
  const activeIndicators = view.indicators;
  const specs = useMemo(() => activeIndicators.map((indicator) => indicator.spec), [activeIndicators]);
  const indicatorSlots = useMemo(() => new Map(activeIndicators.map((indicator) => [indicatorId(indicator.spec), indicator.slot])), [activeIndicators]);

  const chart = useChartWindow(symbol && settings ? symbol : undefined, timeframe, specs, instrument?.kind);
  const forecast = useActiveForecast(symbol, timeframe, view.forecast);
  const [placingAlert, setPlacingAlert] = useState(false);
  const priceAlerts = usePriceAlerts(symbol, timeframe, chart.window?.bars.at(-1)?.close);
  const drawings = useDrawings(symbol, active);

  useApiEvent('bars.changed', (change) => {
    if (change.symbol === symbol) chart.refreshTail(change.from, change.to);
  });
  useApiEvent('bars.appended', (appended) => {
    if (appended.symbol === symbol) chart.appendBars(appended);
  });
  useApiEvent('job.progress', (progress) => {
    setHistoryRun((run) => (run && run.runId === progress.runId ? { ...run, done: progress.done, total: progress.total, unit: progress.unit } : run));
  });
  /** Runs that ended lately: a quick fetch can end before backfill.start's reply names its run. */
  const endedRuns = useRef(new Map<string, EventPayload<'job.finished'>>());
  const historyRunEnded = (run: HistoryRun, finished: EventPayload<'job.finished'>) => {
    if (finished.status !== 'succeeded') {
      setHistoryRun({ ...run, error: finished.error ?? `The fetch ended ${finished.status}.` });
      return;
    }
    setHistoryRun(null);
    catalogue.reloadCoverage();
    // A chart finer than what was fetched cannot show it; the fetched timeframe can.
    if (run.symbol === symbol && !chartableTimeframes([run.fetch.timeframe]).includes(timeframe)) onSelect({ timeframe: run.fetch.timeframe });
    else chart.reload();
  };
  useApiEvent('job.finished', (finished) => {
    if (finished.kind !== 'backfill') return;
    if (historyRun && historyRun.runId === finished.runId) {
      historyRunEnded(historyRun, finished);
      return;
    }
    endedRuns.current.set(finished.runId, finished);
    if (endedRuns.current.size > 20) endedRuns.current.delete(endedRuns.current.keys().next().value!);
  });
  // Bars stored while the event stream was down arrive by reading from the last bar shown.
  useApiResume(() => chart.refreshTail(Date.now(), Date.now()));

  const onAddIndicator = (spec: IndicatorSpec) => onChange((state) => ({ ...state, indicators: [...addIndicator(state.indicators, spec)] }));
  const onRemoveIndicator = (id: string) => onChange((state) => ({ ...state, indicators: [...removeIndicator(state.indicators, id)] }));

  const fetchHistory = (fetch: HistoryFetch) => {
    const target = symbol;
    if (!target) return;
    const started: HistoryRun = { symbol: target, runId: null, fetch, done: 0, total: null, unit: 'bars', error: null };
    setHistoryRun(started);
    call('backfill.start', { provider: fetch.provider, symbol: target, timeframe: fetch.timeframe, from: fetch.from }).then(
      ({ runId }) => {
        const ended = endedRuns.current.get(runId);
        if (ended) historyRunEnded({ ...started, runId }, ended);
        else setHistoryRun((run) => (run === started ? { ...run, runId } : run));
      },
      (failure: unknown) => setHistoryRun((run) => (run && run.symbol === target ? { ...run, error: describeError(failure) } : run)),
    );
  };
  const history = instrument && providers && settings ? historyFetchFor(instrument, providers, settings.providers, Date.now()) : null;

  const data = chart.window;
  const current = data?.key === `${symbol}|${timeframe}` ? data : null;
  const shownBars = current?.bars ?? [];
  const firstBar = shownBars[0];
  const lastBar = shownBars.at(-1);
  const available = chartableTimeframes(row?.storedTimeframes ?? []);
  const failedIndicators = new Map(
    (chart.indicatorError?.ids ?? []).map((id) => [id, `Not drawn: ${describeError(chart.indicatorError?.error)}`] as const),
  );
  const failedLabels = activeIndicators.filter((a) => failedIndicators.has(indicatorId(a.spec))).map((a) => indicatorLabel(a.spec));

  const visibleBars = () => (current ? barIndicesInRange(chartRef.current?.visibleLogicalRange() ?? null, current.bars.length) : null);
  const exportCsv = () => {
    const visible = visibleBars();
    const last = visible && current?.bars[visible.last];
    if (!current || !visible || !last) return;
    void chartCsv(current, visible.first, visible.last, isIntraday(current.timeframe) ? zone : UTC_ZONE).then((csv) =>
      downloadBlob(new Blob([csv], { type: 'text/csv;charset=utf-8' }), exportFileName(current.symbol, current.timeframe, last.time, 'csv')),
    );
  };
  const exportPng = () => {
    const shot = chartRef.current?.screenshot();
    const visible = visibleBars();
    const first = visible && current?.bars[visible.first];
    const last = visible && current?.bars[visible.last];
    if (!shot || !current || !first || !last) return;
    const detail = [
      instrument?.name ?? current.symbol,
      `${formatZonedBarTime(first.time, current.timeframe, zone)} → ${formatZonedBarTime(last.time, current.timeframe, zone)} ${isIntraday(current.timeframe) ? zone.label : 'UTC'}`,
      ...activeIndicators.map((a) => indicatorLabel(a.spec)),
      row?.synthetic ? 'SYNTHETIC DEMO DATA' : 'Metalytics',
    ].join('  ·  ');
    const image = captionedChartImage(shot, { title: `${current.symbol} · ${current.timeframe}`, detail, ...captionColors() }, window.devicePixelRatio || 1);
    image.toBlob((blob) => {
      if (blob) downloadBlob(blob, exportFileName(current.symbol, current.timeframe, last.time, 'png'));
    }, 'image/png');
  };

  const header = (
    <>
      <header className="chart-header">
        <div className="chart-header__title">
          <h1 data-testid="chart-title">
            {instrument?.name ?? symbol}
            {row?.synthetic && <SyntheticBadge />}
          </h1>
          <p className="chart-header__meta" data-testid="chart-meta">
            <span className="chart-header__symbol">{symbol}</span>
            {instrument?.unit && <span>{instrument.unit}</span>}
            {current?.sourceTimeframe && <span data-testid="chart-source">{sourceLine(current.spans, current.sourceTimeframe, timeframe)}</span>}
            {firstBar && lastBar && (
              <span data-testid="chart-range" data-history={current?.historyComplete ? 'complete' : 'partial'}>
                {formatCount(shownBars.length)} bars, {formatZonedBarTime(firstBar.time, timeframe, zone)} → {formatZonedBarTime(lastBar.time, timeframe, zone)}
                {isIntraday(timeframe) && ` ${zone.label}`}
                {current && historyNote({ ...current, coverage: catalogue.coverage ?? [] })}
              </span>
            )}
            {current === null && data && data.bars.length > 0 && (
              // The last window's line, invisible while the next one loads: the header keeps its
              // height, so the chart below is not resized (every canvas redrawn) twice a switch.
              <span className="chart-header__reserved" aria-hidden="true">
                {data.sourceTimeframe && sourceLine(data.spans, data.sourceTimeframe, data.timeframe)} {formatCount(data.bars.length)} bars,{' '}
                {formatZonedBarTime(data.bars[0]!.time, data.timeframe, zone)} → {formatZonedBarTime(data.bars.at(-1)!.time, data.timeframe, zone)} {zone.label}
              </span>
            )}
          </p>
        </div>
        <div className="chart-header__tools">
          <TimeframeBar value={timeframe} available={available} onChange={(tf) => onSelect({ timeframe: tf })} />
          <button type="button" className="button" onClick={onImport} data-testid="open-import">
            Import CSV…
          </button>
        </div>
      </header>
      <div className="chart-toolbar" role="group" aria-label="Chart tools">
        <IndicatorMenu
          active={activeIndicators}
          failed={failedIndicators}
          canAdd={activeIndicators.length < MAX_INDICATORS_PER_QUERY}
          onAdd={onAddIndicator}
          onRemove={onRemoveIndicator}
        />
        <DrawingTools drawings={drawings} />
        <div className="chart-toolbar__end">
          {layoutSwitch}
          <span className="chart-toolbar__divider" aria-hidden="true" />
          <ChartTypeSelect
            value={settings?.chart.type ?? 'candles'}
            disabled={!settings}
            onChange={(type) => {
              // The whole chart setting goes along: a patch fills in a missing timeframe with the default.
              if (!settings) return;
              updateSettings({ chart: { ...settings.chart, type } }).catch((failure: unknown) =>
                onSaveError(`The chart type was not changed. ${describeError(failure)}`),
              );
            }}
          />
          <button
            type="button"
            className="button button--tool"
            aria-pressed={view.logScale}
            title="Logarithmic price scale: equal distances are equal percentage moves"
            data-testid="log-scale"
            onClick={() => onChange((state) => ({ ...state, logScale: !state.logScale }))}
          >
            Log
          </button>
          <button
            type="button"
            className="button button--tool"
            aria-pressed={view.forecast && forecast.model !== null}
            disabled={forecast.model === null}
            title={
              forecast.model
                ? `Draw the forecasts of ${forecast.model.modelName} v${forecast.model.version}, the active model of ${symbol} ${timeframe}, with their intervals`
                : `No active model for ${symbol} ${timeframe}; activate one on the Models screen`
            }
            data-testid="forecast-toggle"
            onClick={() => onChange((state) => ({ ...state, forecast: !state.forecast }))}
          >
            Forecast
          </button>
          <button
            type="button"
            className="button button--tool"
            aria-pressed={placingAlert}
            disabled={!lastBar}
            title="Click the chart at a price to be alerted when the close crosses it (Alt+click does it at any time); drag a line to move it"
            data-testid="alert-at-price"
            onClick={() => setPlacingAlert((placing) => !placing)}
          >
            Alert
          </button>
          <select
            className="chart-toolbar__select"
            aria-label="Time zone"
            title="The zone intraday times are shown in; daily and longer bars are UTC days"
            value={settings?.timeZone ?? 'utc'}
            disabled={!settings}
            data-testid="time-zone"
            onChange={(event) =>
              updateSettings({ timeZone: event.target.value as TimeZoneChoice }).catch((failure: unknown) =>
                onSaveError(`The time zone was not changed. ${describeError(failure)}`),
              )
            }
          >
            <option value="utc">UTC</option>
            <option value="local">Local ({localZone})</option>
            <option value="exchange">
              {instrument?.exchangeTimeZone ? `Exchange (${displayZone('exchange', instrument.exchangeTimeZone, localZone).label})` : 'Exchange (none: UTC)'}
            </option>
          </select>
          <span className="chart-toolbar__divider" aria-hidden="true" />
          <button type="button" className="button button--tool" disabled={!lastBar} onClick={exportPng} data-testid="export-png" title="Save the chart as a PNG image">
            Export PNG
          </button>
          <button
            type="button"
            className="button button--tool"
            disabled={!lastBar}
            onClick={exportCsv}
            data-testid="export-csv"
            title={`Save the bars and indicator values in view as CSV (times in ${isIntraday(timeframe) ? zone.label : 'UTC'})`}
          >
            Export CSV
          </button>
        </div>
      </div>
    </>
  );

  return (
    <>
      {active && slots.header && createPortal(header, slots.header)}
      <div
        className="chart-cell"
        data-testid="chart-cell"
        data-index={index}
        data-active={active}
        data-symbol={symbol}
        data-timeframe={timeframe}
        // Capture: the chart's canvas takes the pointer for itself, and a click anywhere on it picks the chart.
        onPointerDownCapture={onActivate}
      >
        {layoutSize > 1 && (
          <div className="chart-cell__caption" data-testid="chart-cell-caption">
            <span className="chart-cell__symbol">{symbol}</span> {timeframe}
            {row?.synthetic && <SyntheticBadge />}
          </div>
        )}
        <PriceChart
          ref={chartRef}
          data={data}
          onWindow={chart.onWindow}
          chartType={settings?.chart.type}
          timeframe={timeframe}
          zone={zone}
          theme={theme}
          logScale={view.logScale}
          indicatorSlots={indicatorSlots}
          viewStart={viewStart}
          onNearStart={chart.loadOlder}
          forecast={forecast.marks}
          alertLines={priceAlerts.lines}
          alertEvents={{
            ...priceAlerts.events,
            onPlace: (price) => {
              setPlacingAlert(false);
              priceAlerts.events.onPlace(price);
            },
          }}
          placingAlert={placingAlert}
          sync={sync}
          drawings={{ list: drawings.drawings, tool: drawings.tool, selectedId: drawings.selectedId, events: drawings.events }}
        >
          {drawings.note && <DrawingNoteEditor key={drawings.note.id ?? 'new'} note={drawings.note} onSave={drawings.saveNote} onCancel={drawings.cancelNote} />}
          <div className="chart-notices">
            {drawings.error && (
              <div className="chart-notice chart-notice--problem" role="alert" data-testid="drawing-error">
                {drawings.error}
              </div>
            )}
            {chart.capReached && current && (
              <HistoryCapNotice held={current} available={available} onTimeframe={(tf, start) => onSelect({ timeframe: tf }, start)} onDismiss={chart.dismissCap} />
            )}
            {historyRun && historyRun.symbol === symbol && <HistoryRunNotice run={historyRun} onDismiss={() => setHistoryRun(null)} />}
            {chart.olderError !== null && <ProblemNotice text="Older bars could not be loaded." failure={chart.olderError} onRetry={chart.retryOlder} />}
            {chart.tailError !== null && <ProblemNotice text="The latest bars could not be read." failure={chart.tailError} onRetry={chart.reload} />}
            {failedLabels.length > 0 && (
              <div className="chart-notice chart-notice--problem" role="alert" data-testid="indicator-error">
                <span>
                  {failedLabels.join(', ')} could not be computed. {describeError(chart.indicatorError?.error)}
                </span>
              </div>
            )}
          </div>
          {chart.error !== null && !chart.loading && (
            <div className="chart-overlay" role="alert">
              <p>{describeError(chart.error)}</p>
              <button type="button" className="button" onClick={chart.reload}>
                Try again
              </button>
            </div>
          )}
          {chart.error === null && !chart.loading && current && shownBars.length === 0 && symbol && (
            <ChartNotice
              row={row}
              symbol={symbol}
              timeframe={timeframe}
              onTimeframe={(tf) => onSelect({ timeframe: tf })}
              onImport={onImport}
              history={history}
              fetching={historyRun !== null && historyRun.symbol === symbol && historyRun.error === null}
              onFetchHistory={fetchHistory}
            />
          )}
          {(chart.loading || chart.olderLoading) && (
            <div className="chart-loading" data-testid="chart-loading">
              {chart.loading ? 'Loading…' : 'Loading older bars…'}
            </div>
          )}
        </PriceChart>
      </div>
      {active && symbol && slots.footer && createPortal(<PriceAlertsPanel symbol={symbol} priceAlerts={priceAlerts} lastClose={lastBar?.close} />, slots.footer)}
    </>
  );
}
