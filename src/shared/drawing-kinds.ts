/**
 * The kinds of chart drawing and their fixed facts, without zod (the schemas are in
 * drawings.ts): the chart on the first screen draws them, and zod would add about 90 KB to its
 * first load.
 */
export const drawingKinds = ['horizontalLine', 'trendLine', 'ray', 'rectangle', 'fibRetracement', 'text'] as const;
export type DrawingKind = (typeof drawingKinds)[number];

/** How many points each kind is drawn from: a horizontal line and a note have one, the rest two. */
export const drawingPointCounts: Readonly<Record<DrawingKind, 1 | 2>> = {
  horizontalLine: 1,
  trendLine: 2,
  ray: 2,
  rectangle: 2,
  fibRetracement: 2,
  text: 1,
};

/** The words for a kind in sentences: "a trend line has 2 points". */
export const drawingKindNames: Readonly<Record<DrawingKind, string>> = {
  horizontalLine: 'horizontal line',
  trendLine: 'trend line',
  ray: 'ray',
  rectangle: 'rectangle',
  fibRetracement: 'Fibonacci retracement',
  text: 'text note',
};

/** The retracement levels drawn between a Fibonacci retracement's two points; 0 at the second point, 1 at the first. */
export const fibonacciLevels: readonly number[] = [0, 0.236, 0.382, 0.5, 0.618, 0.786, 1];

/** A drawing per instrument; there is no sense in thousands on one chart, and a runaway client must not fill the database. */
export const MAX_DRAWINGS_PER_SYMBOL = 500;
export const MAX_NOTE_LENGTH = 500;
