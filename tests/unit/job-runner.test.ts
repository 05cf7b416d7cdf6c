import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../../src/shared/errors';
import type { EventMessage } from '../../src/shared/contract';
import type { JobRun } from '../../src/shared/domain';
import { EventBus } from '../../src/core/events';
import { HEARTBEAT_INTERVAL_MS, JobRunner, STALE_RUN_MS } from '../../src/core/jobs/job-runner';
import type { JobRunRepository } from '../../src/core/storage/types';

type MemoryRun = JobRun & { owner: string; details: Record<string, unknown> | null };

function memoryRuns(): JobRunRepository & { rows: Map<string, MemoryRun> } {
  const rows = new Map<string, MemoryRun>();
  return {
    rows,
    async start(run) {
      rows.set(run.id, { ...run, ingestJobId: run.ingestJobId ?? null, status: 'running', finishedAt: null, rows: 0, error: null, details: null });
    },
    async finish(id, end) { rows.set(id, { ...rows.get(id)!, ...end, details: end.details ?? null }); },
    async get(id) { return rows.get(id); },
    async list() { return [...rows.values()]; },
    async heartbeat() { return 0; },
    async failInterrupted() { return 0; },
    async runningOwners() { return [...new Set([...rows.values()].filter((r) => r.status === 'running').map((r) => r.owner))]; },
  };
}

const owner = { owner: 'test-process' };

const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('JobRunner', () => {
  it('records success with rows and emits progress with rate and ETA, then finished', async () => {
    const runs = memoryRuns();
    const bus = new EventBus();
    const seen: EventMessage[] = [];
    bus.subscribe((m) => seen.push(m));
    let clock = 1_000;
    const runner = new JobRunner(runs, bus, silent, () => clock, owner);
    const { runId, value } = await runner.run('import', 'test import', 'bars', async (job) => {
      clock += 1_000;
      job.progress(50, 100);
      clock += 1_000;
      job.progress(100, 100);
      return { value: 'done', rows: 100 };
    });
    expect(value).toBe('done');
    expect(runs.rows.get(runId)).toMatchObject({ status: 'succeeded', rows: 100, error: null, finishedAt: 3_000 });
    const progress = seen.filter((m) => m.name === 'job.progress').map((m) => m.payload);
    expect(progress[0]).toMatchObject({ done: 50, total: 100, rate: 50, etaMs: 1_000 });
    expect(seen.at(-1)).toEqual({ name: 'job.finished', payload: { runId, jobId: runId, kind: 'import', status: 'succeeded', rows: 100, error: null } });
  });

  it('records a cancelled run when cancelled between chunks', async () => {
    const runs = memoryRuns();
    const runner = new JobRunner(runs, new EventBus(), silent, Date.now, owner);
    let id = '';
    const running = runner.run('import', 'slow import', 'bars', async (job) => {
      id = job.runId;
      for (let i = 0; i < 100; i++) {
        job.throwIfCancelled();
        await new Promise((r) => setTimeout(r, 5));
      }
      return { value: null, rows: 0 };
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(runner.cancel(id)).toBe(true);
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(runs.rows.get(id)).toMatchObject({ status: 'cancelled' });
    expect(runner.cancel(id)).toBe(false);
  });

  it('settles once every running job has ended and its ending is recorded, cancelled or not', async () => {
    const runs = memoryRuns();
    const runner = new JobRunner(runs, new EventBus(), silent, Date.now, owner);
    await runner.settled();
    const slow = await runner.start('train', 'a fit that writes its ending late', 'epochs', async (job) => {
      await new Promise((resolve) => job.signal.addEventListener('abort', resolve));
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new AppError('CANCELLED', 'cancelled');
    });
    const quick = await runner.start('import', 'quick', 'bars', async () => ({ value: 1, rows: 1 }));
    runner.cancelAll();
    await runner.settled();
    expect(runs.rows.get(slow.runId)).toMatchObject({ status: 'cancelled' });
    expect(runs.rows.get(quick.runId)).toMatchObject({ status: 'succeeded' });
  });

  it('records failures with the error message and rethrows', async () => {
    const runs = memoryRuns();
    const runner = new JobRunner(runs, new EventBus(), silent, Date.now, owner);
    await expect(runner.run('import', 'broken', 'bars', async () => { throw new Error('disk full'); })).rejects.toThrow('disk full');
    expect([...runs.rows.values()][0]).toMatchObject({ status: 'failed', error: 'disk full' });
  });

  it('ends a run cancelled with a reason as failed with that reason, keeping its details, owner and scheduled job', async () => {
    const runs = memoryRuns();
    const runner = new JobRunner(runs, new EventBus(), silent, Date.now, owner);
    const started = await runner.start(
      'poll',
      'Gold spot',
      'symbols',
      async (job) => {
        job.recordDetails({ polled: ['XAUUSD'] });
        await new Promise((resolve) => job.signal.addEventListener('abort', resolve));
        job.throwIfCancelled();
        return { value: null, rows: 0 };
      },
      { ingestJobId: 'job-7' },
    );
    expect(runner.isRunning(started.runId)).toBe(true);
    expect(runs.rows.get(started.runId)).toMatchObject({ status: 'running', owner: 'test-process', ingestJobId: 'job-7' });
    runner.cancel(started.runId, new AppError('UNAVAILABLE', 'ran longer than its limit'));
    await expect(started.finished).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(runs.rows.get(started.runId)).toMatchObject({ status: 'failed', error: 'ran longer than its limit', details: { polled: ['XAUUSD'] } });
    expect(runner.isRunning(started.runId)).toBe(false);
  });

  it('sweeps runs of stopped processes at start, then stamps its own runs alive on every beat', async () => {
    vi.useFakeTimers();
    try {
      const runs = memoryRuns();
      const beats: number[] = [];
      const sweeps: unknown[] = [];
      runs.heartbeat = async (who, at) => {
        expect(who).toBe('test-process');
        beats.push(at);
        return 1;
      };
      runs.failInterrupted = async (sweep) => {
        sweeps.push(sweep);
        return 0;
      };
      let clock = 1_000_000;
      const runner = new JobRunner(runs, new EventBus(), silent, () => clock, owner);
      await runner.startHeartbeat();
      expect(sweeps).toEqual([{ now: 1_000_000, staleBefore: 1_000_000 - STALE_RUN_MS, exceptOwner: 'test-process', goneOwners: [] }]);

      await vi.advanceTimersByTimeAsync(HEARTBEAT_INTERVAL_MS);
      expect(beats).toEqual([]); // nothing running: nothing to stamp
      let release!: () => void;
      const started = await runner.start('backfill', 'long', 'bars', () => new Promise<{ value: null; rows: number }>((resolve) => (release = () => resolve({ value: null, rows: 0 }))));
      clock += HEARTBEAT_INTERVAL_MS;
      await vi.advanceTimersByTimeAsync(HEARTBEAT_INTERVAL_MS);
      expect(beats).toEqual([clock]);
      expect(sweeps).toHaveLength(3);
      release();
      await started.finished;
      runner.stopHeartbeat();
      await vi.advanceTimersByTimeAsync(10 * HEARTBEAT_INTERVAL_MS);
      expect(sweeps).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('records the rows committed before a failure instead of 0', async () => {
    const runs = memoryRuns();
    const runner = new JobRunner(runs, new EventBus(), silent, Date.now, owner);
    await expect(
      runner.run('backfill', 'interrupted', 'bars', async (job) => {
        job.addCommittedRows(5_000);
        job.addCommittedRows(2_500);
        throw new AppError('UNAVAILABLE', 'The Postgres database cannot be reached');
      }),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect([...runs.rows.values()][0]).toMatchObject({ status: 'failed', rows: 7_500 });
  });

  it('records an ending the database missed during an outage at the next heartbeat, so the run does not stay running', async () => {
    vi.useFakeTimers();
    try {
      const runs = memoryRuns();
      const finish = runs.finish.bind(runs);
      let databaseDown = true;
      runs.finish = async (id, end) => {
        if (databaseDown) throw new Error('Connection terminated unexpectedly');
        await finish(id, end);
      };
      const runner = new JobRunner(runs, new EventBus(), silent, Date.now, owner);
      await runner.startHeartbeat();
      const { runId } = await runner.run('backfill', 'during an outage', 'bars', async (job) => {
        job.addCommittedRows(10);
        return { value: null, rows: 10 };
      });
      expect(runs.rows.get(runId)).toMatchObject({ status: 'running' });

      databaseDown = false;
      await vi.advanceTimersByTimeAsync(HEARTBEAT_INTERVAL_MS);
      expect(runs.rows.get(runId)).toMatchObject({ status: 'succeeded', rows: 10 });
      runner.stopHeartbeat();
    } finally {
      vi.useRealTimers();
    }
  });
});
