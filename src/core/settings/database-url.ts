/**
 * The Postgres URL the core connects with: `METALYTICS_DATABASE_URL` wins; otherwise the URL
 * from Settings (stored without its password) gets the 'database' secret as password.
 * Undefined means the embedded SQLite database. An invalid Settings URL throws, so start-up
 * can offer SQLite instead.
 */
export function resolveDatabaseUrl(options: {
  environmentUrl: string | undefined;
  settingsUrl: unknown;
  password: string | undefined;
  /** Settings' databasePasswordHost: the password goes only to that host; unset (older settings), to the saved address. */
  passwordHost?: unknown;
}): string | undefined {
  // Passed through untouched: libpq-style strings may hold options a URL round-trip would alter.
  if (options.environmentUrl) return options.environmentUrl;
  if (typeof options.settingsUrl !== 'string' || options.settingsUrl.trim() === '') return undefined;
  const url = new URL(options.settingsUrl.trim());
  const boundHere = options.passwordHost === undefined || options.passwordHost === url.host;
  // The URL setter percent-encodes, so passwords with '@', ':' or '/' survive.
  if (options.password && boundHere) url.password = options.password;
  return url.toString();
}

/**
 * `resolveDatabaseUrl` over what a shell has: the raw settings file and a way to read the
 * 'database' secret, asked for only when a Settings URL will use it (on macOS reading a
 * secret may prompt for the keychain). Both shells open the same database this way.
 */
export async function databaseUrlFromSettings(
  stored: unknown,
  environmentUrl: string | undefined,
  readPassword: () => Promise<string | undefined>,
): Promise<string | undefined> {
  const { databaseUrl: settingsUrl, databasePasswordHost: passwordHost } =
    stored !== null && typeof stored === 'object' ? (stored as { databaseUrl?: unknown; databasePasswordHost?: unknown }) : {};
  const usesPassword = !environmentUrl && typeof settingsUrl === 'string' && settingsUrl.trim() !== '';
  return resolveDatabaseUrl({ environmentUrl, settingsUrl, password: usesPassword ? await readPassword() : undefined, passwordHost });
}

/** The host:port of a database address, '' for none or an unreadable one. */
export function databaseHost(value: string | undefined): string {
  if (!value) return '';
  try {
    return new URL(value).host;
  } catch {
    return '';
  }
}

/** Where a database URL points, for messages: host, port and database name, never credentials. */
export function describeDatabaseUrl(value: string): string {
  try {
    const url = new URL(value);
    return `${url.host}${url.pathname}`;
  } catch {
    return 'the configured server';
  }
}
