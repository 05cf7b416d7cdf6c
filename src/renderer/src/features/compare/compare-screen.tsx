import { useMemo, useRef, type ReactNode } from 'react';
import { compareTimeframes, MAX_COMPARE_SYMBOLS, type CompareTimeframe } from '../../../../shared/compare-view';
import type { MethodInput } from '../../../../shared/contract';
import { describeError } from '../../api/api-error';
import { useApiEvent, useApiQuery } from '../../api/hooks';
import { useInstrumentCatalogue } from '../../api/use-instrument-catalogue';
import { useSettings } from '../../ui/settings-context';
import type { ResolvedTheme } from '../../ui/theme';
import { formatCount } from '../../ui/format/numbers';
import { dateInputToEpoch, formatBarTime, formatUtcDate } from '../../ui/format/time';
import { IsoDateInput } from '../../ui/iso-date-input';
import { LoadError } from '../../ui/load-error';
import { CompareChart } from './compare-chart';
import {
  assignColourSlots,
  canShow,
  choosePairSide,
  compareChoices,
  compareViewKey,
  defaultSelection,
  hasData,
  MAX_WINDOW,
  parseWindow,
  ratioPresets,
  resolvePair,
  toggleSymbol,
  yearsBefore,
  type CompareChoice,
  type Pair,
} from './compare-model';
import { useSavedCompareView } from './use-saved-compare-view';
import './compare.css';

const timeframeWords: Record<CompareTimeframe, string> = { '1h': 'hourly', '4h': '4-hour', '1d': 'daily', '1w': 'weekly', '1M': 'monthly' };
const rangeShortcuts = [1, 3, 5, 10] as const;

function listSymbols(symbols: readonly string[]): string {
  if (symbols.length <= 1) return symbols.join('');
  return `${symbols.slice(0, -1).join(', ')} and ${symbols.at(-1)}`;
}

/** Why a selected instrument is left out of the comparison, in a sentence; null when it takes part. */
function exclusionNotice(symbol: string, choice: CompareChoice | undefined, timeframe: CompareTimeframe): string | null {
  if (!hasData(choice)) return `${symbol} has no stored data yet — import a CSV file for it on the Markets screen.`;
  if (canShow(choice, timeframe)) return null;
  const usable = compareTimeframes.filter((tf) => canShow(choice, tf));
  return `${symbol} is stored as ${choice!.stored.join(', ')} bars only, too coarse for ${timeframe}${
    usable.length > 0 ? `; it can be compared on ${usable.join(', ')}` : ''
  }.`;
}

/** Two different symbols from `options`, as two selects with `separator` between them. */
function PairPicker({
  pair,
  options,
  labels,
  testIds,
  separator,
  onChange,
}: {
  pair: Pair | null;
  options: readonly string[];
  labels: Pair;
  testIds: Pair;
  separator: ReactNode;
  onChange(pair: Pair): void;
}) {
  if (!pair) return <span className="muted">needs two instruments</span>;
  const select = (side: keyof Pair) => (
    <select aria-label={labels[side]} value={pair[side]} data-testid={testIds[side]} onChange={(event) => onChange(choosePairSide(pair, side, event.target.value))}>
      {options.map((symbol) => (
        <option key={symbol} value={symbol}>
          {symbol}
        </option>
      ))}
    </select>
  );
  return (
    <>
      {select('first')}
      {separator}
      {select('second')}
    </>
  );
}

export function CompareScreen({ theme }: { theme: ResolvedTheme }) {
  const { settings, loadError: settingsError } = useSettings();
  // The default choice follows the watchlist, so it waits for the settings (or their failure: then no watchlist).
  const settingsSettled = settings !== undefined || settingsError !== null;
  const catalogue = useInstrumentCatalogue();
  const [saved, update] = useSavedCompareView();

  const choices = useMemo(
    () => compareChoices(catalogue.instruments ?? [], catalogue.coverage ?? []),
    [catalogue.instruments, catalogue.coverage],
  );
  const choiceOf = (symbol: string) => choices.find((c) => c.symbol === symbol);
  const { timeframe, start, logScale } = saved;
  const watchlist = settings?.watchlist;
  const symbols = useMemo(() => saved.symbols ?? defaultSelection(choices, watchlist ?? []), [saved.symbols, choices, watchlist]);
  const usable = symbols.filter((symbol) => canShow(choiceOf(symbol), timeframe));
  const ratioPair = resolvePair(saved.ratio, usable);
  const correlationPair = resolvePair(saved.correlation, usable);
  const correlationWindow = parseWindow(saved.window);
  const startTime = dateInputToEpoch(start);

  // Each assignment starts from the previous one, so a symbol keeps its colour while others come and go.
  const slotsRef = useRef<Record<string, number>>({});
  const slots = useMemo(() => {
    slotsRef.current = assignColourSlots(slotsRef.current, symbols);
    return slotsRef.current;
  }, [symbols]);

  const input: MethodInput<'compare.query'> | null =
    usable.length >= 2 && catalogue.coverage && settingsSettled
      ? {
          symbols: usable,
          timeframe,
          ...(startTime !== undefined && { from: startTime, baseTime: startTime }),
          ...(ratioPair && { ratio: { numerator: ratioPair.first, denominator: ratioPair.second } }),
          ...(correlationPair &&
            correlationWindow !== null && { correlation: { a: correlationPair.first, b: correlationPair.second, window: correlationWindow } }),
        }
      : null;
  const comparison = useApiQuery('compare.query', input);
  useApiEvent('bars.changed', comparison.reload);
  useApiEvent('bars.appended', comparison.reload);

  if (catalogue.loadError) return <LoadError error={catalogue.loadError} testId="screen-compare" onRetry={catalogue.retry} />;
  if (!catalogue.instruments || !catalogue.coverage || !settingsSettled) {
    return (
      <section className="screen screen--centred muted" data-testid="screen-compare">
        Loading instruments…
      </section>
    );
  }
  if (catalogue.coverage.length === 0) {
    return (
      <section className="screen screen--centred" data-testid="screen-compare">
        <div className="upcoming" data-testid="compare-empty">
          <h1>Compare</h1>
          <p>
            Compare puts several instruments on one chart, each starting at 100, with ratio charts such as gold/silver and the rolling
            correlation between two of them.
          </p>
          <p className="muted">No market data is stored yet — import a CSV file or load demo data on the Markets screen.</p>
        </div>
      </section>
    );
  }

  const select = (next: string[]) => update({ symbols: next });
  const applyPreset = (pair: Pair) => {
    const missing = [pair.first, pair.second].filter((symbol) => !symbols.includes(symbol));
    update({ symbols: [...symbols, ...missing].slice(0, MAX_COMPARE_SYMBOLS), ratio: pair });
  };

  // The reply shown belongs to the current request only when the keys match; otherwise it is the previous one, kept to avoid flicker.
  const reply = comparison.data;
  const current = input !== null && comparison.dataKey === JSON.stringify(input);
  const times = reply?.times ?? [];
  const first = times[0];
  const last = times.at(-1);
  const notices = symbols.flatMap((symbol) => {
    const notice = exclusionNotice(symbol, choiceOf(symbol), timeframe);
    return notice ? [{ symbol, notice }] : [];
  });
  // The latest time all usable instruments can share: the earliest of their last bars.
  const commonEnd = usable.length > 0 ? Math.min(...usable.map((symbol) => choiceOf(symbol)?.last ?? Number.POSITIVE_INFINITY)) : null;
  const correlationHint =
    reply?.correlation && times.length <= reply.correlation.window
      ? `needs more than ${formatCount(reply.correlation.window)} common bars; ${formatCount(times.length)} in view`
      : null;
  const withData = choices.filter(hasData);
  const withoutData = choices.filter((c) => !hasData(c));

  const chip = (choice: CompareChoice) => {
    const selected = symbols.includes(choice.symbol);
    const full = !selected && symbols.length >= MAX_COMPARE_SYMBOLS;
    const slot = slots[choice.symbol];
    return (
      <button
        key={choice.symbol}
        type="button"
        className={`compare-chip${hasData(choice) ? '' : ' compare-chip--no-data'}${selected && slot !== undefined ? ` compare-chip--slot-${slot + 1}` : ''}`}
        aria-pressed={selected}
        disabled={full}
        data-testid={`compare-chip-${choice.symbol}`}
        title={`${choice.name}${
          hasData(choice) && choice.first !== null && choice.last !== null
            ? ` — stored ${choice.stored.join(', ')}, ${formatUtcDate(choice.first)} → ${formatUtcDate(choice.last)}`
            : ' — no stored data'
        }${full ? ` (at most ${MAX_COMPARE_SYMBOLS} at once)` : ''}`}
        onClick={() => select(toggleSymbol(symbols, choice.symbol))}
      >
        <span className={`compare-chip__mark${hasData(choice) ? ' compare-chip__mark--data' : ''}`} aria-hidden="true" />
        {choice.symbol}
        {choice.synthetic && <span className="compare-chip__synthetic">synthetic</span>}
      </button>
    );
  };

  return (
    <section className="compare" data-testid="screen-compare">
      <header className="compare__header">
        <div className="compare__title">
          <h1>Compare</h1>
          <p className="compare__meta" data-testid="compare-meta" title="Only times at which every instrument has a bar are compared.">
            {current && first !== undefined && last !== undefined ? (
              <>
                <span>
                  {formatCount(times.length)} common {timeframeWords[timeframe]} bars{reply?.truncated ? ' (most recent)' : ''}
                </span>
                <span>
                  {formatBarTime(first, timeframe)} → {formatBarTime(last, timeframe)}
                </span>
                {reply?.baseTime !== null && reply?.baseTime !== undefined && (
                  <span data-testid="compare-base">100 = close of {formatBarTime(reply.baseTime, timeframe)}</span>
                )}
              </>
            ) : (
              <span>Each instrument starts at 100, so their moves compare directly whatever their prices.</span>
            )}
          </p>
        </div>
        <div className="timeframe-bar" role="group" aria-label="Timeframe">
          {compareTimeframes.map((tf) => (
            <button
              key={tf}
              type="button"
              className="timeframe-bar__button"
              aria-pressed={tf === timeframe}
              data-testid={`compare-tf-${tf}`}
              onClick={() => update({ timeframe: tf })}
            >
              {tf}
            </button>
          ))}
        </div>
      </header>

      <div className="compare__chips" role="group" aria-label="Instruments to compare">
        {withData.map(chip)}
        {withoutData.length > 0 && <span className="compare__chips-divider">no data:</span>}
        {withoutData.map(chip)}
      </div>

      <div className="compare__controls">
        <div className="compare-field">
          <label htmlFor="compare-start">Start</label>
          <IsoDateInput id="compare-start" value={start} testId="compare-start" onChange={(text) => update({ start: text })} />
          {commonEnd !== null && Number.isFinite(commonEnd) && (
            <span className="compare-field__shortcuts">
              {rangeShortcuts.map((years) => (
                <button
                  key={years}
                  type="button"
                  className="button button--small button--ghost"
                  aria-pressed={start === yearsBefore(commonEnd, years)}
                  onClick={() => update({ start: yearsBefore(commonEnd, years) })}
                >
                  {years}Y
                </button>
              ))}
              <button
                type="button"
                className="button button--small button--ghost"
                aria-pressed={start === ''}
                data-testid="compare-start-all"
                onClick={() => update({ start: '' })}
              >
                All
              </button>
            </span>
          )}
          <label className="choice compare-field__log">
            <input type="checkbox" checked={logScale} data-testid="compare-log" onChange={(event) => update({ logScale: event.target.checked })} />
            Log scale
          </label>
        </div>

        <div className="compare-field" role="group" aria-label="Ratio">
          <span className="compare-field__label">Ratio</span>
          <PairPicker
            pair={ratioPair}
            options={usable}
            labels={{ first: 'Ratio numerator', second: 'Ratio denominator' }}
            testIds={{ first: 'compare-ratio-numerator', second: 'compare-ratio-denominator' }}
            separator={<span aria-hidden="true">/</span>}
            onChange={(ratio) => update({ ratio })}
          />
          {ratioPresets.map((preset) => (
            <button
              key={preset.id}
              type="button"
              className="button button--small"
              data-testid={`compare-preset-${preset.id}`}
              aria-pressed={ratioPair?.first === preset.pair.first && ratioPair.second === preset.pair.second}
              title={`${preset.pair.first} / ${preset.pair.second}`}
              onClick={() => applyPreset(preset.pair)}
            >
              {preset.label}
            </button>
          ))}
        </div>

        <div className="compare-field" role="group" aria-label="Rolling correlation">
          <span className="compare-field__label">Correlation</span>
          <PairPicker
            pair={correlationPair}
            options={usable}
            labels={{ first: 'Correlate', second: 'with' }}
            testIds={{ first: 'compare-corr-a', second: 'compare-corr-b' }}
            separator={<span>with</span>}
            onChange={(correlation) => update({ correlation })}
          />
          <label htmlFor="compare-window">over</label>
          <input
            id="compare-window"
            type="number"
            min={2}
            max={MAX_WINDOW}
            step={1}
            value={saved.window}
            aria-invalid={correlationWindow === null}
            data-testid="compare-window"
            onChange={(event) => update({ window: event.target.value })}
          />
          <span>bars</span>
          {correlationWindow === null && (
            <span className="error-text" role="alert" data-testid="compare-window-error">
              Enter a whole number from 2 to {formatCount(MAX_WINDOW)}.
            </span>
          )}
        </div>
      </div>

      {notices.length > 0 && (
        <ul className="compare__notices" data-testid="compare-notices">
          {notices.map(({ symbol, notice }) => (
            <li key={symbol} data-testid={`compare-notice-${symbol}`}>
              {notice}
            </li>
          ))}
        </ul>
      )}

      <CompareChart
        reply={reply}
        slots={slots}
        timeframe={timeframe}
        logScale={logScale}
        theme={theme}
        viewKey={compareViewKey(comparison.dataKey)}
        correlationHint={correlationHint}
      >
        {input === null && (
          <div className="chart-overlay" data-testid="compare-overlay">
            <p>
              {symbols.length < 2
                ? 'Pick at least two instruments with stored prices to compare.'
                : `Comparing needs two instruments with ${timeframe} bars; ${usable.length === 1 ? `only ${usable[0]} has them` : 'none of these has them'}. Pick another instrument or a longer timeframe.`}
            </p>
          </div>
        )}
        {input !== null && comparison.error !== null && !comparison.loading && (
          <div className="chart-overlay" role="alert" data-testid="compare-overlay">
            <p>{describeError(comparison.error)}</p>
            <button type="button" className="button" onClick={comparison.reload}>
              Try again
            </button>
          </div>
        )}
        {input !== null && current && comparison.error === null && times.length === 0 && (
          <div className="chart-overlay" data-testid="compare-overlay">
            <p>
              {listSymbols(usable)} have no {timeframe} bars at the same times{startTime !== undefined ? ` on or after ${start}` : ''}.
            </p>
            <p className="muted">
              {usable
                .map((symbol) => {
                  const choice = choiceOf(symbol);
                  return choice && choice.first !== null && choice.last !== null
                    ? `${symbol}: ${formatUtcDate(choice.first)} → ${formatUtcDate(choice.last)}`
                    : symbol;
                })
                .join(' · ')}
            </p>
          </div>
        )}
        {comparison.loading && <div className="chart-loading">Loading…</div>}
      </CompareChart>
    </section>
  );
}
