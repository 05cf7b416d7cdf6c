import { secretNames, settingsSchema, type SecretName, type Settings } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import type { CoreContext } from '../create-core';
import type { HandlerMap } from '../handlers';
import type { CorePorts } from '../ports';

export async function readSettings(ports: Pick<CorePorts, 'settings' | 'logger'>): Promise<Settings> {
  const raw = await ports.settings.read();
  const parsed = settingsSchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  // A hand-edited or older settings file must not stop the app; the next save rewrites it.
  ports.logger.warn('stored settings are invalid; using defaults', { issues: parsed.error.issues.length });
  return settingsSchema.parse({});
}

/**
 * Settings are kept in plain text and sent to the UI, so a database URL there must carry no
 * password; the password belongs in the secret store under "database".
 */
function requireNoPassword(databaseUrl: string): void {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new AppError('VALIDATION', 'The database address is not a URL; it should look like postgres://user@host:5432/metalytics.');
  }
  if (url.password) {
    throw new AppError(
      'VALIDATION',
      'Leave the password out of the database address; save it as the "database" secret, which is kept encrypted.',
    );
  }
}

async function secretStatus(ctx: CoreContext, name: SecretName) {
  const value = await ctx.ports.secrets.get(name);
  return value ? { name, hasKey: true, last4: value.slice(-4) } : { name, hasKey: false };
}

export function settingsHandlers(ctx: CoreContext): HandlerMap {
  return {
    'settings.get': () => readSettings(ctx.ports),
    'settings.update': async (patch) => {
      if (patch.databaseUrl !== undefined) requireNoPassword(patch.databaseUrl);
      const current = await readSettings(ctx.ports);
      const next = settingsSchema.parse({
        ...current,
        ...patch,
        chart: { ...current.chart, ...patch.chart },
        // Per provider, so saving one provider's address leaves the others' as they were.
        providers: { ...current.providers, ...patch.providers },
      });
      await ctx.ports.settings.write(next);
      await ctx.storage.auditLog.record({ at: ctx.now(), actor: 'user', action: 'settings.update', details: { fields: Object.keys(patch) } });
      ctx.events.emit('settings.changed', next);
      return next;
    },
    'secrets.list': async () => ({
      secrets: await Promise.all(secretNames.map((name) => secretStatus(ctx, name))),
      encryptionAvailable: ctx.ports.secrets.isEncryptionAvailable(),
    }),
    'secrets.set': async ({ name, value }) => {
      await ctx.ports.secrets.set(name, value);
      await ctx.storage.auditLog.record({ at: ctx.now(), actor: 'user', action: 'secrets.set', details: { name } });
      return secretStatus(ctx, name);
    },
    'secrets.delete': async ({ name }) => {
      await ctx.ports.secrets.delete(name);
      await ctx.storage.auditLog.record({ at: ctx.now(), actor: 'user', action: 'secrets.delete', details: { name } });
      return secretStatus(ctx, name);
    },
  };
}
