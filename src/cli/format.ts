import type { ErrorPayload } from '../shared/errors';
import { nominalTimeframeMs, type Timeframe } from '../shared/timeframes';
import { exitCodeFor } from './exit-codes';

/** Where a command writes; injected so the formatting can be tested without a process. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal that can redraw a progress line in place. */
  errIsTTY: boolean;
}

export const processOutput: CliOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  errIsTTY: Boolean(process.stderr.isTTY),
};

const DAY_MS = 86_400_000;

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/** A count with its noun, plural unless it is one: "1 page", "2,400 rows". */
export const formatPlural = (count: number, noun: string) => `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`;

/** A price or volume as stored, without binary floating-point noise (677.2401139999997 → 677.240114). */
export function formatNumber(value: number): string {
  return String(Number(value.toPrecision(12)));
}

/** UTC, as the core stores it: a date for daily and coarser bars, minutes for intraday ones. */
export function formatTime(ms: number, timeframe?: Timeframe): string {
  const iso = new Date(ms).toISOString();
  const daily = timeframe !== undefined && nominalTimeframeMs(timeframe) >= DAY_MS;
  return daily ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

export function formatRange(first: number | null, last: number | null, timeframe?: Timeframe): string {
  if (first === null || last === null) return 'none';
  return `${formatTime(first, timeframe)} … ${formatTime(last, timeframe)} UTC`;
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A plain left-aligned table; numeric columns (`right`) are right-aligned so digits line up. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number> = new Set()): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (right.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].map((text) => `  ${text}\n`).join('');
}

/** Label/value lines with the values aligned. */
export function formatFields(fields: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `  ${label.padEnd(width)}  ${value}\n`).join('');
}

/** Says what went wrong in the core's own sentence (and as JSON with --json); returns the exit code. */
export function reportFailure(output: CliOutput, error: ErrorPayload, json: boolean | undefined): number {
  if (json) output.out(`${JSON.stringify({ error }, null, 2)}\n`);
  output.err(`${error.message}\n`);
  return exitCodeFor(error.code);
}
