import { providerIds, settingsSchema, type Settings } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import type { CoreContext } from '../context';
import type { HandlerMap } from '../handlers';
import { isSecureProviderUrl } from '../providers/types';
import type { CorePorts } from '../ports';
import { databaseHost } from './database-url';
import { inSettingsTurn } from './serialised';

export async function readSettings(ports: Pick<CorePorts, 'settings' | 'logger'>): Promise<Settings> {
  const raw = await ports.settings.read();
  const parsed = settingsSchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  // A hand-edited or older settings file must not stop the app; the next save rewrites it.
  ports.logger.warn('stored settings are invalid; using defaults', { issues: parsed.error.issues.length });
  return settingsSchema.parse({});
}

/**
 * The backup folder is a path the app writes to, so no settings update may move it (the window
 * and HTTP could otherwise aim backups anywhere): it changes through backups.setFolder, which
 * only the CLI and the desktop's folder chooser call. Sending it back unchanged is fine.
 */
function requireSameBackupFolder(requested: string | undefined, current: string | undefined): void {
  if (requested === undefined || requested === current) return;
  throw new AppError(
    'FORBIDDEN',
    'The backup folder is chosen with Choose folder… on the Backups screen or `metalytics backups folder PATH`, not through settings.',
  );
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
  // libpq also reads ?password= and ?sslpassword=, which would slip past a check of the user part.
  const passwordParameter = [...url.searchParams.keys()].some((name) => PASSWORD_PARAMETER.test(name));
  if (url.password || passwordParameter) {
    throw new AppError(
      'VALIDATION',
      'Leave the password out of the database address; save it as the "database" secret, which is kept encrypted.',
    );
  }
}

const PASSWORD_PARAMETER = /pass|pwd|secret|token/i;

/** A key must not travel in clear text: https, or http to this computer (a local proxy, a test server). */
function requireSecureProviderUrl(provider: string, baseUrl: string): void {
  if (!isSecureProviderUrl(new URL(baseUrl))) {
    throw new AppError(
      'VALIDATION',
      `The ${provider} address must start with https:// (http:// only for this computer), so its key never travels in clear text.`,
    );
  }
}

export function settingsHandlers(ctx: CoreContext): HandlerMap {
  return {
    'settings.get': () => readSettings(ctx.ports),
    // Two windows saving their chart layouts at once must not lose either: see inSettingsTurn.
    'settings.update': (patch) => inSettingsTurn(ctx.ports.settings, async () => {
      if (patch.databaseUrl !== undefined) requireNoPassword(patch.databaseUrl);
      for (const [provider, saved] of Object.entries(patch.providers ?? {})) {
        if (saved?.baseUrl !== undefined) requireSecureProviderUrl(provider, saved.baseUrl);
      }
      const current = await readSettings(ctx.ports);
      requireSameBackupFolder(patch.backups?.folder, current.backups.folder);
      // Per provider, so saving one provider's address leaves the others' as they were. A key
      // stays bound to where it was confirmed: older settings without a binding are pinned to
      // the address in use before this change, so a new address gets no key until it is saved again.
      const providers = { ...current.providers };
      for (const provider of providerIds) {
        const saved = patch.providers?.[provider];
        if (saved === undefined) continue;
        const before = current.providers[provider];
        const moved = saved.baseUrl !== before?.baseUrl;
        const keyOrigin = before?.keyOrigin ?? (moved ? await ctx.providers.origin(provider) : undefined);
        // An update never sets the binding itself (that would re-open the hole): it is the core's.
        providers[provider] = { ...saved, keyOrigin };
      }
      const addressChanged = patch.databaseUrl !== undefined && databaseHost(patch.databaseUrl) !== databaseHost(current.databaseUrl);
      const databasePasswordHost = current.databasePasswordHost ?? (addressChanged ? databaseHost(current.databaseUrl) : undefined);
      const next = settingsSchema.parse({
        ...current,
        ...patch,
        chart: { ...current.chart, ...patch.chart },
        // Per window, so one window saving its layout leaves the others' as they were.
        chartLayouts: { ...current.chartLayouts, ...patch.chartLayouts },
        providers,
        databasePasswordHost,
        // The keep rules may change here; the folder only through backups.setFolder.
        ...(patch.backups === undefined ? {} : { backups: { ...patch.backups, folder: current.backups.folder } }),
      });
      await ctx.ports.settings.write(next);
      await ctx.storage.auditLog.record({ at: ctx.now(), actor: 'user', action: 'settings.update', details: { fields: Object.keys(patch) } });
      ctx.events.emit('settings.changed', next);
      return next;
    }),
  };
}
