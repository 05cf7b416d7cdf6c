import type { EventPayload } from '../../../../shared/contract';
import type { LossPoint } from '../../../../shared/models';

/** What the events have said about one training run so far. */
export interface TrainingRunLog {
  runId: string;
  /** Loss and validation loss per epoch, in epoch order. */
  losses: LossPoint[];
  /** The epoch limit; early stopping may end the run before it. */
  epochs: number | null;
  backend: string | null;
  done: number;
  total: number | null;
  unit: string;
  etaMs: number | null;
  finished: EventPayload<'job.finished'> | null;
}

/** Runs remembered; an older one is dropped when a newer one starts. */
const RUNS_KEPT = 8;

/**
 * Events of every training run, keyed by run id. Events can arrive before models.train's
 * reply names its run (a ridge fit ends in milliseconds), so they are kept for any run and
 * the form reads the one it started once it knows the id.
 */
export type TrainingLog = ReadonlyMap<string, TrainingRunLog>;

function withRun(log: TrainingLog, runId: string, change: (run: TrainingRunLog) => TrainingRunLog): TrainingLog {
  const next = new Map(log);
  const run = next.get(runId) ?? { runId, losses: [], epochs: null, backend: null, done: 0, total: null, unit: 'epochs', etaMs: null, finished: null };
  next.delete(runId);
  next.set(runId, change(run));
  while (next.size > RUNS_KEPT) next.delete(next.keys().next().value!);
  return next;
}

export function recordEpoch(log: TrainingLog, event: EventPayload<'training.epoch'>): TrainingLog {
  return withRun(log, event.runId, (run) => ({
    ...run,
    // A repeated epoch (a resent event) replaces its point instead of drawing it twice.
    losses: [...run.losses.filter((point) => point.epoch !== event.epoch), { epoch: event.epoch, loss: event.loss, valLoss: event.valLoss }].sort(
      (a, b) => a.epoch - b.epoch,
    ),
    epochs: event.epochs,
    backend: event.backend,
    etaMs: event.etaMs ?? run.etaMs,
  }));
}

export function recordProgress(log: TrainingLog, event: EventPayload<'job.progress'>): TrainingLog {
  if (event.kind !== 'train') return log;
  return withRun(log, event.runId, (run) => ({ ...run, done: event.done, total: event.total, unit: event.unit, etaMs: event.etaMs }));
}

export function recordFinished(log: TrainingLog, event: EventPayload<'job.finished'>): TrainingLog {
  if (event.kind !== 'train') return log;
  return withRun(log, event.runId, (run) => ({ ...run, finished: event, etaMs: null }));
}

/** 0 to 1: from progress events when they give a total, else from the epochs seen; 1 once finished. */
export function trainingFraction(run: TrainingRunLog): number {
  if (run.finished?.status === 'succeeded') return 1;
  if (run.total !== null && run.total > 0) return Math.min(1, run.done / run.total);
  return run.epochs ? Math.min(1, run.losses.length / run.epochs) : 0;
}
