import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EpochReport, TrainSpec } from '../../src/core/models/engine/ports';
import { toBarColumns } from '../../src/core/models/pipeline/bar-columns';
import { startModelWorker, type ModelWorkerClient } from '../../src/core/models/worker/model-worker-client';
import type { Bar } from '../../src/shared/domain';
import { metaTraderDailyBars } from '../support/shared-data';
import { silentLogger } from '../support/silent-logger';
import { spec } from '../unit/models/model-fixtures';

/** The last 600 XAU daily bars; `columns()` makes fresh arrays each time, since a training takes their buffers. */
const daily = metaTraderDailyBars().slice(-600);
const columns = (bars: readonly Bar[] = daily) => toBarColumns(bars);

const lstmSpec = (overrides: Partial<TrainSpec> = {}) => spec({ modelType: 'lstm', epochs: 3, ...overrides });

const never = new AbortController().signal;
let worker: ModelWorkerClient;

beforeAll(() => {
  worker = startModelWorker({ logger: silentLogger() });
});

afterAll(async () => {
  await worker.close();
});

describe('the model worker thread', () => {
  it('trains an LSTM off the main thread, streaming epochs, while a main-thread timer keeps ticking', async () => {
    const backend = await worker.backend();
    expect(['tensorflow', 'wasm']).toContain(backend);
    let last = performance.now();
    let maxGapMs = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      maxGapMs = Math.max(maxGapMs, now - last);
      last = now;
    }, 5);
    const reports: EpochReport[] = [];
    const bars = columns();
    try {
      const outcome = await worker.train(lstmSpec(), bars, (report) => reports.push(report), never);
      expect(outcome.backend).toBe(backend);
      expect(reports.map((report) => report.epoch)).toEqual(outcome.lossHistory.map((point) => point.epoch));
      expect(reports.every((report) => report.epochs === 3 && Number.isFinite(report.loss))).toBe(true);
      // The bars' buffers went to the thread rather than being copied.
      expect(bars.close.byteLength).toBe(0);
      const recent = columns();
      const forecasts = await worker.predict(outcome.artifact, recent);
      expect(forecasts.length).toBeGreaterThan(0);
      expect(forecasts.every((point) => Number.isFinite(point.predicted))).toBe(true);
      // A forecast copies its bars, so the same bars serve a second model, and the same artifact forecasts the same.
      expect(await worker.predict(outcome.artifact, recent)).toEqual(forecasts);
    } finally {
      clearInterval(ticker);
    }
    // Loose: a fit on the main thread would hold it for seconds; the bench measures the tight figure.
    expect(maxGapMs).toBeLessThan(500);
  });

  it('answers a forecast while a training runs, without waiting for it', async () => {
    const { artifact } = await worker.train(lstmSpec({ epochs: 1 }), columns(), () => undefined, never);
    const events: string[] = [];
    let forecasting: Promise<unknown> | undefined;
    const training = worker.train(lstmSpec({ epochs: 4, patience: 10 }), columns(), (report) => {
      events.push(`epoch ${report.epoch}`);
      if (report.epoch === 1) forecasting = worker.predict(artifact, columns()).then(() => events.push('forecast'));
    }, never);
    await training;
    await forecasting;
    expect(events.indexOf('forecast')).toBeGreaterThan(0);
    expect(events.indexOf('forecast')).toBeLessThan(events.indexOf('epoch 4'));
  });

  it('trains the same from the same seed', async () => {
    const first = await worker.train(lstmSpec({ epochs: 2 }), columns(), () => undefined, never);
    const second = await worker.train(lstmSpec({ epochs: 2 }), columns(), () => undefined, never);
    expect(second.lossHistory).toEqual(first.lossHistory);
    expect(Buffer.from(second.artifact).equals(Buffer.from(first.artifact))).toBe(true);
  });

  it('cancels a running training between batches, and a queued one before it starts', async () => {
    const running = new AbortController();
    const queued = new AbortController();
    const queuedEpochs: EpochReport[] = [];
    const first = worker.train(lstmSpec({ epochs: 200 }), columns(), (report) => report.epoch === 1 && running.abort(), running.signal);
    const second = worker.train(lstmSpec(), columns(), (report) => queuedEpochs.push(report), queued.signal);
    queued.abort();
    await expect(second).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(first).rejects.toMatchObject({ code: 'CANCELLED', message: 'Training was cancelled.' });
    expect(queuedEpochs).toEqual([]);
    // The thread is free again.
    expect((await worker.train(lstmSpec({ epochs: 1 }), columns(), () => undefined, never)).lossHistory).toHaveLength(1);
  });

  it('carries a failure back from the thread with its message, and where it was thrown for the log', async () => {
    const failure = await worker.train(lstmSpec(), columns(daily.slice(0, 10)), () => undefined, never).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/Too few samples/);
    // A refusal of the input stays a VALIDATION answer across the thread, not an internal error.
    expect(failure).toMatchObject({ code: 'VALIDATION' });
    expect((failure as Error).stack).toContain('(thrown in the model worker thread)');
  });

  it('fails the call in flight clearly when the thread dies, and the next call starts a new thread', async () => {
    const training = worker.train(lstmSpec({ epochs: 200 }), columns(), (report) => report.epoch === 1 && void worker.terminate(), never);
    await expect(training).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('The model worker stopped unexpectedly') });
    const outcome = await worker.train(lstmSpec({ epochs: 1 }), columns(), () => undefined, never);
    expect(outcome.lossHistory).toHaveLength(1);
  });

  it('starts the backend chain where METALYTICS_TFJS_BACKEND says, and ignores a name it does not know', async () => {
    const output: unknown[] = [];
    const onCpu = startModelWorker({ logger: { ...silentLogger(), debug: (message, fields) => message === 'model worker output' && output.push(fields?.text) }, preferredBackend: 'cpu' });
    const logger = silentLogger();
    const unknown = startModelWorker({ logger, preferredBackend: 'webgpu' });
    try {
      expect(await onCpu.backend()).toBe('cpu');
      // tfjs's notice on starting cpu reaches the log, not the process's stdout.
      await onCpu.train(lstmSpec({ epochs: 1 }), columns(), () => undefined, never);
      expect(output).toContainEqual(expect.stringContaining('running TensorFlow.js in Node.js'));
      expect(await unknown.backend()).toBe(await worker.backend());
      expect(logger.warnings.map(({ message }) => message)).toEqual(['METALYTICS_TFJS_BACKEND names no tfjs backend; trying every one']);
    } finally {
      await onCpu.close();
      await unknown.close();
    }
  });

  it('refuses calls once closed', async () => {
    const closing = startModelWorker({ logger: silentLogger() });
    expect(['tensorflow', 'wasm']).toContain(await closing.backend());
    await closing.close();
    await expect(closing.backend()).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
