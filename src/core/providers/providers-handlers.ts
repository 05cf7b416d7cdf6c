import { AppError } from '../../shared/errors';
import { requireInstrument } from '../bars/bar-access';
import type { CoreContext } from '../context';
import type { HandlerMap } from '../handlers';
import { providerNames } from './provider-errors';
import { defaultTestInstrument, testProvider } from './provider-test';

export function providerHandlers(ctx: CoreContext): HandlerMap {
  const { storage, providers, ports, now } = ctx;
  return {
    'providers.list': async () => ({ providers: await providers.statuses() }),
    'providers.test': async ({ provider, symbol }) => {
      const instrument = symbol === undefined ? defaultTestInstrument(provider, await storage.instruments.list()) : await requireInstrument(storage, symbol);
      if (!instrument) {
        throw new AppError('NOT_FOUND', `No instrument in the catalogue is carried by ${providerNames[provider]}; name one to test with.`);
      }
      let adapter;
      try {
        adapter = await providers.adapter(provider);
      } catch (error) {
        // A malformed METALYTICS_* variable: the provider cannot be used, which is the Test's answer.
        if (!(error instanceof AppError)) throw error;
        return { provider, ok: false, latencyMs: 0, message: error.message, errorCode: error.code, retryAfterMs: null, sample: null };
      }
      return testProvider(adapter, instrument, { now, logger: ports.logger });
    },
  };
}
