import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MetalyticsApi } from '../../../shared/api';
import type { MethodOutput } from '../../../shared/contract';
import type { Result } from '../../../shared/errors';
import { createSharedQuery } from './shared-query';

type Jobs = MethodOutput<'jobs.list'>;

/** A client whose jobs.list answers only when the test says so, and whose events the test fires. */
function fakeApi() {
  const pending: Array<(result: Result<Jobs>) => void> = [];
  const listeners = new Map<string, Set<() => void>>();
  const listen = (name: string, listener: () => void) => {
    const set = listeners.get(name) ?? new Set();
    listeners.set(name, set.add(listener));
    return () => void set.delete(listener);
  };
  const api = {
    methods: { 'jobs.list': () => new Promise<Result<Jobs>>((resolve) => pending.push(resolve)) },
    on: (name: string, listener: () => void) => listen(name, listener),
    onResume: (listener: () => void) => listen('resume', listener),
  } as unknown as MetalyticsApi;
  return {
    api,
    pending,
    fire: (name: string) => listeners.get(name)?.forEach((listener) => listener()),
    listenerCount: () => [...listeners.values()].reduce((sum, set) => sum + set.size, 0),
  };
}

const answer = (queued: number): Result<Jobs> => ({ ok: true, value: { jobs: [], scheduler: { state: 'running', queued } } as unknown as Jobs });
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('createSharedQuery', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] }));
  afterEach(() => vi.useRealTimers());

  it('reads once per new subscriber and refreshes on one interval however many subscribe', () => {
    const fake = fakeApi();
    const query = createSharedQuery(fake.api, 'jobs.list', {}, { refreshMs: 15_000, reloadOn: ['job.finished'] });
    query.subscribe(() => {});
    query.subscribe(() => {});
    query.subscribe(() => {});
    expect(fake.pending).toHaveLength(3);
    vi.advanceTimersByTime(15_000);
    expect(fake.pending).toHaveLength(4);
  });

  it('re-reads on the given events and on resume, and stops when the last subscriber leaves', () => {
    const fake = fakeApi();
    const query = createSharedQuery(fake.api, 'jobs.list', {}, { refreshMs: 15_000, reloadOn: ['job.finished', 'alert.raised'] });
    const leaveFirst = query.subscribe(() => {});
    const leaveSecond = query.subscribe(() => {});
    fake.fire('job.finished');
    fake.fire('alert.raised');
    fake.fire('resume');
    expect(fake.pending).toHaveLength(5);
    leaveFirst();
    fake.fire('job.finished');
    expect(fake.pending).toHaveLength(6);
    leaveSecond();
    expect(fake.listenerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(fake.pending).toHaveLength(6);
  });

  it('shares the newest answer with every subscriber and drops replies to superseded requests', async () => {
    const fake = fakeApi();
    const query = createSharedQuery(fake.api, 'jobs.list', {}, { refreshMs: 15_000, reloadOn: [] });
    const notified = vi.fn();
    query.subscribe(notified);
    query.reload();
    fake.pending[1]!(answer(2));
    await settle();
    fake.pending[0]!(answer(1));
    await settle();
    expect(query.getSnapshot().data?.scheduler.queued).toBe(2);
    expect(notified).toHaveBeenCalledTimes(1);
  });

  it('keeps the last answer through a failed refresh and clears the error on the next success', async () => {
    const fake = fakeApi();
    const query = createSharedQuery(fake.api, 'jobs.list', {}, { refreshMs: 15_000, reloadOn: [] });
    query.subscribe(() => {});
    fake.pending[0]!(answer(1));
    await settle();
    query.reload();
    fake.pending[1]!({ ok: false, error: { code: 'UNAVAILABLE', message: 'database offline' } } as Result<Jobs>);
    await settle();
    expect(query.getSnapshot().data?.scheduler.queued).toBe(1);
    expect(query.getSnapshot().error).toBeInstanceOf(Error);
    query.reload();
    fake.pending[2]!(answer(3));
    await settle();
    expect(query.getSnapshot()).toEqual({ data: expect.objectContaining({ scheduler: { state: 'running', queued: 3 } }), error: null });
  });
});
