/**
 * The training worker thread: one per ModelWorkerClient, long-lived, holding tfjs and the
 * pipeline so the main thread never runs a fit. electron-vite builds it to
 * out/main/model-worker.js; from source (tsx, vitest) it is loaded through tsx's tsImport.
 * See model-worker-client.ts.
 *
 * Trainings arrive one at a time (the client queues them); predictions may arrive while one
 * runs and are answered between two of its batches, which is also where a cancel lands.
 */
import { format } from 'node:util';
import { parentPort, workerData } from 'node:worker_threads';
import { trainingCancelled } from '../engine/cancelled';
import { computeFeatures } from '../pipeline/features';
import { predictWithArtifact, trainModel } from '../pipeline/train';
import { selectBackend } from '../tfjs/backend';
import { createTfjsEngine } from '../tfjs/tfjs-engine';
import { carryError, type BackendReply, type WorkerOptions, type WorkerReply, type WorkerRequest } from './protocol';

const port = parentPort!;
const options = workerData as WorkerOptions;

/**
 * tfjs and Emscripten print notices through the console; they go to the client's log instead
 * of the process's stdout (the CLI's --json output) and stderr. Not through the worker's stdio
 * streams: a parent reading those is kept alive by them after the thread is unref'd.
 */
for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  console[method] = (...args: unknown[]) => reply({ kind: 'output', text: format(...args) });
}

const ready = selectBackend(options.preferredBackend).then((choice) => ({ choice, engine: createTfjsEngine(choice.backend) }));
const running = new Map<number, AbortController>();

const reply = (message: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

async function answer(request: Exclude<WorkerRequest, { kind: 'cancel' | 'close' }>): Promise<void> {
  const { id } = request;
  const controller = new AbortController();
  try {
    if (request.kind === 'features') {
      // Pure TypeScript: it needs no backend, so it does not wait for tfjs to load.
      const matrix = computeFeatures(request.bars, request.timeframe, request.version);
      return reply({ kind: 'done', id, value: matrix }, [matrix.values.buffer as ArrayBuffer]);
    }
    const { choice, engine } = await ready;
    switch (request.kind) {
      case 'backend':
        return reply({ kind: 'done', id, value: choice satisfies BackendReply });
      case 'train': {
        running.set(id, controller);
        const outcome = await trainModel(request.spec, request.bars, engine, {
          onEpoch: (report) => reply({ kind: 'epoch', id, report }),
          signal: controller.signal,
        });
        return reply({ kind: 'done', id, value: outcome }, [outcome.artifact.buffer as ArrayBuffer]);
      }
      case 'predict':
        return reply({ kind: 'done', id, value: await predictWithArtifact(request.artifact, request.bars, engine) });
    }
  } catch (error) {
    // Whatever stopped at the signal (the engine between batches, the pipeline between fits) was cancelled.
    reply({ kind: 'failed', id, error: carryError(controller.signal.aborted ? trainingCancelled() : error) });
  } finally {
    running.delete(id);
  }
}

port.on('message', (request: WorkerRequest) => {
  switch (request.kind) {
    case 'cancel':
      running.get(request.id)?.abort();
      return;
    case 'close':
      for (const controller of running.values()) controller.abort();
      port.close();
      return;
    default:
      void answer(request);
  }
});
