import { inSettingsTurn } from '../settings/serialised';
import { secretNames, type SecretName, type Settings } from '../../shared/domain';
import type { CoreContext } from '../context';
import type { HandlerMap } from '../handlers';
import { databaseHost } from '../settings/database-url';
import { readSettings } from '../settings/settings-handlers';

async function secretStatus(ctx: CoreContext, name: SecretName) {
  const value = await ctx.ports.secrets.get(name);
  return value ? { name, hasKey: true, last4: value.slice(-4) } : { name, hasKey: false };
}

/** Saving a key or password is what confirms it for the address in use now. */
async function bindSecretToCurrentAddress(ctx: CoreContext, name: SecretName): Promise<void> {
  const next = await inSettingsTurn(ctx.ports.settings, async () => {
    const current = await readSettings(ctx.ports);
    let changed: Settings;
    if (name === 'database') {
      changed = { ...current, databasePasswordHost: databaseHost(current.databaseUrl) };
    } else {
      const keyOrigin = await ctx.providers.origin(name);
      changed = { ...current, providers: { ...current.providers, [name]: { ...current.providers[name], keyOrigin } } };
    }
    await ctx.ports.settings.write(changed);
    return changed;
  });
  ctx.events.emit('settings.changed', next);
}

/**
 * Saving and removing keys, and whether every saved secret can be opened in this session, so
 * the UI can say which keys to enter again after the keyring changed. Stores without a keyring
 * (headless) have nothing to report beyond whether they can save.
 */
export function secretsHandlers(ctx: CoreContext): HandlerMap {
  const { secrets } = ctx.ports;
  return {
    'secrets.list': async () => ({
      secrets: await Promise.all(secretNames.map((name) => secretStatus(ctx, name))),
      encryptionAvailable: ctx.ports.secrets.isEncryptionAvailable(),
    }),
    'secrets.set': async ({ name, value }) => {
      await ctx.ports.secrets.set(name, value);
      await bindSecretToCurrentAddress(ctx, name);
      await ctx.storage.auditLog.record({ at: ctx.now(), actor: 'user', action: 'secrets.set', details: { name } });
      return secretStatus(ctx, name);
    },
    'secrets.delete': async ({ name }) => {
      await ctx.ports.secrets.delete(name);
      await ctx.storage.auditLog.record({ at: ctx.now(), actor: 'user', action: 'secrets.delete', details: { name } });
      return secretStatus(ctx, name);
    },
    'secrets.health': async () =>
      secrets.health ? secrets.health() : { backend: null, encryptionAvailable: secrets.isEncryptionAvailable(), unreadable: [] },
  };
}
