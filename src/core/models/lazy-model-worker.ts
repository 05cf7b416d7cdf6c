import type { ModelWorker } from './engine/ports';

/**
 * The core's one training worker, started on first use: a core that never trains or predicts
 * (most CLI commands, most tests) never starts a thread. `close` ends it if it was started.
 */
export class LazyModelWorker implements ModelWorker {
  private worker: ModelWorker | undefined;

  constructor(private readonly start: () => ModelWorker) {}

  private get started(): ModelWorker {
    this.worker ??= this.start();
    return this.worker;
  }

  backend: ModelWorker['backend'] = () => this.started.backend();
  train: ModelWorker['train'] = (...args) => this.started.train(...args);
  predict: ModelWorker['predict'] = (...args) => this.started.predict(...args);

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.close();
  }
}
