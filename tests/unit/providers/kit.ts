import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { instrumentCatalogue } from '../../../src/core/instruments/catalogue';
import type { Logger } from '../../../src/core/ports';
import type { Instrument } from '../../../src/shared/domain';
import { AppError } from '../../../src/shared/errors';
import { fakeClock, FakeProviderServer, type FakeClock } from '../../support/fake-provider-server';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const MINUTE = 60_000;

export function instrument(symbol: string): Instrument {
  const found = instrumentCatalogue.find((i) => i.symbol === symbol);
  if (!found) throw new Error(`no ${symbol} in the catalogue`);
  return found;
}

/** An instrument outside the catalogue, for tickers the fake server does not know or doc samples of other pairs. */
export function customInstrument(providerSymbols: Instrument['providerSymbols'], currency = 'USD'): Instrument {
  return { symbol: 'TEST', name: 'Test instrument', kind: 'spot', unit: 'test', currency, providerSymbols };
}

export async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(page);
  return all;
}

export async function failure(work: Promise<unknown> | AsyncIterable<unknown>): Promise<AppError> {
  try {
    await (Symbol.asyncIterator in work ? collect(work) : work);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected a failure');
}

export interface LogLine {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

/** Keeps every line at every level, so tests can check what would reach a log file. */
export function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => lines.push({ level, message, fields });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export interface ProviderTestbed {
  server: FakeProviderServer;
  clock: FakeClock;
  logger: ReturnType<typeof recordingLogger>;
}

/**
 * One fake provider server for a test file, reset before each test with a fresh fake clock
 * and logger; `prepare` sets the file's defaults on the reset state.
 */
export function useFakeProviders(now: number, prepare: (state: FakeProviderServer['state']) => void = () => {}): ProviderTestbed {
  const bed = {} as ProviderTestbed;
  beforeAll(async () => {
    bed.server = await FakeProviderServer.start({ now });
  });
  afterAll(async () => {
    await bed.server.close();
  });
  beforeEach(() => {
    bed.server.reset();
    prepare(bed.server.state);
    bed.clock = fakeClock(now);
    bed.logger = recordingLogger();
  });
  return bed;
}
