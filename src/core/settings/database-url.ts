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
}): string | undefined {
  // Passed through untouched: libpq-style strings may hold options a URL round-trip would alter.
  if (options.environmentUrl) return options.environmentUrl;
  if (typeof options.settingsUrl !== 'string' || options.settingsUrl.trim() === '') return undefined;
  const url = new URL(options.settingsUrl.trim());
  // The URL setter percent-encodes, so passwords with '@', ':' or '/' survive.
  if (options.password) url.password = options.password;
  return url.toString();
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
