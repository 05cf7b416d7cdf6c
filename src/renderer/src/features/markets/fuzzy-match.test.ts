import { describe, expect, it } from 'vitest';
import { fuzzySearch, type Searchable } from './fuzzy-match';

/** The shipped catalogue's names and tickers, as the picker sees them. */
const catalogue: Searchable[] = [
  { symbol: 'XAUUSD', name: 'Gold spot', tickers: ['C:XAUUSD', 'XAU/USD', 'XAU'] },
  { symbol: 'XAGUSD', name: 'Silver spot', tickers: ['C:XAGUSD', 'XAG/USD', 'XAG'] },
  { symbol: 'XPTUSD', name: 'Platinum spot', tickers: ['C:XPTUSD', 'XPT/USD', 'XPT'] },
  { symbol: 'GC=F', name: 'Gold futures (COMEX, front month)', tickers: ['GC=F'] },
  { symbol: 'SI=F', name: 'Silver futures (COMEX, front month)', tickers: ['SI=F'] },
  { symbol: 'PL=F', name: 'Platinum futures (NYMEX, front month)', tickers: ['PL=F'] },
  { symbol: 'BTCUSD', name: 'Bitcoin / US dollar', tickers: ['BTC-USD', 'X:BTCUSD', 'BTC/USD'] },
  { symbol: 'BTCUSDT', name: 'Bitcoin / Tether (Binance)', tickers: [] },
  { symbol: 'AAPL', name: 'Apple Inc.', tickers: ['AAPL'] },
  { symbol: 'GLD', name: 'SPDR Gold Shares', tickers: ['GLD'] },
  { symbol: 'SLV', name: 'iShares Silver Trust', tickers: ['SLV'] },
  { symbol: 'DEMO.XAUUSD', name: 'Demo gold (synthetic prices)', tickers: [] },
];

const search = (query: string, items: readonly Searchable[] = catalogue) => fuzzySearch(items, query).map((r) => r.item.symbol);
const item = (symbol: string, name: string, tickers: string[] = []): Searchable => ({ symbol, name, tickers });

describe('fuzzySearch', () => {
  it('finds a symbol from a part of it, ignoring case', () => {
    expect(search('xag')).toEqual(['XAGUSD']);
    expect(search('XAU')[0]).toBe('XAUUSD');
  });

  it('forgives a missing letter', () => {
    expect(search('silvr')).toEqual(['XAGUSD', 'SI=F', 'SLV']);
  });

  it('narrows to the instruments that match every word', () => {
    expect(search('gold fut')).toEqual(['GC=F']);
    expect(search('silver spot')).toEqual(['XAGUSD']);
  });

  it('reads words as alternatives when no instrument matches them all', () => {
    const found = search('gld sil');
    expect(found[0]).toBe('GLD');
    expect(found).toEqual(expect.arrayContaining(['GLD', 'XAGUSD', 'SI=F', 'SLV']));
    expect(found).not.toContain('AAPL');
  });

  it('ranks exact symbol > prefix > word prefix > subsequence', () => {
    const items = [
      item('SUB', 'G o l d x', []),
      item('WORD', 'The gold trust'),
      item('GOLDMINERS', 'Miners'),
      item('GOLD', 'Exact'),
    ];
    // "gold" is a subsequence of "G o l d" only when the spaces are skipped, so that row ranks last.
    expect(search('gold', items)).toEqual(['GOLD', 'GOLDMINERS', 'WORD', 'SUB']);
  });

  it('puts a word prefix above the same letters inside a word', () => {
    expect(search('old', [item('A', 'Gold spot'), item('B', 'Old gold')])).toEqual(['B', 'A']);
  });

  it('prefers the shorter symbol among prefixes', () => {
    expect(search('btc')).toEqual(['BTCUSD', 'BTCUSDT']);
  });

  it('matches provider tickers, with or without separators', () => {
    expect(search('xau/usd')[0]).toBe('XAUUSD');
    expect(search('btc-usd')[0]).toBe('BTCUSD');
    expect(search('gcf')).toEqual(['GC=F']);
    expect(search('c:xp')).toEqual(['XPTUSD']);
  });

  it('matches words inside symbols such as DEMO.XAUUSD', () => {
    expect(search('demo')).toEqual(['DEMO.XAUUSD']);
  });

  it('returns everything in the given order for an empty query, and nothing for a miss', () => {
    expect(search('   ')).toEqual(catalogue.map((c) => c.symbol));
    expect(search('zzz')).toEqual([]);
  });

  it('keeps the given order between equal matches', () => {
    expect(search('platinum')).toEqual(['XPTUSD', 'PL=F']);
    expect(search('platinum', [...catalogue].reverse())).toEqual(['PL=F', 'XPTUSD']);
  });
});
