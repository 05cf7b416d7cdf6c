import type { CacheScopeEntry } from '../../shared/cache-settings';
import type { Settings } from '../../shared/domain';

/**
 * The series the offline cache keeps: each watchlist symbol with the default timeframes and
 * depth (when the scope includes the watchlist), then the instruments named in the scope,
 * whose own timeframes and depth replace the defaults. An instrument given no timeframes is
 * left out, so a watchlist symbol can be kept out of the cache.
 */
export function resolveCacheScope(settings: Pick<Settings, 'watchlist' | 'cache'>): CacheScopeEntry[] {
  const { watchlist, defaultTimeframes, defaultDays, instruments } = settings.cache.scope;
  const scope = new Map<string, CacheScopeEntry>();
  if (watchlist) {
    for (const symbol of settings.watchlist) {
      const key = symbol.toUpperCase();
      scope.set(key, { symbol: key, timeframes: [...new Set(defaultTimeframes)], days: defaultDays });
    }
  }
  for (const [symbol, own] of Object.entries(instruments)) {
    const key = symbol.toUpperCase();
    scope.set(key, { symbol: key, timeframes: [...new Set(own.timeframes)], days: own.days });
  }
  return [...scope.values()].filter((entry) => entry.timeframes.length > 0);
}
