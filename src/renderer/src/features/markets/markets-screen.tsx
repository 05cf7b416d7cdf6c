import { lazy, Suspense, useCallback, useEffect, useEffectEvent, useMemo, useRef, useState } from 'react';
import type { ChartLayout, ChartPanelView } from '../../../../shared/chart-layout';
import type { Timeframe } from '../../../../shared/timeframes';
import { BROWSER_WINDOW_ID } from '../../../../shared/window-id';
import { describeError } from '../../api/api-error';
import { call } from '../../api/client';
import { useApiQuery } from '../../api/hooks';
import { useInstrumentCatalogue } from '../../api/use-instrument-catalogue';
import { ChartSync } from '../../charts/chart-sync';
import { useSettings } from '../../ui/settings-context';
import type { ResolvedTheme } from '../../ui/theme';
import type { ImportSummary } from '../import/import-dialog';
import { LoadError } from '../../ui/load-error';
import { Toast } from '../../ui/toast';
import { activatePanel, nextChartCount, replacePanel, savedLayout, shownPanels, withChartCount } from './chart-layout';
import { ChartPanel, type ChartChromeSlots } from './chart-panel';
import { InstrumentPicker } from './instrument-picker';
import { buildInstrumentRows, chartableTimeframes, defaultSymbol } from './instrument-rows';
import { LayoutSwitch } from './layout-switch';
import { isEditableTarget, marketsShortcut } from './shortcuts';
import './chart-toolbar.css';

// Dialogs load when first opened: the chart paints without their code.
const ImportDialog = lazy(() => import('../import/import-dialog').then((module) => ({ default: module.ImportDialog })));
const InstrumentDialog = lazy(() => import('./instrument-dialogs').then((module) => ({ default: module.InstrumentDialog })));
const DeleteInstrumentDialog = lazy(() => import('./instrument-dialogs').then((module) => ({ default: module.DeleteInstrumentDialog })));

const DEMO_SYMBOL = 'DEMO.XAUUSD';

function EmptyDatabase({ onImport, onDemoLoaded, onRestore }: { onImport(): void; onDemoLoaded(symbol: string): void; onRestore(): void }) {
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
        look around with generated demo prices. Moving from another computer? Restore its backup.
      </p>
      <div className="welcome__actions">
        <button type="button" className="button button--primary" onClick={onImport} data-testid="empty-import">
          Import a CSV file…
        </button>
        <button type="button" className="button" onClick={loadDemo} disabled={loading} data-testid="load-demo">
          {loading ? 'Generating demo prices…' : 'Load demo data (synthetic)'}
        </button>
        <button type="button" className="button" onClick={onRestore} data-testid="empty-restore">
          Restore from a backup…
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

interface MarketsScreenProps {
  theme: ResolvedTheme;
  /** Set when the desktop menu asked for the import dialog. */
  importRequested: boolean;
  onImportRequestHandled(): void;
  /** The empty install's "Restore from a backup": the new-machine case, handled on the Backups screen. */
  onRestoreRequested(): void;
}

export function MarketsScreen({ theme, importRequested, onImportRequestHandled, onRestoreRequested }: MarketsScreenProps) {
  const { settings, updateSettings } = useSettings();
  const catalogue = useInstrumentCatalogue();
  const windowId = window.metalyticsDesktop?.windowId ?? BROWSER_WINDOW_ID;
  /** This window's layout once changed here; until then it follows the saved one. */
  const [edited, setEdited] = useState<ChartLayout | null>(null);
  /** Per panel, where the next series' view starts; set when the history cap sends the user to a coarser timeframe. */
  const [viewStarts, setViewStarts] = useState<Readonly<Record<number, number | null>>>({});
  const [importOpen, setImportOpen] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [timeframeNotice, setTimeframeNotice] = useState<string | null>(null);
  const dismissTimeframeNotice = useCallback(() => setTimeframeNotice(null), []);
  const [instrumentDialog, setInstrumentDialog] = useState<{ mode: 'add' } | { mode: 'edit' | 'delete'; symbol: string } | null>(null);
  const providers = useApiQuery('providers.list', {});
  const searchRef = useRef<HTMLInputElement>(null);
  const [sync] = useState(() => new ChartSync());
  const [slots, setSlots] = useState<ChartChromeSlots>({ header: null, footer: null });
  const headerSlot = useCallback((header: HTMLElement | null) => setSlots((current) => ({ ...current, header })), []);
  const footerSlot = useCallback((footer: HTMLElement | null) => setSlots((current) => ({ ...current, footer })), []);

  const rows = useMemo(
    () => buildInstrumentRows(catalogue.instruments ?? [], catalogue.coverage ?? []),
    [catalogue.instruments, catalogue.coverage],
  );
  const watchlist = settings?.watchlist ?? [];
  const layout = edited ?? savedLayout(settings?.chartLayouts, windowId);
  const panels = shownPanels(layout);
  /** A panel's symbol and timeframe: its own, else the `chart` setting (the last chosen in any window), else the first with data. */
  const resolve = (panel: ChartPanelView) => ({
    symbol: panel.symbol ?? settings?.chart.symbol ?? defaultSymbol(rows, watchlist),
    timeframe: panel.timeframe ?? settings?.chart.timeframe ?? '1d',
  });
  const active = resolve(panels[layout.active] ?? panels[0]!);

  const changeLayout = (change: (layout: ChartLayout) => ChartLayout) => setEdited((current) => change(current ?? layout));
  const saveLayout = useEffectEvent((saved: ChartLayout) => {
    // The `chart` setting is the default a new window starts from: the chart looked at last.
    const chart = active.symbol ? { symbol: active.symbol, timeframe: active.timeframe } : undefined;
    updateSettings({ chart, chartLayouts: { [windowId]: saved } }).then(
      () => setSaveError(null),
      (failure: unknown) => setSaveError(`This chart choice was not remembered. ${describeError(failure)}`),
    );
  });
  useEffect(() => {
    if (edited) saveLayout(edited);
  }, [edited]);

  const select = (index: number, next: { symbol?: string; timeframe?: Timeframe }, startAt: number | null = null) => {
    const shown = resolve(panels[index] ?? panels[0]!);
    const target = { symbol: next.symbol ?? shown.symbol, timeframe: next.timeframe ?? shown.timeframe };
    // Another instrument may not be stored fine enough for the timeframe carried over: show its finest instead of a notice.
    const stored = next.symbol !== undefined && next.timeframe === undefined ? rows.find((r) => r.symbol === next.symbol)?.storedTimeframes : undefined;
    const usable = stored === undefined ? [] : chartableTimeframes(stored);
    if (usable.length > 0 && !usable.includes(target.timeframe)) {
      setTimeframeNotice(`${target.symbol} is stored as ${stored!.join(', ')} bars only, so it opens on ${usable[0]} instead of ${target.timeframe}.`);
      target.timeframe = usable[0]!;
    }
    setViewStarts((starts) => ({ ...starts, [index]: startAt }));
    changeLayout((current) => replacePanel(current, index, (panel) => ({ ...panel, ...target })));
  };
  const selectActive = (next: { symbol?: string; timeframe?: Timeframe }) => select(layout.active, next);
  const setChartCount = (charts: ChartLayout['charts']) => changeLayout((current) => withChartCount(current, charts, active));

  const onKeyDown = useEffectEvent((event: KeyboardEvent) => {
    // Dialogs are modal: keys typed there belong to them.
    if (importOpen || instrumentDialog !== null) return;
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
    else if (shortcut.kind === 'layout') setChartCount(nextChartCount(layout.charts));
    else selectActive({ timeframe: shortcut.timeframe });
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
    catalogue.reloadCoverage();
    selectActive({ symbol: summary.symbol, timeframe: summary.timeframe });
  };

  const dialogInstrument = instrumentDialog && 'symbol' in instrumentDialog ? catalogue.instruments?.find((i) => i.symbol === instrumentDialog.symbol) : undefined;
  const closeInstrumentDialog = () => setInstrumentDialog(null);
  const instrumentDialogs = instrumentDialog && (
    <Suspense fallback={null}>
      {(instrumentDialog.mode === 'add' || (instrumentDialog.mode === 'edit' && dialogInstrument)) && (
        <InstrumentDialog
          instrument={instrumentDialog.mode === 'edit' ? dialogInstrument : undefined}
          providers={providers.data?.providers ?? []}
          onClose={closeInstrumentDialog}
          onSaved={(saved) => {
            closeInstrumentDialog();
            selectActive({ symbol: saved });
          }}
        />
      )}
      {instrumentDialog.mode === 'delete' && dialogInstrument && (
        <DeleteInstrumentDialog
          instrument={dialogInstrument}
          onClose={closeInstrumentDialog}
          onDeleted={(deleted) => {
            closeInstrumentDialog();
            const next = rows.find((r) => r.symbol !== deleted && r.barCount > 0) ?? rows.find((r) => r.symbol !== deleted);
            if (!next) return;
            panels.forEach((panel, index) => {
              if (resolve(panel).symbol === deleted) select(index, { symbol: next.symbol });
            });
          }}
        />
      )}
    </Suspense>
  );

  const importDialog = importOpen && (
    <Suspense fallback={null}>
      <ImportDialog
        instruments={catalogue.instruments ?? []}
        initialSymbol={active.symbol}
        onClose={() => setImportOpen(false)}
        onImported={onImported}
      />
    </Suspense>
  );

  if (catalogue.loadError) return <LoadError error={catalogue.loadError} onRetry={catalogue.retry} />;
  if (!catalogue.coverage || !catalogue.instruments) {
    return <section className="screen screen--centred muted">Loading instruments…</section>;
  }
  // The dialog keeps one place in the tree for both layouts, so the first import's summary
  // survives the switch from the empty state to the chart.
  if (catalogue.coverage.length === 0) {
    return (
      <>
        <section className="screen screen--centred">
          <EmptyDatabase
            onImport={() => setImportOpen(true)}
            onRestore={onRestoreRequested}
            onDemoLoaded={(demoSymbol) => {
              catalogue.reloadCoverage();
              selectActive({ symbol: demoSymbol });
            }}
          />
        </section>
        {importDialog}
      </>
    );
  }

  return (
    <>
      <section className="markets">
        <InstrumentPicker
          rows={rows}
          watchlist={watchlist}
          selected={active.symbol}
          onSelect={(s) => selectActive({ symbol: s })}
          searchRef={searchRef}
          onAdd={() => setInstrumentDialog({ mode: 'add' })}
          onEdit={(s) => setInstrumentDialog({ mode: 'edit', symbol: s })}
          onDelete={(s) => setInstrumentDialog({ mode: 'delete', symbol: s })}
        />
        <div className="markets__main">
          <div ref={headerSlot} className="markets__chrome" />
          {saveError && <p className="notice">{saveError}</p>}
          {timeframeNotice && <Toast message={timeframeNotice} testId="timeframe-toast" onDone={dismissTimeframeNotice} />}
          <div className={`chart-grid chart-grid--${layout.charts}`} data-testid="chart-grid" data-charts={layout.charts}>
            {panels.map((panel, index) => {
              const { symbol, timeframe } = resolve(panel);
              return (
                <ChartPanel
                  key={index}
                  index={index}
                  symbol={symbol}
                  timeframe={timeframe}
                  view={panel}
                  active={index === layout.active}
                  layoutSize={layout.charts}
                  theme={theme}
                  rows={rows}
                  catalogue={catalogue}
                  providers={providers.data?.providers}
                  viewStart={viewStarts[index] ?? null}
                  sync={sync}
                  slots={slots}
                  layoutSwitch={<LayoutSwitch charts={layout.charts} onChange={setChartCount} />}
                  onSelect={(next, startAt) => select(index, next, startAt)}
                  onChange={(change) => changeLayout((current) => replacePanel(current, index, change))}
                  onActivate={() => index !== layout.active && changeLayout((current) => activatePanel(current, index))}
                  onImport={() => setImportOpen(true)}
                  onSaveError={setSaveError}
                />
              );
            })}
          </div>
          <div ref={footerSlot} className="markets__chrome" />
        </div>
      </section>
      {importDialog}
      {instrumentDialogs}
    </>
  );
}
