import { describe, expect, it } from 'vitest';
import type { EventMessage } from '../../src/shared/contract';
import type { JobRun } from '../../src/shared/domain';
import { EventBus } from '../../src/core/events';
import { JobRunner } from '../../src/core/jobs/job-runner';
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
    const { jobId, value } = await runner.run('import', 'test import', 'bars', async (job) => {
      clock += 1_000;
      job.progress(50, 100);
      clock += 1_000;
      job.progress(100, 100);
      return { value: 'done', rows: 100 };
    });
    expect(value).toBe('done');
    expect(runs.rows.get(jobId)).toMatchObject({ status: 'succeeded', rows: 100, error: null, finishedAt: 3_000 });
    const progress = seen.filter((m) => m.name === 'job.progress').map((m) => m.payload);
    expect(progress[0]).toMatchObject({ done: 50, total: 100, rate: 50, etaMs: 1_000 });
    expect(seen.at(-1)).toEqual({ name: 'job.finished', payload: { jobId, kind: 'import', status: 'succeeded', rows: 100, error: null } });
  });

  it('records a cancelled run when cancelled between chunks', async () => {
    const runs = memoryRuns();
    const runner = new JobRunner(runs, new EventBus(), silent, Date.now, owner);
    let id = '';
    const running = runner.run('import', 'slow import', 'bars', async (job) => {
      id = job.jobId;
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

  it('records failures with the error message and rethrows', async () => {
    const runs = memoryRuns();
    const runner = new JobRunner(runs, new EventBus(), silent, Date.now, owner);
    await expect(runner.run('import', 'broken', 'bars', async () => { throw new Error('disk full'); })).rejects.toThrow('disk full');
    expect([...runs.rows.values()][0]).toMatchObject({ status: 'failed', error: 'disk full' });
  });
});
