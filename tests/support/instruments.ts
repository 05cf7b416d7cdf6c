import type { Instrument } from '../../src/shared/domain';

/** A user instrument beyond the built-in catalogue, as the core stores it once created. */
export const goldInEuro: Instrument = {
  symbol: 'XAUEUR',
  name: 'Gold in euro',
  kind: 'spot',
  unit: 'EUR per troy ounce',
  currency: 'EUR',
  providerSymbols: { polygon: 'C:XAUEUR', twelvedata: 'XAU/EUR' },
};
