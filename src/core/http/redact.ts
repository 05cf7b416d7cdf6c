/**
 * Query parameters that carry provider keys: Polygon `apiKey`, Twelve Data `apikey`,
 * Metals-API `access_key`, plus the generic spellings. Compared case-insensitively.
 */
const SECRET_PARAMS = new Set(['apikey', 'api_key', 'access_key', 'token']);
const REDACTED = '[redacted]';

/**
 * The URL as it may appear in a log line: key parameters and user:password blanked.
 * (src/server's redactText only masks `token=`, and the core may not import src/server.)
 */
export function redactUrl(url: URL | string): string {
  let copy: URL;
  try {
    copy = new URL(url);
  } catch {
    return REDACTED;
  }
  if (copy.username || copy.password) {
    copy.username = REDACTED;
    copy.password = '';
  }
  for (const name of [...copy.searchParams.keys()]) {
    if (SECRET_PARAMS.has(name.toLowerCase())) copy.searchParams.set(name, REDACTED);
  }
  return copy.toString();
}

/**
 * Masks each secret wherever it occurs in `text`: a provider's own error text could echo
 * the key back, and that text ends up in messages shown to the user and in logs.
 */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let masked = text;
  for (const secret of secrets) {
    // Very short values would mask ordinary words; real keys are long.
    if (secret.length >= 4) masked = masked.split(secret).join(REDACTED);
  }
  return masked;
}
