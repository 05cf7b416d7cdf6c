import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { Redactor } from '../core/logging/redact';
import type { Logger } from '../core/ports';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

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
