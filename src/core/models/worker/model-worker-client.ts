import { Worker } from 'node:worker_threads';
import { AppError } from '../../../shared/errors';
import type { TrainingBackend } from '../../../shared/models';
import type { Timeframe } from '../../../shared/timeframes';
import type { Logger } from '../../ports';
import { workerScript } from '../../worker-script';
import { trainingCancelled } from '../engine/cancelled';
import type { BarColumns, EpochReport, ForecastPoint, ModelWorker, TrainOutcome, TrainSpec } from '../engine/ports';
import type { FeatureMatrix } from '../pipeline/features';
import { isTfjsBackend, tfjsBackends, type TfjsBackend } from '../tfjs/backend-names';
import { barBuffers, reviveError, type BackendReply, type WorkerOptions, type WorkerReply, type WorkerRequest } from './protocol';

/** How long `close` lets the thread finish on its own before stopping it. */
const CLOSE_GRACE_MS = 2_000;

export interface ModelWorkerOptions {
  logger: Logger;
  /**
   * Where the backend chain starts, as METALYTICS_TFJS_BACKEND says it (tensorflow, wasm or
   * cpu); absent, at tfjs-node. An unknown name is logged and ignored.
   */
  preferredBackend?: string;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onEpoch?: (report: EpochReport) => void;
}

type RequestBody = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/**
 * The main thread's side of the one long-lived model worker thread.
 *
 * - The thread starts on first use, so a core that never trains never loads tfjs.
 * - Trainings run one at a time: a second `train` waits in a queue (its signal still cancels
 *   it there) rather than failing, because each is a job the user started and expects to run.
 *   Predictions do not queue behind a training: the thread answers them between two batches.
 * - A thread that dies (an uncaught error, out of memory, `terminate`) fails the calls in
 *   flight with UNAVAILABLE, and the next call starts a fresh one.
 * - An idle thread never keeps the process alive; `close` cancels everything and ends it.
 */
export class ModelWorkerClient implements ModelWorker {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private trainingTail: Promise<unknown> = Promise.resolve();
  private crashReason: string | undefined;
  private closing = false;
  private closed = false;
  private readonly options: ModelWorkerOptions;

  constructor(options: ModelWorkerOptions) {
    this.options = options;
  }

  async backend(): Promise<TrainingBackend> {
    return ((await this.call({ kind: 'backend' })) as BackendReply).backend;
  }

  /** Hands the bar columns' buffers to the thread rather than copying a long history: the caller's arrays are empty afterwards. */
  train(spec: TrainSpec, bars: BarColumns, onEpoch: (report: EpochReport) => void, signal: AbortSignal): Promise<TrainOutcome> {
    const previous = this.trainingTail;
    const outcome = (async () => {
      await untilSettledOrAborted(previous, signal);
      return (await this.call({ kind: 'train', spec, bars }, barBuffers(bars), { onEpoch, signal })) as TrainOutcome;
    })();
    // The next training waits for this one, and for the one before it when this one left the queue early.
    this.trainingTail = Promise.all([previous, outcome.catch(() => undefined)]);
    return outcome;
  }

  /**
   * Copies the bars and the artifact: a forecast needs a few hundred bars, and the live job
   * forecasts from the same bars with the active model and its shadow.
   */
  async predict(artifact: Uint8Array, bars: BarColumns): Promise<ForecastPoint[]> {
    return (await this.call({ kind: 'predict', artifact, bars })) as ForecastPoint[];
  }

  /** Hands the bar columns' buffers to the thread, as `train` does; the matrix comes back the same way. */
  async features(bars: BarColumns, timeframe: Timeframe, version: string): Promise<FeatureMatrix> {
    return (await this.call({ kind: 'features', bars, timeframe, version }, barBuffers(bars))) as FeatureMatrix;
  }

  /** Cancels every call, queued or running, and ends the thread; the client answers nothing afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    this.closing = true;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.ref();
    worker.postMessage({ kind: 'close' } satisfies WorkerRequest);
    const timer = setTimeout(() => void worker.terminate(), CLOSE_GRACE_MS);
    await exited;
    clearTimeout(timer);
    this.closing = false;
  }

  /** Stops the thread at once, as a crash would: calls in flight fail, and the next call starts a new thread. */
  async terminate(): Promise<void> {
    this.crashReason = 'it was terminated';
    await this.worker?.terminate();
  }

  private call(body: RequestBody, transfer: ArrayBuffer[] = [], stream: { onEpoch?: (report: EpochReport) => void; signal?: AbortSignal } = {}): Promise<unknown> {
    const { signal, onEpoch } = stream;
    if (this.closed) return Promise.reject(new AppError('CANCELLED', 'The model worker was closed.'));
    if (signal?.aborted) return Promise.reject(trainingCancelled());
    const worker = this.running();
    const id = ++this.nextId;
    const cancel = () => worker.postMessage({ kind: 'cancel', id } satisfies WorkerRequest);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onEpoch });
      signal?.addEventListener('abort', cancel, { once: true });
      // While an answer is awaited the thread keeps the process alive; idle, it never does.
      worker.ref();
      worker.postMessage({ ...body, id } as WorkerRequest, transfer);
    }).finally(() => {
      signal?.removeEventListener('abort', cancel);
      this.pending.delete(id);
      if (this.pending.size === 0) this.worker?.unref();
    });
  }

  private running(): Worker {
    if (this.worker) return this.worker;
    const { script, eval: evaluate } = workerScript(import.meta.url, { source: 'model-worker-thread', built: 'model-worker' });
    // execArgv is empty so that tsx's own flags, inherited under `tsx`, do not load its loader twice.
    const worker = new Worker(script, { eval: evaluate, execArgv: [], workerData: { preferredBackend: this.preferredBackend() } satisfies WorkerOptions });
    this.worker = worker;
    this.crashReason = undefined;
    worker.on('message', (message: WorkerReply) => this.receive(message));
    worker.on('error', (error) => {
      this.crashReason = error.message;
      this.options.logger.error('the model worker thread failed', { error: error.message, stack: error.stack });
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      const failure = this.closing
        ? new AppError('CANCELLED', 'The model worker was closed.')
        : new AppError('UNAVAILABLE', `The model worker stopped unexpectedly (${this.crashReason ?? `exit code ${code}`}); the next request starts a new one.`);
      for (const pending of this.pending.values()) pending.reject(failure);
    });
    void this.logBackend(worker);
    return worker;
  }

  private receive(message: WorkerReply): void {
    if (message.kind === 'output') return this.options.logger.debug('model worker output', { text: message.text });
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.kind === 'epoch') pending.onEpoch?.(message.report);
    else if (message.kind === 'done') pending.resolve(message.value);
    else pending.reject(reviveError(message.error));
  }

  private preferredBackend(): TfjsBackend | undefined {
    const name = this.options.preferredBackend;
    if (name === undefined || isTfjsBackend(name)) return name;
    this.options.logger.warn('METALYTICS_TFJS_BACKEND names no tfjs backend; trying every one', { value: name, known: tfjsBackends });
    return undefined;
  }

  /** Says once per thread which backend it settled on and why the faster ones were passed over. */
  private async logBackend(worker: Worker): Promise<void> {
    try {
      const choice = (await this.call({ kind: 'backend' })) as BackendReply;
      for (const { backend, reason } of choice.skipped) this.options.logger.info('a tfjs backend is not available here', { backend, reason });
      this.options.logger.info('models train on tfjs', { backend: choice.backend, threadId: worker.threadId });
    } catch {
      // The thread died before answering; the call that started it reports why.
    }
  }
}

export function startModelWorker(options: ModelWorkerOptions): ModelWorkerClient {
  return new ModelWorkerClient(options);
}

/** Waits for `previous` to settle; rejects with CANCELLED as soon as the signal aborts. */
function untilSettledOrAborted(previous: Promise<unknown>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(trainingCancelled());
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(trainingCancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    void previous.finally(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
