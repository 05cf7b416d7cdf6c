import { AppError } from '../../shared/errors';
import type { ModelWorker } from './engine/ports';

/** Seam for the worker thread host (src/core/models/worker/), which replaces this when it lands. */
export function startTrainingWorker(): ModelWorker {
  throw new AppError('UNAVAILABLE', 'The training worker is not part of this build yet.');
}
