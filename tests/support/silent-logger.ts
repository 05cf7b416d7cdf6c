import type { Logger } from '../../src/core/ports';

export interface RecordingLogger extends Logger {
  readonly warnings: { message: string; fields?: Record<string, unknown> }[];
}

/** A logger that prints nothing and keeps warnings for assertions. */
export function silentLogger(): RecordingLogger {
  const warnings: RecordingLogger['warnings'] = [];
  return {
    warnings,
    debug: () => undefined,
    info: () => undefined,
    warn: (message, fields) => warnings.push({ message, fields }),
    error: (message, fields) => warnings.push({ message, fields }),
  };
}
