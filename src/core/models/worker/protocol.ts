/**
 * The messages between the main thread's ModelWorker client and the training worker thread.
 * Every request but `close` carries an id its replies repeat; `epoch` replies stream while a
 * training runs, and exactly one `done` or `failed` ends each request.
 */
import { AppError, errorCodes, type ErrorCode } from '../../../shared/errors';
import type { TrainingBackend } from '../../../shared/models';
import type { Timeframe } from '../../../shared/timeframes';
import type { BarColumns, EpochReport, TrainSpec } from '../engine/ports';
import type { BackendChoice } from '../tfjs/backend';
import type { TfjsBackend } from '../tfjs/backend-names';

export interface WorkerOptions {
  /** Where the backend chain starts (METALYTICS_TFJS_BACKEND); absent, at tfjs-node. */
  preferredBackend?: TfjsBackend;
}

export type WorkerRequest =
  | { kind: 'backend'; id: number }
  | { kind: 'train'; id: number; spec: TrainSpec; bars: BarColumns }
  | { kind: 'predict'; id: number; artifact: Uint8Array; bars: BarColumns }
  | { kind: 'features'; id: number; bars: BarColumns; timeframe: Timeframe; version: string }
  /** Stops the training `id` between two batches; it then fails with CANCELLED. */
  | { kind: 'cancel'; id: number }
  /** Cancels whatever runs and lets the thread end. */
  | { kind: 'close' };

export type WorkerReply =
  /** A console line from the thread (tfjs prints its notices there), for the log. */
  | { kind: 'output'; text: string }
  | { kind: 'epoch'; id: number; report: EpochReport }
  | { kind: 'done'; id: number; value: unknown }
  | { kind: 'failed'; id: number; error: CarriedError };

export type BackendReply = BackendChoice & { backend: TrainingBackend };

/** An error as it crosses the port: AppError codes survive; anything else keeps its message and stack for the log. */
export interface CarriedError {
  code: ErrorCode | null;
  message: string;
  details?: unknown;
  stack?: string;
}

export function carryError(error: unknown): CarriedError {
  if (error instanceof AppError) return { code: error.code, message: error.message, details: error.details, stack: error.stack };
  if (error instanceof Error) return { code: null, message: error.message, stack: error.stack };
  return { code: null, message: String(error) };
}

export function reviveError(carried: CarriedError): Error {
  const known = carried.code !== null && (errorCodes as readonly string[]).includes(carried.code);
  const error = known ? new AppError(carried.code as ErrorCode, carried.message, carried.details) : new Error(carried.message);
  if (carried.stack) error.stack = `${carried.stack}\n    (thrown in the model worker thread)`;
  return error;
}

/** The distinct buffers under the bar columns, to transfer rather than copy (a buffer listed twice is refused). */
export function barBuffers(bars: BarColumns): ArrayBuffer[] {
  const columns = [bars.time, bars.open, bars.high, bars.low, bars.close, bars.volume];
  return [...new Set(columns.map((column) => column.buffer as ArrayBuffer))];
}
