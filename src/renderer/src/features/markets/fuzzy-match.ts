/**
 * Fuzzy symbol search: every word the user types is matched on its own against an
 * instrument's symbol, name and provider tickers, and the best kind of match counts.
 * Ranking follows how sure the match is: exact symbol > symbol prefix > a word of the
 * name starting with the term > the term inside a word > its letters in order (so
 * "silvr" still finds silver).
 */

export interface Searchable {
  symbol: string;
  name: string;
  /** How providers spell the instrument: C:XAUUSD, XAU/USD, BTC-USD … */
  tickers: readonly string[];
}

/** Scores of each kind of match; only their order matters to callers. */
export const matchScores = {
  exactSymbol: 1000,
  exactTicker: 900,
  symbolPrefix: 800,
  tickerPrefix: 700,
  wordPrefix: 500,
  substring: 300,
  subsequence: 100,
} as const;

/** Symbols are written with and without separators (XAU/USD, xauusd, GC=F, gcf). */
const compact = (text: string) => text.replace(/[^a-z0-9]/g, '');

/** Start offsets of the words of a lower-cased text: after any character that is not a letter or digit. */
function wordStarts(text: string): number[] {
  const starts: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (/[a-z0-9]/.test(text[i]!) && (i === 0 || !/[a-z0-9]/.test(text[i - 1]!))) starts.push(i);
  }
  return starts;
}

/**
 * The term's letters in order, starting at a word start; the fewer letters skipped, the
 * higher the score. Anchoring at a word keeps three letters from matching every long name.
 */
function subsequenceScore(term: string, text: string): number {
  let best = 0;
  for (const start of wordStarts(text)) {
    if (text[start] !== term[0]) continue;
    let at = start;
    let matched = 0;
    for (; at < text.length && matched < term.length; at++) {
      if (text[at] === term[matched]) matched++;
    }
    if (matched < term.length) continue;
    const skipped = at - start - term.length;
    best = Math.max(best, matchScores.subsequence + Math.max(1, 99 - skipped));
  }
  return best;
}

/** Best score of one lower-cased term against one instrument; 0 when it does not match. */
function termScore(term: string, item: Searchable): number {
  const symbol = item.symbol.toLowerCase();
  const tickers = item.tickers.map((ticker) => ticker.toLowerCase());
  const bare = compact(term);
  const sameSymbol = (text: string) => text === term || (bare !== '' && compact(text) === bare);
  // Among prefixes, the shorter symbol is the closer one: "btc" ranks BTCUSD above BTCUSDT.
  const prefixScore = (base: number, text: string) =>
    text.startsWith(term) || (bare !== '' && compact(text).startsWith(bare)) ? base - Math.min(99, text.length - term.length) : 0;

  if (sameSymbol(symbol)) return matchScores.exactSymbol;
  if (tickers.some(sameSymbol)) return matchScores.exactTicker;
  let score = Math.max(prefixScore(matchScores.symbolPrefix, symbol), ...tickers.map((t) => prefixScore(matchScores.tickerPrefix, t)), 0);
  if (score > 0) return score;

  const texts = [item.name.toLowerCase(), symbol, ...tickers];
  for (const text of texts) {
    if (wordStarts(text).some((start) => text.startsWith(term, start))) return matchScores.wordPrefix;
  }
  for (const text of texts) {
    if (text.includes(term)) return matchScores.substring;
  }
  for (const text of texts) score = Math.max(score, subsequenceScore(term, text));
  return score;
}

export interface Ranked<T> {
  item: T;
  /** How many of the typed words matched. */
  matched: number;
  score: number;
}

/**
 * The items that match `query`, best first (ties keep the given order). Instruments that
 * match every word come first; when none does, the words are read as alternatives, so
 * "gld sil" lists the gold ETF and the silver instruments together.
 */
export function fuzzySearch<T extends Searchable>(items: readonly T[], query: string): Ranked<T>[] {
  const terms = query.toLowerCase().split(/\s+/).filter((term) => term !== '');
  if (terms.length === 0) return items.map((item) => ({ item, matched: 0, score: 0 }));
  const ranked = items
    .map((item) => {
      const scores = terms.map((term) => termScore(term, item));
      return { item, matched: scores.filter((s) => s > 0).length, score: scores.reduce((sum, s) => sum + s, 0) };
    })
    .filter((entry) => entry.matched > 0);
  const everyWord = ranked.filter((entry) => entry.matched === terms.length);
  const shown = everyWord.length > 0 ? everyWord : ranked;
  // Array.prototype.sort is stable, so equal scores keep the caller's order.
  return shown.sort((a, b) => b.matched - a.matched || b.score - a.score);
}
