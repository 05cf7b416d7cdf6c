import { describe, expect, it } from 'vitest';
import { chartLayoutSchema, type ChartLayout } from '../../../../shared/chart-layout';
import { activatePanel, nextChartCount, replacePanel, savedLayout, shownPanels, singleChart, withChartCount } from './chart-layout';

const gold = { symbol: 'XAUUSD', timeframe: '1d' as const, indicators: [], logScale: false, forecast: false };
const bitcoin = { symbol: 'BTCUSD', timeframe: '1h' as const, indicators: [], logScale: true, forecast: false };

describe('chart layouts of a window', () => {
  it('starts a window without a saved layout on one chart of the defaults', () => {
    expect(savedLayout(undefined, 'window-1')).toBe(singleChart);
    expect(savedLayout({ 'window-2': { charts: 2, active: 1, panels: [gold, bitcoin] } }, 'window-1')).toBe(singleChart);
    expect(shownPanels(singleChart)).toEqual([{ indicators: [], logScale: false, forecast: false }]);
  });

  it('finds the layout its window saved, not another window\'s', () => {
    const mine: ChartLayout = { charts: 2, active: 1, panels: [gold, bitcoin] };
    expect(savedLayout({ 'window-1': mine, browser: singleChart }, 'window-1')).toBe(mine);
  });

  it('opens new charts on the active chart\'s symbol and timeframe, and remembers hidden ones', () => {
    const two = withChartCount({ charts: 1, active: 0, panels: [bitcoin] }, 2);
    expect(shownPanels(two)).toEqual([bitcoin, { symbol: 'BTCUSD', timeframe: '1h', indicators: [], logScale: false, forecast: false }]);

    const changed = replacePanel(withChartCount(two, 4), 3, (panel) => ({ ...panel, symbol: 'XAGUSD', timeframe: '1w' }));
    expect(shownPanels(changed).map((panel) => [panel.symbol, panel.timeframe])).toEqual([
      ['BTCUSD', '1h'],
      ['BTCUSD', '1h'],
      ['BTCUSD', '1h'],
      ['XAGUSD', '1w'],
    ]);
    const one = withChartCount(activatePanel(changed, 3), 1);
    expect(one.active).toBe(0);
    expect(shownPanels(one)).toEqual([bitcoin]);
    expect(shownPanels(withChartCount(one, 4))[3]).toMatchObject({ symbol: 'XAGUSD', timeframe: '1w' });
  });

  it('fills new charts from the symbol the active chart resolved to when it has none of its own', () => {
    const two = withChartCount(singleChart, 2, { ...gold });
    expect(shownPanels(two)[1]).toMatchObject({ symbol: 'XAUUSD', timeframe: '1d' });
    // The first panel is pinned to what it showed, so a new default elsewhere does not move it.
    expect(shownPanels(two)[0]).toMatchObject({ symbol: 'XAUUSD', timeframe: '1d' });
  });

  it('makes only a shown chart active', () => {
    const two: ChartLayout = { charts: 2, active: 0, panels: [gold, bitcoin] };
    expect(activatePanel(two, 1).active).toBe(1);
    expect(activatePanel(two, 3)).toBe(two);
    expect(activatePanel(two, 0)).toBe(two);
  });

  it('changes one chart and leaves the others', () => {
    const layout = replacePanel(singleChart, 2, (panel) => ({ ...panel, symbol: 'AAPL' }));
    expect(layout.panels).toHaveLength(3);
    expect(layout.panels[2]?.symbol).toBe('AAPL');
    expect(layout.panels[0]).toEqual({ indicators: [], logScale: false, forecast: false });
  });

  it('cycles 1 → 2 → 4 → 1 from the keyboard', () => {
    expect([nextChartCount(1), nextChartCount(2), nextChartCount(4)]).toEqual([2, 4, 1]);
  });

  it('reads a saved layout field by field, so one stale field loses nothing else', () => {
    const stored = { charts: 3, active: 9, panels: [{ ...gold, timeframe: '2h', indicators: 'none' }, bitcoin] };
    expect(chartLayoutSchema.parse(stored)).toEqual({
      charts: 1,
      active: 0,
      panels: [{ symbol: 'XAUUSD', indicators: [], logScale: false, forecast: false }, bitcoin],
    });
  });
});
