import type { CoreContext } from '../create-core';
import type { HandlerMap } from '../handlers';

/**
 * Whether every saved secret can be opened in this session, so the UI can say which keys to
 * enter again after the keyring changed. Stores without a keyring (headless) have nothing
 * to report beyond whether they can save.
 */
export function secretHealthHandlers(ctx: Pick<CoreContext, 'ports'>): HandlerMap {
  const { secrets } = ctx.ports;
  return {
    'secrets.health': async () =>
      secrets.health ? secrets.health() : { backend: null, encryptionAvailable: secrets.isEncryptionAvailable(), unreadable: [] },
  };
}
