import { describe, expect, it } from 'vitest';
import type { CoreContext } from '../../../src/core/context';
import type { HandlerMap } from '../../../src/core/handlers';
import { createInvoke, mergeHandlers } from '../../../src/core/invoke';
import { syncHandlers } from '../../../src/core/sync/sync-handlers';
import { methodNames } from '../../../src/shared/contract';
import { AppError } from '../../../src/shared/errors';
import type { SyncOutcome } from '../../../src/shared/sync';
import { silentLogger } from '../../support/silent-logger';

const outcome: SyncOutcome = { pushedRows: 12, pulledRows: 1_204, conflicts: 1, rangesCompared: 139, rangesMoved: 2, startedAt: 1_000, finishedAt: 2_500 };

/** `sync.now` as the core serves it, on a context whose team runtime answers `now`. */
function invokeWith(now: () => Promise<SyncOutcome>) {
  const others = Object.fromEntries(methodNames.map((name) => [name, () => Promise.reject(new AppError('INTERNAL', `${name} is not under test`))])) as HandlerMap;
  delete others['sync.now'];
  let calls = 0;
  const ctx = { sync: { now: () => (calls++, now()) } } as unknown as CoreContext;
  const invoke = createInvoke(mergeHandlers({ others, sync: syncHandlers(ctx) }), silentLogger(), { validateOutput: true });
  return { invoke, calls: () => calls };
}

describe('sync.now', () => {
  it('takes no input (or an empty object) and answers with the sync outcome', async () => {
    const { invoke, calls } = invokeWith(async () => outcome);
    expect(await invoke('sync.now', undefined)).toEqual({ ok: true, value: outcome });
    expect(await invoke('sync.now', {})).toEqual({ ok: true, value: outcome });
    expect(calls()).toBe(2);
  });

  it('refuses any field or a non-object with VALIDATION, without syncing', async () => {
    const { invoke, calls } = invokeWith(async () => outcome);
    for (const input of [{ force: true }, { scope: [] }, 'now', 1, []]) {
      const reply = await invoke('sync.now', input);
      expect(reply, JSON.stringify(input)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
    expect(calls()).toBe(0);
  });

  it('passes on why it could not sync, as a contract error', async () => {
    const { invoke } = invokeWith(() => Promise.reject(new AppError('UNAVAILABLE', 'The team database cannot be reached.')));
    expect(await invoke('sync.now', {})).toEqual({ ok: false, error: { code: 'UNAVAILABLE', message: 'The team database cannot be reached.' } });
  });

  it('refuses a reply that is not an outcome (a count below zero)', async () => {
    const { invoke } = invokeWith(async () => ({ ...outcome, pushedRows: -1 }));
    expect(await invoke('sync.now', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });
});
