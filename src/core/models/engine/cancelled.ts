import { AppError } from '../../../shared/errors';

/** What a training stopped by its signal fails with, wherever it stopped: in the queue, between batches, or with its thread. */
export function trainingCancelled(): AppError {
  return new AppError('CANCELLED', 'Training was cancelled.');
}
