import { describe, expect, it } from 'vitest';
import type { EventPayload } from '../../../../shared/contract';
import { recordEpoch, recordFinished, recordProgress, trainingFraction, type TrainingLog } from './training-log';

const epoch = (runId: string, n: number, loss: number, valLoss: number | null = null): EventPayload<'training.epoch'> => ({
  runId,
  modelType: 'lstm',
  epoch: n,
  epochs: 4,
  loss,
  valLoss,
  backend: 'wasm',
  etaMs: 1_000 * (4 - n),
});

const progress = (runId: string, kind: EventPayload<'job.progress'>['kind'], done: number, total: number | null): EventPayload<'job.progress'> => ({
  runId,
  jobId: runId,
  kind,
  done,
  total,
  unit: 'epochs',
  rate: null,
  etaMs: 500,
});

const finished = (runId: string, kind: EventPayload<'job.finished'>['kind'], status: EventPayload<'job.finished'>['status']): EventPayload<'job.finished'> => ({
  runId,
  jobId: runId,
  kind,
  status,
  rows: 0,
  error: null,
});

describe('training log', () => {
  it('keeps the loss curve of each run in epoch order, a repeated epoch replacing its point', () => {
    let log: TrainingLog = new Map();
    log = recordEpoch(log, epoch('a', 2, 0.5, 0.6));
    log = recordEpoch(log, epoch('b', 1, 9));
    log = recordEpoch(log, epoch('a', 1, 0.9, 1.0));
    log = recordEpoch(log, epoch('a', 2, 0.4, 0.55));
    expect(log.get('a')!.losses).toEqual([
      { epoch: 1, loss: 0.9, valLoss: 1.0 },
      { epoch: 2, loss: 0.4, valLoss: 0.55 },
    ]);
    expect(log.get('a')).toMatchObject({ epochs: 4, backend: 'wasm', etaMs: 2_000 });
    expect(log.get('b')!.losses).toHaveLength(1);
  });

  it('keeps events that arrive before the run is known, and ignores other kinds of jobs', () => {
    let log: TrainingLog = new Map();
    log = recordProgress(log, progress('backfill-1', 'backfill', 5, 10));
    log = recordFinished(log, finished('backfill-1', 'backfill', 'succeeded'));
    expect(log.size).toBe(0);
    log = recordProgress(log, progress('a', 'train', 3, 4));
    log = recordFinished(log, finished('a', 'train', 'succeeded'));
    expect(log.get('a')).toMatchObject({ done: 3, total: 4, etaMs: null, finished: { status: 'succeeded' } });
  });

  it('measures progress by the job total, else by epochs seen, and is complete once the run succeeded', () => {
    let log: TrainingLog = recordEpoch(new Map(), epoch('a', 1, 1));
    expect(trainingFraction(log.get('a')!)).toBe(0.25);
    log = recordProgress(log, progress('a', 'train', 3, 4));
    expect(trainingFraction(log.get('a')!)).toBe(0.75);
    log = recordFinished(log, finished('a', 'train', 'cancelled'));
    expect(trainingFraction(log.get('a')!)).toBe(0.75);
    log = recordFinished(log, finished('a', 'train', 'succeeded'));
    expect(trainingFraction(log.get('a')!)).toBe(1);
  });

  it('remembers the most recent runs only', () => {
    let log: TrainingLog = new Map();
    for (let i = 0; i < 12; i++) log = recordEpoch(log, epoch(`run-${i}`, 1, 1));
    expect([...log.keys()]).toEqual(['run-4', 'run-5', 'run-6', 'run-7', 'run-8', 'run-9', 'run-10', 'run-11']);
  });
});
