import { useEffect, useEffectEvent, useMemo, useRef, useState } from 'react';
import type { Timeframe } from '../../../../shared/timeframes';
import { describeError } from '../../api/api-error';
import { call } from '../../api/client';
import { useApiEvent, useApiQuery } from '../../api/hooks';
import { useSettings } from '../../app/settings-context';
import type { ResolvedTheme } from '../../app/theme';
import { PriceChart } from '../../charts/price-chart';
import { formatCount } from '../../format/numbers';
import { formatBarTime } from '../../format/time';
import { ImportDialog, type ImportSummary } from '../import/import-dialog';
import { InstrumentPicker, SyntheticBadge } from './instrument-picker';
import { buildInstrumentRows, chartableTimeframes, defaultSymbol, type InstrumentRow } from './instrument-rows';
import { isEditableTarget, marketsShortcut } from './shortcuts';
import { TimeframeBar } from './timeframe-bar';

const BAR_LIMIT = 2000;
const DEMO_SYMBOL = 'DEMO.XAUUSD';

function EmptyDatabase({ onImport, onDemoLoaded }: { onImport(): void; onDemoLoaded(symbol: string): void }) {
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const loadDemo = async () => {
    setLoading(true);
    setError(null);
    try {
      const result = await call('demo.load');
      onDemoLoaded(result.symbols.includes(DEMO_SYMBOL) ? DEMO_SYMBOL : (result.symbols[0] ?? DEMO_SYMBOL));
    } catch (failure) {
      setError(describeError(failure));
      setLoading(false);
    }
  };
  return (
    <div className="welcome" data-testid="empty-state">
      <h1>No market data yet</h1>
      <p>
        Metalytics keeps prices in a database on this computer, so charts keep working offline. Start with a file of your own, or
        look around with generated demo prices.
      </p>
      <div className="welcome__actions">
        <button type="button" className="button button--primary" onClick={onImport} data-testid="empty-import">
          Import a CSV file…
        </button>
        <button type="button" className="button" onClick={loadDemo} disabled={loading} data-testid="load-demo">
          {loading ? 'Generating demo prices…' : 'Load demo data (synthetic)'}
        </button>
      </div>
      <p className="muted welcome__note">
        Demo data is made up: two instruments, DEMO.XAUUSD and DEMO.BTCUSD, with about two years of hourly bars. They are marked
        “Synthetic” everywhere and are never mixed with real prices.
      </p>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

interface ChartNoticeProps {
  row: InstrumentRow | undefined;
  symbol: string;
  timeframe: Timeframe;
  onTimeframe(timeframe: Timeframe): void;
  onImport(): void;
}

/** Why the chart is empty, in plain words, with the action that fixes it. */
function ChartNotice({ row, symbol, timeframe, onTimeframe, onImport }: ChartNoticeProps) {
  const stored = row?.storedTimeframes ?? [];
  if (stored.length === 0) {
    return (
      <div className="chart-overlay" data-testid="chart-notice">
        <p>No prices are stored for {symbol} yet.</p>
        <button type="button" className="button" onClick={onImport}>
          Import a CSV file…
        </button>
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

interface MarketsScreenProps {
  theme: ResolvedTheme;
  /** Set when the desktop menu asked for the import dialog. */
  importRequested: boolean;
  onImportRequestHandled(): void;
}

export function MarketsScreen({ theme, importRequested, onImportRequestHandled }: MarketsScreenProps) {
  const { settings, updateSettings } = useSettings();
  const instruments = useApiQuery('instruments.list', {});
  const coverage = useApiQuery('bars.coverage', {});
  const [chosen, setChosen] = useState<{ symbol?: string; timeframe?: Timeframe }>({});
  const [importOpen, setImportOpen] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);

  const rows = useMemo(
    () => buildInstrumentRows(instruments.data?.instruments ?? [], coverage.data?.coverage ?? []),
    [instruments.data, coverage.data],
  );
  const watchlist = settings?.watchlist ?? [];
  const symbol = chosen.symbol ?? settings?.chart.symbol ?? defaultSymbol(rows, watchlist);
  const timeframe = chosen.timeframe ?? settings?.chart.timeframe ?? '1d';
  const row = rows.find((r) => r.symbol === symbol);
  const instrument = instruments.data?.instruments.find((i) => i.symbol === symbol);

  const bars = useApiQuery('bars.query', symbol && settings ? { symbol, timeframe, limit: BAR_LIMIT } : null);

  useApiEvent('bars.changed', (change) => {
    coverage.reload();
    if (change.symbol === symbol) bars.reload();
  });

  const select = (next: { symbol?: string; timeframe?: Timeframe }) => {
    const target = { symbol: next.symbol ?? symbol, timeframe: next.timeframe ?? timeframe };
    setChosen(target);
    updateSettings({ chart: target }).then(
      () => setSaveError(null),
      (failure: unknown) => setSaveError(`This chart choice was not remembered. ${describeError(failure)}`),
    );
  };

  const onKeyDown = useEffectEvent((event: KeyboardEvent) => {
    // The import dialog is modal: keys typed there belong to it.
    if (importOpen) return;
    const shortcut = marketsShortcut({
      key: event.key,
      ctrlKey: event.ctrlKey,
      metaKey: event.metaKey,
      altKey: event.altKey,
      inEditableField: isEditableTarget(event.target),
    });
    if (!shortcut) return;
    event.preventDefault();
    if (shortcut.kind === 'search') searchRef.current?.focus();
    else select({ timeframe: shortcut.timeframe });
  });
  useEffect(() => {
    const listener = (event: KeyboardEvent) => onKeyDown(event);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);

  useEffect(() => {
    if (!importRequested) return;
    setImportOpen(true);
    onImportRequestHandled();
  }, [importRequested, onImportRequestHandled]);

  const onImported = (summary: ImportSummary) => {
    coverage.reload();
    select({ symbol: summary.symbol, timeframe: summary.timeframe });
  };

  const importDialog = importOpen && (
    <ImportDialog
      instruments={instruments.data?.instruments ?? []}
      initialSymbol={symbol}
      onClose={() => setImportOpen(false)}
      onImported={onImported}
    />
  );

  const loadError = instruments.error ?? coverage.error;
  if (loadError && (!instruments.data || !coverage.data)) {
    return (
      <section className="screen screen--centred">
        <p className="error-text" role="alert">
          {describeError(loadError)}
        </p>
        <button
          type="button"
          className="button"
          onClick={() => {
            instruments.reload();
            coverage.reload();
          }}
        >
          Try again
        </button>
      </section>
    );
  }
  if (!coverage.data || !instruments.data) {
    return <section className="screen screen--centred muted">Loading instruments…</section>;
  }
  // The dialog keeps one place in the tree for both layouts, so the first import's summary
  // survives the switch from the empty state to the chart.
  if (coverage.data.coverage.length === 0) {
    return (
      <>
        <section className="screen screen--centred">
          <EmptyDatabase
            onImport={() => setImportOpen(true)}
            onDemoLoaded={(demoSymbol) => {
              coverage.reload();
              select({ symbol: demoSymbol });
            }}
          />
        </section>
        {importDialog}
      </>
    );
  }

  const data = bars.data;
  const shownBars = data?.bars ?? [];
  const firstBar = shownBars[0];
  const lastBar = shownBars[shownBars.length - 1];
  const available = chartableTimeframes(row?.storedTimeframes ?? []);

  return (
    <>
      <section className="markets">
        <InstrumentPicker rows={rows} watchlist={watchlist} selected={symbol} onSelect={(s) => select({ symbol: s })} searchRef={searchRef} />
        <div className="markets__main">
          <header className="chart-header">
            <div className="chart-header__title">
              <h1 data-testid="chart-title">
                {instrument?.name ?? symbol}
                {row?.synthetic && <SyntheticBadge />}
              </h1>
              <p className="chart-header__meta" data-testid="chart-meta">
                <span className="chart-header__symbol">{symbol}</span>
                {instrument?.unit && <span>{instrument.unit}</span>}
                {data?.sourceTimeframe && (
                  <span data-testid="chart-source">
                    {data.sourceTimeframe === timeframe ? `stored as ${timeframe}` : `aggregated from ${data.sourceTimeframe}`}
                  </span>
                )}
                {firstBar && lastBar && (
                  <span>
                    {formatCount(shownBars.length)} bars, {formatBarTime(firstBar.time, timeframe)} → {formatBarTime(lastBar.time, timeframe)}
                    {shownBars.length >= BAR_LIMIT ? ' (most recent)' : ''}
                  </span>
                )}
              </p>
            </div>
            <div className="chart-header__tools">
              <TimeframeBar value={timeframe} available={available} onChange={(tf) => select({ timeframe: tf })} />
              <button type="button" className="button" onClick={() => setImportOpen(true)} data-testid="open-import">
                Import CSV…
              </button>
            </div>
          </header>
          {saveError && <p className="notice">{saveError}</p>}
          <PriceChart bars={shownBars} timeframe={timeframe} viewKey={bars.dataKey ?? ''} theme={theme}>
            {bars.error !== null && !bars.loading && (
              <div className="chart-overlay" role="alert">
                <p>{describeError(bars.error)}</p>
                <button type="button" className="button" onClick={bars.reload}>
                  Try again
                </button>
              </div>
            )}
            {bars.error === null && !bars.loading && data && shownBars.length === 0 && symbol && (
              <ChartNotice
                row={row}
                symbol={symbol}
                timeframe={timeframe}
                onTimeframe={(tf) => select({ timeframe: tf })}
                onImport={() => setImportOpen(true)}
              />
            )}
            {bars.loading && <div className="chart-loading">Loading…</div>}
          </PriceChart>
        </div>
      </section>
      {importDialog}
    </>
  );
}
