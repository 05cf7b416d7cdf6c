import type { Coverage, Instrument } from '../../../shared/domain';
import { useApiEvent, useApiQuery } from './hooks';

export interface InstrumentCatalogue {
  /** Undefined until the first answer. */
  instruments: readonly Instrument[] | undefined;
  /** What is stored per symbol and timeframe; undefined until the first answer. */
  coverage: readonly Coverage[] | undefined;
  /** Why a list could not be loaded, while there is no earlier copy of it to show; otherwise null. */
  loadError: unknown;
  /** Asks for both lists again, after a load error. */
  retry(): void;
  /** Reads the coverage again after something stored bars (an import, demo data). */
  reloadCoverage(): void;
}

/**
 * The instruments and the bars stored for them, which the Markets and Compare screens list;
 * both follow every change of stored bars and of instruments, from this window or another client.
 */
export function useInstrumentCatalogue(): InstrumentCatalogue {
  const instruments = useApiQuery('instruments.list', {});
  const coverage = useApiQuery('bars.coverage', {});
  useApiEvent('bars.changed', coverage.reload);
  useApiEvent('bars.appended', coverage.reload);
  // A deleted instrument takes its bars along, so both lists are read again.
  useApiEvent('instruments.changed', () => {
    instruments.reload();
    coverage.reload();
  });
  const error = instruments.error ?? coverage.error;
  return {
    instruments: instruments.data?.instruments,
    coverage: coverage.data?.coverage,
    loadError: error && (!instruments.data || !coverage.data) ? error : null,
    retry: () => {
      instruments.reload();
      coverage.reload();
    },
    reloadCoverage: coverage.reload,
  };
}
