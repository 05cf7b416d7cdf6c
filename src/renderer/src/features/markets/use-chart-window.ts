import { startTransition, useCallback, useEffect, useRef, useState } from 'react';
import type { Bar, Instrument } from '../../../../shared/domain';
import type { IndicatorResult, IndicatorSpec } from '../../../../shared/indicators';
import { bucketStart, type Timeframe } from '../../../../shared/timeframes';
import { ApiError } from '../../api/api-error';
import { call } from '../../api/client';
import { keepIndicators, mergePushedBars, mergeTail, prependWindow, withIndicators, type BarWindow, type IndicatorSeriesData, type IndicatorValues } from '../../charts/bar-window';
import { HISTORY_PAGE_BARS, MAX_BARS_HELD, olderPageLimit } from '../../charts/history-cap';
import type { ChartWindow } from '../../charts/price-chart';
import { indicatorId } from '../../charts/indicator-catalog';

export interface LoadedWindow extends ChartWindow {
  symbol: string;
  timeframe: Timeframe;
  /** The stored timeframe the newest bar was aggregated from; null when none can produce this one. */
  sourceTimeframe: Timeframe | null;
  /** The server had nothing older than the first bar. */
  historyComplete: boolean;
}

export interface ChartWindowStatus {
  /** The first page of the current symbol and timeframe is on its way. */
  loading: boolean;
  error: unknown;
  olderLoading: boolean;
  /** Scrolling back failed; it is not retried until asked, so a dead server is not hammered. */
  olderError: unknown;
  /** The view reached the oldest bar while MAX_BARS_HELD bars are held. */
  capReached: boolean;
  /** Re-reading changed bars failed; the chart shows what it had. */
  tailError: unknown;
  /** Indicators the core could not compute, with the reason. */
  indicatorError: { ids: readonly string[]; error: unknown } | null;
}

const idleStatus: ChartWindowStatus = {
  loading: false,
  error: null,
  olderLoading: false,
  olderError: null,
  capReached: false,
  tailError: null,
  indicatorError: null,
};

/** One symbol and timeframe being shown; replies for an older session are dropped. */
interface Session {
  key: string;
  symbol: string;
  timeframe: Timeframe;
  /**
   * Requests of a session run one after another, so each starts from the window the previous
   * one left (a prepend never races a tail or a new indicator for the same bars).
   */
  chain: Promise<void>;
  /** Tasks on the chain not yet settled; with none, the next one starts at once (see enqueue). */
  queued: number;
  olderInFlight: boolean;
  /** Indicators requested or refused, so re-renders do not ask again. */
  pending: Set<string>;
  failed: Set<string>;
  /** The stretch of live bars merged here that the core is to be asked about once they pause. */
  recheck: { from: number; to: number; timer: ReturnType<typeof setTimeout> } | null;
}

/** How long live bars must pause before the bars merged in the page are read again from the core. */
const RECHECK_DELAY_MS = 250;

type Range = { from?: number; to?: number; limit?: number };
type FetchedWindow = BarWindow & { sourceTimeframe: Timeframe | null };

function toSeriesData(result: IndicatorResult): IndicatorSeriesData {
  const { outputs, ...spec } = result;
  return { id: indicatorId(spec), spec, outputs: outputs as Readonly<Record<string, IndicatorValues>> };
}

/** Bars alone, or bars with indicators in one `indicators.query` call so both come aligned. */
async function fetchWindow(session: Session, range: Range, specs: readonly IndicatorSpec[]): Promise<FetchedWindow> {
  const query = { symbol: session.symbol, timeframe: session.timeframe, ...range };
  if (specs.length === 0) {
    const { bars, sourceTimeframe, spans } = await call('bars.query', query);
    return { bars, sourceTimeframe, spans, indicators: [] };
  }
  const { bars, sourceTimeframe, spans, indicators } = await call('indicators.query', { ...query, indicators: [...specs] });
  return { bars, sourceTimeframe, spans, indicators: indicators.map(toSeriesData) };
}

/** A refused indicator is the user's to fix; anything else (server down) is the chart's problem. */
const isIndicatorRefusal = (failure: unknown) => failure instanceof ApiError && failure.code === 'VALIDATION';

/**
 * The bars and indicators of the Markets chart: the latest page when the symbol or timeframe
 * changes, older pages as the user scrolls back (up to MAX_BARS_HELD), indicators added over
 * the bars already held, and the tail re-read when stored bars change. The window keeps
 * unchanged bars as the same objects, so the chart can tell a prepend from a tail update.
 * `instrumentKind` lets live bars and their indicator values be merged in the page (volatility
 * is annualised by it); until it is known, live bars are read from the core.
 */
export function useChartWindow(symbol: string | undefined, timeframe: Timeframe, specs: readonly IndicatorSpec[], instrumentKind: Instrument['kind'] | undefined) {
  const key = symbol === undefined ? null : `${symbol}|${timeframe}`;
  const [loaded, setLoaded] = useState<LoadedWindow | null>(null);
  const [status, setStatus] = useState<ChartWindowStatus>(idleStatus);
  const [generation, setGeneration] = useState(0);
  const windowRef = useRef<LoadedWindow | null>(null);
  const sessionRef = useRef<Session | null>(null);
  const specsRef = useRef(specs);
  useEffect(() => {
    specsRef.current = specs;
  });

  const listenersRef = useRef(new Set<(next: LoadedWindow) => void>());

  const commit = useCallback((next: LoadedWindow) => {
    windowRef.current = next;
    // The chart draws the window at once; the rest of the screen (header, legend) follows once
    // that frame is under way, as a transition, so rendering it never delays the frame that shows
    // the new bars.
    for (const listener of listenersRef.current) listener(next);
    requestAnimationFrame(() => startTransition(() => setLoaded(next)));
  }, []);

  /** Calls `listener` with each window as it arrives, before React renders it; returns the unsubscribe. */
  const onWindow = useCallback((listener: (next: LoadedWindow) => void) => {
    listenersRef.current.add(listener);
    return () => {
      listenersRef.current.delete(listener);
    };
  }, []);

  const enqueue = useCallback((session: Session, task: () => Promise<void>) => {
    const run = () => (sessionRef.current === session ? task() : undefined);
    session.queued += 1;
    // With nothing before it a task starts now rather than on the next microtask, so its request
    // leaves ahead of those the same change or event makes elsewhere (saving the layout, the
    // watchlist's refresh): the server answers in turn, and the chart is what the trader waits for.
    const started = session.queued === 1 ? Promise.resolve(run()) : session.chain.then(run);
    session.chain = started.finally(() => {
      session.queued -= 1;
    });
  }, []);

  /** The window of `session` when it is still the one shown. */
  const currentWindow = (session: Session) => {
    const current = windowRef.current;
    return sessionRef.current === session && current?.key === session.key ? current : null;
  };

  useEffect(() => {
    if (key === null || symbol === undefined) return;
    const session: Session = { key, symbol, timeframe, chain: Promise.resolve(), queued: 0, olderInFlight: false, pending: new Set(), failed: new Set(), recheck: null };
    sessionRef.current = session;
    setStatus({ ...idleStatus, loading: true });
    enqueue(session, async () => {
      const wanted = specsRef.current;
      const load = (withSpecs: readonly IndicatorSpec[]) => fetchWindow(session, { limit: HISTORY_PAGE_BARS }, withSpecs);
      try {
        let indicatorError: ChartWindowStatus['indicatorError'] = null;
        const fetched = await load(wanted).catch(async (failure: unknown) => {
          // One refused indicator must not leave the chart empty: show the bars and say which failed.
          if (wanted.length === 0 || !isIndicatorRefusal(failure)) throw failure;
          indicatorError = { ids: wanted.map(indicatorId), error: failure };
          for (const spec of wanted) session.failed.add(indicatorId(spec));
          return load([]);
        });
        if (sessionRef.current !== session) return;
        commit({ key, symbol, timeframe, ...fetched, historyComplete: fetched.bars.length < HISTORY_PAGE_BARS });
        setStatus({ ...idleStatus, indicatorError });
      } catch (failure) {
        if (sessionRef.current === session) setStatus({ ...idleStatus, error: failure });
      }
    });
    return () => {
      if (session.recheck) clearTimeout(session.recheck.timer);
      if (sessionRef.current === session) sessionRef.current = null;
    };
  }, [key, symbol, timeframe, generation, enqueue, commit]);

  const addIndicators = useCallback(
    async (session: Session, added: readonly IndicatorSpec[]) => {
      const current = currentWindow(session);
      const first = current?.bars[0];
      const last = current?.bars.at(-1);
      const stillWanted = added.filter((spec) => specsRef.current.some((wanted) => indicatorId(wanted) === indicatorId(spec)));
      if (!current || !first || !last || stillWanted.length === 0) return;
      try {
        const extra = await fetchWindow(session, { from: first.time, to: last.time }, stillWanted);
        const latest = currentWindow(session);
        if (!latest) return;
        const merged = withIndicators(latest, extra);
        if (merged) {
          commit({ ...latest, ...merged });
          return;
        }
        // The stored bars changed under the window: read it again with every indicator.
        const start = latest.bars[0]?.time ?? first.time;
        const whole = await fetchWindow(session, { from: start, limit: MAX_BARS_HELD }, [...latest.indicators.map((s) => s.spec), ...stillWanted]);
        const now = currentWindow(session);
        if (now) commit({ ...now, ...whole });
      } catch (failure) {
        for (const spec of stillWanted) session.failed.add(indicatorId(spec));
        if (sessionRef.current === session) setStatus((s) => ({ ...s, indicatorError: { ids: stillWanted.map(indicatorId), error: failure } }));
      }
    },
    [commit],
  );

  // Removed indicators leave at once; new ones are computed over the bars already held.
  const specsKey = JSON.stringify(specs);
  const loadedKey = loaded?.key;
  useEffect(() => {
    const session = sessionRef.current;
    const current = session ? currentWindow(session) : null;
    if (!session || !current) return;
    const wantedIds = new Set(specs.map(indicatorId));
    for (const id of session.failed) if (!wantedIds.has(id)) session.failed.delete(id);
    const kept = keepIndicators(current, wantedIds);
    if (kept !== current) commit({ ...current, ...kept });
    setStatus((s) => (s.indicatorError && !s.indicatorError.ids.some((id) => wantedIds.has(id)) ? { ...s, indicatorError: null } : s));
    const held = new Set(current.indicators.map((series) => series.id));
    const missing = specs.filter((spec) => {
      const id = indicatorId(spec);
      return !held.has(id) && !session.pending.has(id) && !session.failed.has(id);
    });
    if (missing.length === 0) return;
    for (const spec of missing) session.pending.add(indicatorId(spec));
    enqueue(session, () =>
      addIndicators(session, missing).finally(() => {
        for (const spec of missing) session.pending.delete(indicatorId(spec));
      }),
    );
    // specsKey stands for specs, and the loaded key for the window, which changes on every tick.
  }, [specsKey, loadedKey, addIndicators, enqueue, commit]);

  /** Fetches the page before the first bar held; called as the view nears the left edge. */
  const loadOlder = useCallback(() => {
    const session = sessionRef.current;
    const current = session ? currentWindow(session) : null;
    if (!session || !current || current.historyComplete || session.olderInFlight) return;
    if (olderPageLimit(current.bars.length) === 0) {
      setStatus((s) => (s.capReached ? s : { ...s, capReached: true }));
      return;
    }
    session.olderInFlight = true;
    setStatus((s) => ({ ...s, olderLoading: true, olderError: null }));
    enqueue(session, async () => {
      try {
        const before = currentWindow(session);
        const first = before?.bars[0];
        if (!before || !first) return;
        const limit = olderPageLimit(before.bars.length);
        const older = await fetchWindow(session, { to: first.time - 1, limit }, before.indicators.map((series) => series.spec));
        const now = currentWindow(session);
        if (!now) return;
        commit({ ...now, ...prependWindow(now, older), historyComplete: older.bars.length < limit });
        setStatus((s) => ({ ...s, olderLoading: false }));
      } catch (failure) {
        if (sessionRef.current === session) setStatus((s) => ({ ...s, olderLoading: false, olderError: failure }));
      } finally {
        session.olderInFlight = false;
      }
    });
  }, [enqueue, commit]);

  const retryOlder = useCallback(() => {
    setStatus((s) => ({ ...s, olderError: null }));
    loadOlder();
  }, [loadOlder]);

  /** Reads the bars from the change between `from` and `to` on again and merges them (see refreshTail). */
  const readTail = useCallback(
    async (session: Session, from: number, to: number) => {
      const current = currentWindow(session);
      const first = current?.bars[0];
      const last = current?.bars.at(-1);
      if (!current) return;
      if (!first || !last) {
        // Nothing was shown yet, so there is no tail: load the first page.
        setGeneration((g) => g + 1);
        return;
      }
      const olderHistoryArrived = bucketStart(from, current.timeframe) < first.time;
      if (to < first.time) {
        commit({ ...current, historyComplete: false });
        return;
      }
      const tailFrom = Math.min(last.time, Math.max(first.time, bucketStart(from, current.timeframe)));
      try {
        const tail = await fetchWindow(session, { from: tailFrom, limit: MAX_BARS_HELD }, current.indicators.map((series) => series.spec));
        const now = currentWindow(session);
        if (!now) return;
        // A full page means the change outgrew the window: show the newest bars instead.
        const merged = tail.bars.length >= MAX_BARS_HELD ? tail : mergeTail(now, tail);
        commit({ ...now, ...merged, sourceTimeframe: tail.sourceTimeframe, historyComplete: now.historyComplete && !olderHistoryArrived });
        setStatus((s) => (s.tailError === null ? s : { ...s, tailError: null }));
      } catch (failure) {
        if (sessionRef.current === session) setStatus((s) => ({ ...s, tailError: failure }));
      }
    },
    [commit],
  );

  /**
   * Stored bars of this symbol changed between `from` and `to` (an import, a poll, a backfill).
   * Only the bars from the change on are read again — from the last shown bar for new bars —
   * and merged, so the chart updates them one by one.
   */
  const refreshTail = useCallback(
    (from: number, to: number) => {
      const session = sessionRef.current;
      if (session) enqueue(session, () => readTail(session, from, to));
    },
    [enqueue, readTail],
  );

  /**
   * Reads the tail again once live bars pause, when bars merged in the page may differ from what
   * the core answers (see PushedMerge.exact): one read for a burst, and none delaying the next bar.
   */
  const recheckLater = useCallback(
    (session: Session, from: number, to: number) => {
      const earlier = session.recheck;
      if (earlier) clearTimeout(earlier.timer);
      const range = { from: Math.min(from, earlier?.from ?? from), to: Math.max(to, earlier?.to ?? to) };
      const timer = setTimeout(() => {
        session.recheck = null;
        enqueue(session, () => readTail(session, range.from, range.to));
      }, RECHECK_DELAY_MS);
      session.recheck = { ...range, timer };
    },
    [enqueue, readTail],
  );

  /**
   * Live bars the core pushed: merged in the page, with their indicator values, when they can be
   * (the chart shows them in the next frame), else the tail is read again.
   */
  const appendBars = useCallback(
    (pushed: { timeframe: Timeframe; bars: readonly Bar[] }) => {
      const session = sessionRef.current;
      const first = pushed.bars[0];
      const last = pushed.bars.at(-1);
      if (!session || !first || !last) return;
      enqueue(session, async () => {
        const current = currentWindow(session);
        const merged = current && instrumentKind ? mergePushedBars(current, pushed, instrumentKind) : null;
        if (current && merged) {
          commit({ ...current, ...merged.window });
          if (!merged.exact) recheckLater(session, first.time, last.time);
        }
        // Read in this task rather than queued behind it, so the request leaves at once.
        else await readTail(session, first.time, last.time);
      });
    },
    [enqueue, commit, readTail, recheckLater, instrumentKind],
  );

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  /** Hides the cap notice until the view reaches the oldest bar again. */
  const dismissCap = useCallback(() => setStatus((s) => ({ ...s, capReached: false })), []);

  return { window: loaded, onWindow, ...status, loadOlder, retryOlder, refreshTail, appendBars, reload, dismissCap };
}
