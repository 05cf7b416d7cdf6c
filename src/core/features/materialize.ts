/**
 * Materialising a feature set into `feature_store`. One source of truth: the rows are
 * `computeFeatures` over the bars `loadBars` gives for the range, the very call and the very
 * bars `models.train` fits on for the same range, so the store is a view of what training
 * computes, never a second implementation. Training keeps computing its features from bars
 * (tests/integration/features.test.ts checks the stored rows equal them); the exponential
 * averages are seeded at the range's first bar, so a row equals training's row at the same
 * time when both start at the same bar.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ParsedInput, MethodOutput } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import type { CoreContext } from '../context';
import type { FeatureRow } from '../storage/types';
import { toBarColumns } from '../models/pipeline/bar-columns';
import { featureRecord } from '../models/pipeline/features';
import { loadBars } from '../models/service/bar-data';
import { FEATURE_WARMUP_BARS } from '../models/service/train-spec';

/** Rows per transaction: short enough that building and writing one never holds the main thread for long. */
const ROWS_PER_CHUNK = 200;

async function knownInstrument(ctx: CoreContext, symbol: string): Promise<void> {
  if (!(await ctx.storage.instruments.get(symbol))) throw new AppError('NOT_FOUND', `There is no instrument ${symbol}.`, { symbol });
}

export async function materializeFeatures(ctx: CoreContext, input: ParsedInput<'features.materialize'>): Promise<MethodOutput<'features.materialize'>> {
  const { symbol, timeframe, from, to, featureSetVersion } = input;
  await knownInstrument(ctx, symbol);
  const bars = await loadBars(ctx.storage, { symbol, timeframe, from, to });
  if (bars.length <= FEATURE_WARMUP_BARS) {
    throw new AppError(
      'VALIDATION',
      `Feature set ${featureSetVersion} needs more than ${FEATURE_WARMUP_BARS} bars of ${symbol} ${timeframe} (its warm-up) to give a complete row; the range holds ${bars.length}.`,
      { needed: FEATURE_WARMUP_BARS + 1, available: bars.length },
    );
  }
  const description = `Materialising feature set ${featureSetVersion} of ${symbol} ${timeframe}`;
  const { runId, value } = await ctx.jobs.run('features', description, 'rows', async (job) => {
    const matrix = await ctx.modelWorker.features(toBarColumns(bars), timeframe, featureSetVersion);
    job.throwIfCancelled();
    if (matrix.firstComplete >= matrix.rows) {
      throw new AppError('VALIDATION', `No bar of ${symbol} ${timeframe} in the range has a complete row of feature set ${featureSetVersion}: a warm-up value is missing or not finite.`);
    }
    const computedAt = ctx.now();
    const total = matrix.rows - matrix.firstComplete;
    for (let start = matrix.firstComplete; start < matrix.rows; start += ROWS_PER_CHUNK) {
      const chunk: FeatureRow[] = [];
      for (let row = start; row < Math.min(start + ROWS_PER_CHUNK, matrix.rows); row++) {
        chunk.push({ symbol, timeframe, featureSetVersion, time: bars[row]!.time, features: featureRecord(matrix, row), computedAt });
      }
      await ctx.storage.transaction((tx) => tx.featureStore.upsert(chunk));
      job.addCommittedRows(chunk.length);
      job.progress(start + chunk.length - matrix.firstComplete, total);
      job.throwIfCancelled();
      // SQLite's writes are synchronous: let timers and sockets in between chunks.
      await nextTurn();
    }
    // Last, so a run stopped midway leaves the earlier rows rather than none.
    const range = { from: bars[matrix.firstComplete]!.time, to: bars.at(-1)!.time };
    await ctx.storage.featureStore.removeStale({ symbol, timeframe, featureSetVersion, computedAt, ...range });
    return { rows: total, value: { columns: matrix.columns, rows: total, ...range } };
  });
  return { symbol, timeframe, featureSetVersion, ...value, runId };
}

export async function queryFeatures(ctx: CoreContext, input: ParsedInput<'features.query'>): Promise<MethodOutput<'features.query'>> {
  await knownInstrument(ctx, input.symbol);
  const rows = await ctx.storage.featureStore.query(input);
  return { featureSetVersion: input.featureSetVersion, rows: rows.map(({ time, features, computedAt }) => ({ time, features, computedAt })) };
}
