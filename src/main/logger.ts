import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/ports';

const REDACTED = '[redacted]';
const secretKeyPattern = /pass(word)?|secret|token|api[-_]?key|authorization|cookie|credential/i;
/** `scheme://user:password@host` in any message or field, e.g. a Postgres URL in a driver error. */
const urlCredentialsPattern = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Masks what must never reach a log: values under secret-looking keys, passwords inside URLs,
 * and every secret value the app has handled (registered with `addSecret`).
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  addSecret(value: string): void {
    // Very short values would mask ordinary words; real keys and passwords are longer.
    if (value.length >= 4) this.secrets.add(value);
  }

  text(value: string): string {
    let result = value.replace(urlCredentialsPattern, `$1${REDACTED}@`);
    for (const secret of this.secrets) result = result.split(secret).join(REDACTED);
    return result;
  }

  value(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.text(value);
    if (value instanceof Error) return this.text(value.stack ?? value.message);
    if (depth > 5 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((item) => this.value(item, depth + 1));
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, secretKeyPattern.test(key) ? REDACTED : this.value(item, depth + 1)]),
    );
  }
}

export interface MainLogger extends Logger {
  readonly redactor: Redactor;
  close(): Promise<void>;
}

/**
 * JSON lines in `<dataDir>/logs/main.log`, echoed to the terminal in development; every
 * line passes through the redactor first.
 */
export function createMainLogger(options: { dataDir: string; echo: boolean; minLevel?: LogLevel }): MainLogger {
  const levels: LogLevel[] = ['debug', 'info', 'warn', 'error'];
  const minIndex = levels.indexOf(options.minLevel ?? 'info');
  const redactor = new Redactor();
  const logDir = path.join(options.dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const file: WriteStream = createWriteStream(path.join(logDir, 'main.log'), { flags: 'a', mode: 0o600 });

  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (levels.indexOf(level) < minIndex) return;
    const entry = { time: new Date().toISOString(), level, message: redactor.text(message), ...(fields ? { fields: redactor.value(fields) } : {}) };
    const line = JSON.stringify(entry);
    file.write(`${line}\n`);
    if (options.echo) (level === 'error' ? console.error : console.log)(line);
  };

  return {
    redactor,
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
    close: () => new Promise<void>((resolve) => file.end(resolve)),
  };
}
