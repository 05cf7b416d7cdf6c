/**
 * The one place that decides what a log line, an error message or a request record may
 * show. The Electron logger, the headless logger and the HTTP client all pass through it.
 */
export const REDACTED = '[redacted]';

/** Field names whose values are secrets; booleans (`hasKey`) and nulls say nothing and are kept. */
const SECRET_FIELD = /key|token|password|passwd|passphrase|secret|authorization|cookie|credential/i;
/** Query parameters that carry keys: Polygon `apiKey`, Twelve Data `apikey`, Metals-API `access_key`, our `token`. */
const SECRET_PARAMS = new Set(['apikey', 'api_key', 'access_key', 'token']);
/** `scheme://user:password@host` anywhere in text, e.g. a Postgres URL inside a driver error. */
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@/?#\s]*@/gi;
const BEARER = /(\bbearer\s+)[^\s"',]+/gi;
const SECRET_PARAM_IN_TEXT = /([?&#](?:apikey|api_key|access_key|token)=)[^&#\s"']+/gi;
/** Shorter values would mask ordinary words; real keys and passwords are longer. */
const MIN_SECRET_LENGTH = 4;

/** Masks each known secret wherever it occurs: a provider's error text may echo the key back. */
export function maskSecrets(text: string, secrets: Iterable<string>): string {
  let masked = text;
  for (const secret of secrets) {
    if (secret.length >= MIN_SECRET_LENGTH) masked = masked.split(secret).join(REDACTED);
  }
  return masked;
}

/** Redacts by shape (URL passwords, bearer tokens, key parameters) plus every secret value registered with it. */
export class Redactor {
  private readonly secrets = new Set<string>();

  addSecret(value: string): void {
    if (value.length >= MIN_SECRET_LENGTH) this.secrets.add(value);
  }

  text(text: string): string {
    const byShape = text
      .replace(URL_CREDENTIALS, `$1${REDACTED}@`)
      .replace(BEARER, `$1${REDACTED}`)
      .replace(SECRET_PARAM_IN_TEXT, `$1${REDACTED}`);
    return maskSecrets(byShape, this.secrets);
  }

  /** A copy of `value` safe to log: secret-named fields blanked, secrets inside text masked. */
  value(value: unknown, seen = new WeakSet<object>()): unknown {
    if (typeof value === 'string') return this.text(value);
    if (value instanceof Error) return this.text(value.stack ?? value.message);
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return '[circular]';
    seen.add(value);
    if (Array.isArray(value)) return value.map((item) => this.value(item, seen));
    const copy: Record<string, unknown> = {};
    for (const [field, fieldValue] of Object.entries(value)) {
      const hidesSecret = SECRET_FIELD.test(field) && fieldValue !== null && fieldValue !== undefined && typeof fieldValue !== 'boolean';
      copy[field] = hidesSecret ? REDACTED : this.value(fieldValue, seen);
    }
    return copy;
  }
}

const byShapeOnly = new Redactor();

/** Redacts text by shape alone, for callers that hold no secret values (CLI error output). */
export function redactText(text: string): string {
  return byShapeOnly.text(text);
}

/** The URL as it may appear in a log line: key parameters and user:password blanked. */
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
