import type { Instrument } from '../../shared/domain';

const USD_PER_OZ = 'USD per troy ounce';
/** COMEX, NYMEX, NYSE and Nasdaq all keep New York time. */
const NEW_YORK = 'America/New_York';

/**
 * Instruments known on first start. Spot metals and their futures are separate
 * instruments with their own tickers: a futures settlement is not a spot price.
 */
export const instrumentCatalogue: readonly Instrument[] = [
  { symbol: 'XAUUSD', name: 'Gold spot', kind: 'spot', unit: USD_PER_OZ, currency: 'USD', providerSymbols: { polygon: 'C:XAUUSD', twelvedata: 'XAU/USD', metalsapi: 'XAU' } },
  { symbol: 'XAGUSD', name: 'Silver spot', kind: 'spot', unit: USD_PER_OZ, currency: 'USD', providerSymbols: { polygon: 'C:XAGUSD', twelvedata: 'XAG/USD', metalsapi: 'XAG' } },
  { symbol: 'XPTUSD', name: 'Platinum spot', kind: 'spot', unit: USD_PER_OZ, currency: 'USD', providerSymbols: { polygon: 'C:XPTUSD', twelvedata: 'XPT/USD', metalsapi: 'XPT' } },
  { symbol: 'XPDUSD', name: 'Palladium spot', kind: 'spot', unit: USD_PER_OZ, currency: 'USD', providerSymbols: { polygon: 'C:XPDUSD', twelvedata: 'XPD/USD', metalsapi: 'XPD' } },
  { symbol: 'GC=F', name: 'Gold futures (COMEX, front month)', kind: 'future', unit: USD_PER_OZ, currency: 'USD', providerSymbols: { yahoo: 'GC=F' }, exchangeTimeZone: NEW_YORK },
  { symbol: 'SI=F', name: 'Silver futures (COMEX, front month)', kind: 'future', unit: USD_PER_OZ, currency: 'USD', providerSymbols: { yahoo: 'SI=F' }, exchangeTimeZone: NEW_YORK },
  { symbol: 'PL=F', name: 'Platinum futures (NYMEX, front month)', kind: 'future', unit: USD_PER_OZ, currency: 'USD', providerSymbols: { yahoo: 'PL=F' }, exchangeTimeZone: NEW_YORK },
  { symbol: 'PA=F', name: 'Palladium futures (NYMEX, front month)', kind: 'future', unit: USD_PER_OZ, currency: 'USD', providerSymbols: { yahoo: 'PA=F' }, exchangeTimeZone: NEW_YORK },
  { symbol: 'BTCUSD', name: 'Bitcoin / US dollar', kind: 'crypto', unit: 'USD per BTC', currency: 'USD', providerSymbols: { yahoo: 'BTC-USD', polygon: 'X:BTCUSD', twelvedata: 'BTC/USD' } },
  { symbol: 'BTCUSDT', name: 'Bitcoin / Tether (Binance)', kind: 'crypto', unit: 'USDT per BTC', currency: 'USDT', providerSymbols: {} },
  { symbol: 'ETHUSD', name: 'Ether / US dollar', kind: 'crypto', unit: 'USD per ETH', currency: 'USD', providerSymbols: { yahoo: 'ETH-USD', polygon: 'X:ETHUSD', twelvedata: 'ETH/USD' } },
  { symbol: 'AAPL', name: 'Apple Inc.', kind: 'stock', unit: 'USD per share', currency: 'USD', providerSymbols: { yahoo: 'AAPL', polygon: 'AAPL', twelvedata: 'AAPL' }, exchangeTimeZone: NEW_YORK },
  { symbol: 'GLD', name: 'SPDR Gold Shares', kind: 'etf', unit: 'USD per share', currency: 'USD', providerSymbols: { yahoo: 'GLD', polygon: 'GLD', twelvedata: 'GLD' }, exchangeTimeZone: NEW_YORK },
  { symbol: 'SLV', name: 'iShares Silver Trust', kind: 'etf', unit: 'USD per share', currency: 'USD', providerSymbols: { yahoo: 'SLV', polygon: 'SLV', twelvedata: 'SLV' }, exchangeTimeZone: NEW_YORK },
  { symbol: 'DEMO.XAUUSD', name: 'Demo gold (synthetic prices)', kind: 'synthetic', unit: USD_PER_OZ, currency: 'USD', providerSymbols: {} },
  { symbol: 'DEMO.BTCUSD', name: 'Demo bitcoin (synthetic prices)', kind: 'synthetic', unit: 'USD per BTC', currency: 'USD', providerSymbols: {} },
];
