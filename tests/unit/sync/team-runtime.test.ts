import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventBus } from '../../../src/core/events';
import type { JobRunner } from '../../../src/core/jobs/job-runner';
import type { Storage } from '../../../src/core/storage/types';
import type { PrimaryProbe } from '../../../src/core/sync/primary-probe';
import { TeamRuntime, type TeamWorkspace, type WorkspacePlace } from '../../../src/core/sync/team-runtime';
import type { EventMessage } from '../../../src/shared/contract';
import { AppError } from '../../../src/shared/errors';
import { silentLogger } from '../../support/silent-logger';

const engine = vi.hoisted(() => ({ pending: 0, syncs: 0, failNext: null as Error | null }));

// The engine is exercised against real databases in tests/integration; here only when the runtime calls it.
vi.mock('../../../src/core/sync/cache-sync', () => ({
  pendingChanges: async () => engine.pending,
  cacheBytes: async () => 4096,
  synchronise: async ({ now }: { now: () => number }) => {
    engine.syncs += 1;
    const failure = engine.failNext;
    engine.failNext = null;
    if (failure) throw failure;
    engine.pending = 0;
    return { pushedRows: 3, pulledRows: 5, conflicts: 0, rangesCompared: 1, rangesMoved: 1, startedAt: now(), finishedAt: now() };
  },
}));

function harness() {
  let reachable = true;
  let running = 0;
  const moves: WorkspacePlace[] = [];
  const events = new EventBus();
  const announced: EventMessage[] = [];
  events.subscribe((message) => announced.push(message));
  const storage = { location: '/data/cache.db', close: async () => undefined } as unknown as Storage;
  let place: WorkspacePlace = 'primary';
  const workspace: TeamWorkspace = {
    onPrimary: async (work) => (place === 'primary' ? work(storage) : undefined),
    openPrimary: async () => storage,
    moveTo: async (to, beforeClose) => {
      await beforeClose?.();
      place = to;
      moves.push(to);
      return to;
    },
  };
  const runtime = new TeamRuntime({
    cache: storage,
    probe: { reachable: async () => reachable, close: () => undefined } as unknown as PrimaryProbe,
    workspace,
    events,
    jobs: { runningOf: () => Array.from({ length: running }, () => ({ runId: 'r', kind: 'train', description: 'train' })) } as unknown as JobRunner,
    logger: silentLogger(),
    now: Date.now,
    dataDir: '/data',
    readScope: async () => [{ symbol: 'XAUUSD', timeframes: ['1d'], days: 365 }],
  });
  return {
    runtime,
    moves,
    announced,
    setReachable: (value: boolean) => (reachable = value),
    setRunning: (count: number) => (running = count),
  };
}

describe('TeamRuntime', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    engine.pending = 0;
    engine.syncs = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('goes offline after two failed pings in a row, not one, and moves the workspace onto the cache', async () => {
    const { runtime, moves, setReachable, announced } = harness();
    runtime.start();
    await vi.advanceTimersByTimeAsync(100);
    setReachable(false);
    await vi.advanceTimersByTimeAsync(2_000);
    expect((await runtime.status()).state).toBe('online');
    await vi.advanceTimersByTimeAsync(2_000);
    const status = await runtime.status();
    expect(status).toMatchObject({ mode: 'team', state: 'offline', cache: { location: '/data/cache.db', bytes: 4096 } });
    expect(moves).toEqual(['cache']);
    expect(announced.some((message) => message.name === 'sync.changed' && message.payload.state === 'offline')).toBe(true);
    await runtime.stop();
  });

  it('goes offline at once when a request met UNAVAILABLE and a ping fails too', async () => {
    const { runtime, moves, setReachable } = harness();
    setReachable(false);
    runtime.noticeUnavailable();
    await vi.advanceTimersByTimeAsync(0);
    expect(moves).toEqual(['cache']);
    await runtime.stop();
  });

  it('stays online when a request met UNAVAILABLE but the team database answers (a provider was away)', async () => {
    const { runtime, moves } = harness();
    runtime.noticeUnavailable();
    await vi.advanceTimersByTimeAsync(0);
    expect(moves).toEqual([]);
    expect((await runtime.status()).state).toBe('online');
  });

  it('comes back only when no job runs on the cache, pushing before and while it moves back', async () => {
    const { runtime, moves, setReachable, setRunning } = harness();
    runtime.markOffline('test');
    engine.pending = 7;
    runtime.start();
    setRunning(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(moves).toEqual([]);
    expect(await runtime.status()).toMatchObject({ state: 'offline', pendingChanges: 7 });
    setRunning(0);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(moves).toEqual(['primary']);
    expect(engine.syncs).toBe(2);
    expect(await runtime.status()).toMatchObject({ state: 'online', offlineSince: null, pendingChanges: 0, lastSync: { pushedRows: 6, pulledRows: 10 } });
    setReachable(true);
    await runtime.stop();
  });

  it('goes offline when a sync meets an unreachable team database', async () => {
    const { runtime, moves } = harness();
    engine.failNext = new AppError('UNAVAILABLE', 'The Postgres database cannot be reached');
    runtime.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(moves).toEqual(['cache']);
    expect((await runtime.status()).state).toBe('offline');
    await runtime.stop();
  });

  describe('syncNow (sync.now)', () => {
    it('online: runs one sync at once, without waiting for the minute, and answers with it', async () => {
      const { runtime, moves } = harness();
      await expect(runtime.syncNow()).resolves.toMatchObject({ pushedRows: 3, pulledRows: 5, conflicts: 0, rangesCompared: 1, rangesMoved: 1 });
      expect(engine.syncs).toBe(1);
      expect(moves).toEqual([]);
      expect(await runtime.status()).toMatchObject({ state: 'online', lastSync: { pushedRows: 3, pulledRows: 5 } });
    });

    it('offline with the team database back: reconnects now, and answers with both syncs added up', async () => {
      const { runtime, moves } = harness();
      runtime.markOffline('test');
      engine.pending = 4;
      const outcome = await runtime.syncNow();
      expect(outcome).toMatchObject({ pushedRows: 6, pulledRows: 10, rangesCompared: 2, rangesMoved: 2 });
      expect(outcome.finishedAt).toBeGreaterThanOrEqual(outcome.startedAt);
      expect(moves).toEqual(['primary']);
      expect(await runtime.status()).toMatchObject({ state: 'online', pendingChanges: 0 });
    });

    it('offline with the team database still away: UNAVAILABLE, nothing moved or synced', async () => {
      const { runtime, moves, setReachable } = harness();
      runtime.markOffline('test');
      setReachable(false);
      await expect(runtime.syncNow()).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/cannot be reached/) });
      expect(engine.syncs).toBe(0);
      expect(moves).toEqual([]);
    });

    it('offline while a job runs on the cache: CONFLICT, since moving back would cancel it', async () => {
      const { runtime, moves, setRunning } = harness();
      runtime.markOffline('test');
      setRunning(2);
      await expect(runtime.syncNow()).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/2 jobs are running/) });
      expect(moves).toEqual([]);
    });

    it('passes on what the sync met, and the runtime goes on syncing after it', async () => {
      const { runtime } = harness();
      engine.failNext = new AppError('UNAVAILABLE', 'The Postgres database cannot be reached');
      await expect(runtime.syncNow()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      await expect(runtime.syncNow()).resolves.toMatchObject({ pushedRows: 3 });
    });
  });
});
