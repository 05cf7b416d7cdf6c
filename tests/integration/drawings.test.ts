/**
 * Chart drawings through a real headless core: stored per instrument whatever timeframe they
 * were drawn on, moved with the version they were read at (a stale edit is refused, not
 * merged), announced to other charts, refused with a sentence when the input makes no sense,
 * and brought back by restoring a backup.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventMessage } from '../../src/shared/contract';
import type { Drawing } from '../../src/shared/drawings';
import { createTestCore, invokeFailure as failure, type TestCore } from '../support/test-core';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 6);

let test: TestCore;
const seen: EventMessage[] = [];

beforeAll(async () => {
  test = await createTestCore();
  test.core.events.subscribe((message) => seen.push(message));
});
afterAll(() => test?.cleanup());

const list = async (symbol = 'XAUUSD'): Promise<Drawing[]> => (await test.call('drawings.list', { symbol })).drawings;
const changes = () => seen.flatMap((m) => (m.name === 'drawings.changed' ? [m.payload] : []));

describe('drawings', () => {
  it('creates each kind on an instrument, lists them oldest first and only for that instrument', async () => {
    const fib = await test.call('drawings.create', { symbol: 'xauusd', kind: 'fibRetracement', points: [{ time: T0, price: 2600 }, { time: T0 + 20 * DAY, price: 2750.5 }] });
    expect(fib).toEqual({
      id: expect.any(String),
      symbol: 'XAUUSD',
      kind: 'fibRetracement',
      points: [{ time: T0, price: 2600 }, { time: T0 + 20 * DAY, price: 2750.5 }],
      text: null,
      version: 0,
      createdAt: expect.any(Number),
      updatedAt: expect.any(Number),
    });
    const others = [
      await test.call('drawings.create', { symbol: 'XAUUSD', kind: 'horizontalLine', points: [{ time: T0, price: 2700 }] }),
      await test.call('drawings.create', { symbol: 'XAUUSD', kind: 'trendLine', points: [{ time: T0, price: 2600 }, { time: T0 + 5 * DAY, price: 2650 }] }),
      await test.call('drawings.create', { symbol: 'XAUUSD', kind: 'ray', points: [{ time: T0, price: 2600 }, { time: T0 + 5 * DAY, price: 2610 }] }),
      await test.call('drawings.create', { symbol: 'XAUUSD', kind: 'rectangle', points: [{ time: T0, price: 2600 }, { time: T0 + 9 * DAY, price: 2680 }] }),
      // Hours inside a day: the same drawing on the 1h and the 1d chart.
      await test.call('drawings.create', { symbol: 'XAUUSD', kind: 'text', points: [{ time: T0 + 3 * DAY + 14 * 3_600_000, price: 2690 }], text: '  NFP beat  ' }),
    ];
    expect(others.at(-1)).toMatchObject({ kind: 'text', text: 'NFP beat' });
    await test.call('drawings.create', { symbol: 'XAGUSD', kind: 'horizontalLine', points: [{ time: T0, price: 30.125 }] });
    // Oldest first; two made in the same millisecond by id.
    const byAge = [fib, ...others].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    expect((await list()).map((d) => d.id)).toEqual(byAge.map((d) => d.id));
    expect((await list('XAGUSD')).map((d) => d.kind)).toEqual(['horizontalLine']);
    expect(changes().filter((c) => c.change === 'created')).toHaveLength(7);
  });

  it('moves a drawing at the version it was read, and refuses an edit made on a stale copy', async () => {
    const fib = (await list()).find((d) => d.kind === 'fibRetracement');
    const moved = await test.call('drawings.update', { id: fib!.id, version: fib!.version, points: [{ time: T0 + DAY, price: 2610 }, { time: T0 + 21 * DAY, price: 2760 }] });
    expect(moved).toMatchObject({ id: fib!.id, version: 1, points: [{ time: T0 + DAY, price: 2610 }, { time: T0 + 21 * DAY, price: 2760 }] });
    expect((await list()).find((d) => d.id === fib!.id)).toEqual(moved);
    expect(changes().at(-1)).toEqual({ symbol: 'XAUUSD', id: fib!.id, change: 'updated' });

    // Another window still holding version 0.
    const stale = await failure(test.core, 'drawings.update', { id: fib!.id, version: 0, points: [{ time: T0, price: 1 }, { time: T0, price: 2 }] });
    expect(stale.code).toBe('CONFLICT');
    expect(stale.message).toBe('This Fibonacci retracement was changed elsewhere (another window) after it was read; it has been read again, so try the edit once more.');
    expect((await list()).find((d) => d.id === fib!.id)).toEqual(moved);

    const note = (await list()).find((d) => d.kind === 'text')!;
    expect(await test.call('drawings.update', { id: note.id, version: note.version, text: 'NFP beat, gold sold off' })).toMatchObject({ text: 'NFP beat, gold sold off', version: 1, points: note.points });
  });

  it('refuses input that makes no sense, with a sentence, and stores nothing', async () => {
    const before = await list();
    const fib = before.find((d) => d.kind === 'fibRetracement');
    const line = before.find((d) => d.kind === 'horizontalLine')!;
    const refusals = [
      await failure(test.core, 'drawings.create', { symbol: 'NOPE', kind: 'horizontalLine', points: [{ time: T0, price: 1 }] }),
      await failure(test.core, 'drawings.create', { symbol: 'XAUUSD', kind: 'circle', points: [{ time: T0, price: 1 }] } as never),
      await failure(test.core, 'drawings.create', { symbol: 'XAUUSD', kind: 'trendLine', points: [{ time: T0, price: 1 }] }),
      await failure(test.core, 'drawings.create', { symbol: 'XAUUSD', kind: 'horizontalLine', points: [{ time: T0, price: Number.NaN }] }),
      await failure(test.core, 'drawings.create', { symbol: 'XAUUSD', kind: 'horizontalLine', points: [{ time: 1.5, price: 1 }] }),
      await failure(test.core, 'drawings.create', { symbol: 'XAUUSD', kind: 'text', points: [{ time: T0, price: 1 }] }),
      await failure(test.core, 'drawings.create', { symbol: 'XAUUSD', kind: 'text', points: [{ time: T0, price: 1 }], text: '   ' }),
      await failure(test.core, 'drawings.create', { symbol: 'XAUUSD', kind: 'ray', points: [{ time: T0, price: 1 }, { time: T0, price: 2 }], text: 'why' }),
      await failure(test.core, 'drawings.create', { symbol: 'XAUUSD', kind: 'rectangle', points: [] }),
      await failure(test.core, 'drawings.update', { id: fib!.id, version: fib!.version, points: [{ time: T0, price: 1 }] }),
      await failure(test.core, 'drawings.update', { id: line.id, version: line.version, text: 'a line has no text' }),
      await failure(test.core, 'drawings.update', { id: fib!.id, version: fib!.version }),
      await failure(test.core, 'drawings.update', { id: 'no-such-drawing', version: 0, points: [{ time: T0, price: 1 }] }),
    ];
    expect(refusals.map((r) => [r.code, r.message])).toEqual([
      ['NOT_FOUND', 'Unknown instrument "NOPE".'],
      ['VALIDATION', 'Invalid input for drawings.create: kind: a drawing is one of horizontalLine, trendLine, ray, rectangle, fibRetracement, text'],
      ['VALIDATION', 'Invalid input for drawings.create: points: a trend line has 2 points, not 1'],
      ['VALIDATION', 'Invalid input for drawings.create: points.0.price: a drawing point needs a finite price'],
      ['VALIDATION', 'Invalid input for drawings.create: points.0.time: a drawing point needs a time in whole epoch milliseconds'],
      ['VALIDATION', 'Invalid input for drawings.create: text: a text note needs some text'],
      ['VALIDATION', 'Invalid input for drawings.create: text: a text note needs some text'],
      ['VALIDATION', 'Invalid input for drawings.create: text: only a text note has text, not a ray'],
      ['VALIDATION', 'Invalid input for drawings.create: points: a drawing has 1 or 2 points'],
      ['VALIDATION', 'Invalid input for drawings.update: points: a Fibonacci retracement has 2 points, not 1'],
      ['VALIDATION', 'Invalid input for drawings.update: text: only a text note has text, not a horizontal line'],
      ['VALIDATION', 'Invalid input for drawings.update: give the new `points` or `text`'],
      ['NOT_FOUND', 'There is no drawing "no-such-drawing"; it may have been deleted.'],
    ]);
    expect(await list()).toEqual(before);
  });

  it('deletes a drawing once, and says so', async () => {
    const line = (await list()).find((d) => d.kind === 'horizontalLine');
    expect(await test.call('drawings.delete', { id: line!.id })).toEqual({ id: line!.id, deleted: true });
    expect(await test.call('drawings.delete', { id: line!.id })).toEqual({ id: line!.id, deleted: false });
    expect((await list()).map((d) => d.id)).not.toContain(line!.id);
    expect(changes().filter((c) => c.change === 'deleted')).toEqual([{ symbol: 'XAUUSD', id: line!.id, change: 'deleted' }]);
  });

  it('survives a backup and restore: a drawing deleted after the backup is back, one moved after it is where it was', async () => {
    const backedUp = await list();
    const { backup } = await test.call('backups.create', { wait: true });
    const [first, second] = backedUp;
    await test.call('drawings.delete', { id: first!.id });
    await test.call('drawings.update', { id: second!.id, version: second!.version, points: [{ time: T0, price: 1 }, { time: T0 + DAY, price: 2 }] });
    await test.call('drawings.create', { symbol: 'XAUUSD', kind: 'horizontalLine', points: [{ time: T0, price: 2500 }] });

    await test.call('backups.restore', { id: backup!.id, wait: true });
    expect(await list()).toEqual(backedUp);
    expect((await list('XAGUSD')).map((d) => d.kind)).toEqual(['horizontalLine']);
  }, 120_000);
});
