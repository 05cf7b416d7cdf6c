/**
 * Drift statistics: how far live data and live errors have moved from what a model was trained
 * and tested on. Plain functions over plain data, so the artifact can carry the training side
 * and the live side can be computed anywhere.
 */
import type { FeatureMatrix } from './features';

/** The common convention: a population-stability index at or above 0.2 is a significant shift. */
export const PSI_SIGNIFICANT = 0.2;
/** Bins of each feature's reference histogram: deciles of the training rows. */
const PSI_BINS = 10;
/** A bin with no rows on one side would make the index infinite; it counts as this share instead. */
const PSI_FLOOR = 1e-4;

/** Out-of-distribution: the nearest training row is this many times further than training rows are from each other. */
export const OOD_SCORE_THRESHOLD = 3;
/** Training rows kept for the nearest-neighbour search, evenly spaced, so predicting stays cheap and the artifact small. */
const OOD_REFERENCE_ROWS = 500;

export interface FeatureHistogram {
  column: string;
  /** Interior bin edges (ascending); a value v falls in the first bin whose edge is above it. */
  edges: number[];
  /** Share of training rows per bin; edges.length + 1 bins. */
  proportions: number[];
}

function binOf(edges: readonly number[], value: number): number {
  let bin = 0;
  while (bin < edges.length && value >= edges[bin]!) bin++;
  return bin;
}

function proportions(edges: readonly number[], values: ArrayLike<number>): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) counts[binOf(edges, values[i]!)]!++;
  return counts.map((count) => count / values.length);
}

/** Decile histogram of one column's training values; repeated edges (a discrete feature) are merged. */
export function histogramOf(column: string, values: ArrayLike<number>): FeatureHistogram {
  const sorted = Float64Array.from(values).sort();
  const edges: number[] = [];
  for (let k = 1; k < PSI_BINS; k++) {
    const edge = sorted[Math.floor((k * sorted.length) / PSI_BINS)]!;
    if (edges.length === 0 || edge > edges[edges.length - 1]!) edges.push(edge);
  }
  return { column, edges, proportions: proportions(edges, values) };
}

/** A reference histogram per feature over the given (training) rows of the raw features. */
export function featureHistograms(features: FeatureMatrix, rows: ArrayLike<number>): FeatureHistogram[] {
  return features.columns.map((column, c) =>
    histogramOf(
      column,
      Float64Array.from({ length: rows.length }, (_, i) => features.values[rows[i]! * features.width + c]!),
    ),
  );
}

/** Σ (live − reference) · ln(live / reference) over the reference bins. */
export function populationStabilityIndex(reference: FeatureHistogram, live: ArrayLike<number>): number {
  const liveShares = proportions(reference.edges, live);
  let index = 0;
  reference.proportions.forEach((expected, bin) => {
    const e = Math.max(expected, PSI_FLOOR);
    const a = Math.max(liveShares[bin]!, PSI_FLOOR);
    index += (a - e) * Math.log(a / e);
  });
  return index;
}

/**
 * Page–Hinkley test for an increase in the mean of a stream (here: the model's loss minus
 * naive's, so an alarm means the model has started losing to naive). `delta` is the change
 * tolerated as noise, `threshold` the cumulative excess that raises the alarm.
 */
export interface PageHinkleyState {
  count: number;
  mean: number;
  cumulative: number;
  minimum: number;
}

export const pageHinkleyStart = (): PageHinkleyState => ({ count: 0, mean: 0, cumulative: 0, minimum: 0 });

export function pageHinkleyStep(state: PageHinkleyState, value: number, delta: number): PageHinkleyState {
  const count = state.count + 1;
  const mean = state.mean + (value - state.mean) / count;
  const cumulative = state.cumulative + value - mean - delta;
  return { count, mean, cumulative, minimum: Math.min(state.minimum, cumulative) };
}

/** The statistic m_T − min m_t; an alarm when it exceeds the threshold. */
export const pageHinkleyStatistic = (state: PageHinkleyState) => state.cumulative - state.minimum;

/** Runs the test over a whole stream; `alarmAt` is the index of the first value that raised the alarm. */
export function pageHinkley(values: ArrayLike<number>, delta: number, threshold: number): { state: PageHinkleyState; alarmAt: number | null } {
  let state = pageHinkleyStart();
  let alarmAt: number | null = null;
  for (let i = 0; i < values.length; i++) {
    state = pageHinkleyStep(state, values[i]!, delta);
    if (alarmAt === null && pageHinkleyStatistic(state) > threshold) alarmAt = i;
  }
  return { state, alarmAt };
}

/** Scaled training rows for the out-of-distribution score, and how far apart they typically are. */
export interface OodReference {
  width: number;
  /** Row-major scaled feature rows. */
  rows: number[];
  /** Mean distance from a reference row to its nearest other reference row. */
  typicalDistance: number;
}

function distance(a: ArrayLike<number>, aOffset: number, b: ArrayLike<number>, bOffset: number, width: number): number {
  let sum = 0;
  for (let c = 0; c < width; c++) sum += (a[aOffset + c]! - b[bOffset + c]!) ** 2;
  return Math.sqrt(sum);
}

/** Keeps at most OOD_REFERENCE_ROWS of the training rows, evenly spaced in time. */
export function oodReference(scaled: Float64Array, width: number, trainingBars: ArrayLike<number>): OodReference {
  const keep = Math.min(OOD_REFERENCE_ROWS, trainingBars.length);
  const rows: number[] = [];
  for (let k = 0; k < keep; k++) {
    const bar = trainingBars[Math.floor((k * trainingBars.length) / keep)]!;
    for (let c = 0; c < width; c++) rows.push(scaled[bar * width + c]!);
  }
  let total = 0;
  for (let i = 0; i < keep; i++) {
    let nearest = Infinity;
    for (let j = 0; j < keep; j++) if (j !== i) nearest = Math.min(nearest, distance(rows, i * width, rows, j * width, width));
    total += nearest;
  }
  return { width, rows, typicalDistance: keep > 1 ? total / keep : 0 };
}

/**
 * Distance from a scaled feature row to its nearest reference row over the typical
 * nearest-neighbour distance among training rows (the idea of freqtrade's dissimilarity
 * index): about 1 inside the training cloud, OOD_SCORE_THRESHOLD and above well outside it.
 */
export function oodScore(reference: OodReference, row: ArrayLike<number>): number {
  let nearest = Infinity;
  for (let offset = 0; offset < reference.rows.length; offset += reference.width) {
    nearest = Math.min(nearest, distance(reference.rows, offset, row, 0, reference.width));
  }
  return reference.typicalDistance > 0 ? nearest / reference.typicalDistance : nearest === 0 ? 0 : Infinity;
}
