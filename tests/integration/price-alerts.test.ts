/**
 * Price alerts through a real headless core: fired by a scheduled job's new bars from the fake
 * provider server (on SQLite and a real Postgres), by imports (a golden cross on the real gold
 * history among them, and a one-shot `metalytics import`), never twice for one crossing, even
 * with two processes evaluating, and refused with a sentence when the input makes no sense.
 */
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openArchive } from '../../src/core/backups/archive/archive-reader';
import { createCore, type Core } from '../../src/core/create-core';
import { EventBus } from '../../src/core/events';
import { PriceAlertEngine } from '../../src/core/price-alerts/price-alert-engine';
import type { EventMessage, EventPayload } from '../../src/shared/contract';
import type { Alert } from '../../src/shared/scheduler';
import { FakeProviderServer, syntheticBar } from '../support/fake-provider-server';
import { useTestPostgres } from '../support/postgres';
import { realDataPath } from '../support/real-data';
import { silentLogger } from '../support/silent-logger';
import { CLI_BIN } from '../support/cli-process';
import { createTestCore, invokeFailure as failure, invokeOk as ok, testPorts, type TestCore } from '../support/test-core';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const START = Date.UTC(2025, 1, 20, 12);

const postgres = useTestPostgres();

/** Polls until `check` answers something other than undefined; the core evaluates alerts after it has stored the bars. */
async function eventually<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Waits until the alert has evaluated the bar opening at `time`, and answers it. */
function evaluatedUpTo(core: Core, id: string, time: number) {
  return eventually(async () => {
    const { priceAlerts } = await ok(core, 'priceAlerts.list', {});
    const alert = priceAlerts.find((a) => a.id === id);
    return alert && alert.lastBarTime !== null && alert.lastBarTime >= time ? alert : undefined;
  }, `price alert ${id} to evaluate the bar at ${new Date(time).toISOString()}`);
}

function describeScheduledAlerts(dialect: 'SQLite' | 'Postgres') {
  describe(`a price alert fired by a scheduled job's new bars, headless, on ${dialect}`, () => {
    let fake: FakeProviderServer;
    let dataDir: string;
    let core: Core;
    let clock = START;
    const seen: EventMessage[] = [];

    async function runNow(id: string): Promise<EventPayload<'job.finished'>> {
      const { runId } = await ok(core, 'jobs.runNow', { id });
      return eventually(
        async () => seen.flatMap((m) => (m.name === 'job.finished' && m.payload.runId === runId ? [m.payload] : []))[0],
        'the scheduled run to finish',
      );
    }

    beforeAll(async () => {
      fake = await FakeProviderServer.start({ now: START, polygonPageSize: 5000 });
      dataDir = await mkdtemp(path.join(tmpdir(), 'metalytics-price-alerts-'));
      const databaseUrl = dialect === 'Postgres' ? await postgres.createDatabaseUrl() : undefined;
      core = await createCore(testPorts(dataDir, { databaseUrl, environment: fake.environment('polygon'), now: () => clock }), { validateOutput: true });
      core.events.subscribe((message) => seen.push(message));
    });

    afterAll(async () => {
      await core?.close();
      await fake?.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it('fires once per crossing of the new bars, with the symbol and the level, and not again when the same bars arrive again', async () => {
      const job = await ok(core, 'jobs.create', { name: 'Gold minutes', kind: 'backfill', provider: 'polygon', symbols: ['XAUUSD'], timeframe: '1m', schedule: null, lookbackDays: 1 });
      expect(await runNow(job.id)).toMatchObject({ status: 'succeeded', rows: 1440 });
      const lastStored = START - MINUTE;
      const lastClose = syntheticBar('C:XAUUSD', lastStored, MINUTE).close;

      // The next two hours as the provider will serve them; the level sits between their lowest and highest close.
      const upcoming = Array.from({ length: 120 }, (_, i) => ({ time: START + i * MINUTE, close: syntheticBar('C:XAUUSD', START + i * MINUTE, MINUTE).close }));
      const closes = upcoming.map((bar) => bar.close);
      const level = Math.round(((Math.min(lastClose, ...closes) + Math.max(lastClose, ...closes)) / 2) * 100) / 100;
      const goingUp = Math.max(...closes) > lastClose;
      const kind = goingUp ? 'crossAbove' : 'crossBelow';
      // Counted here with a plain loop: a crossing is a close reaching the level from the other side.
      const crossings: number[] = [];
      let previous = lastClose;
      for (const bar of upcoming) {
        if (goingUp ? previous < level && bar.close >= level : previous > level && bar.close <= level) crossings.push(bar.time);
        previous = bar.close;
      }
      expect(crossings.length).toBeGreaterThan(0);

      const alert = await ok(core, 'priceAlerts.create', { symbol: 'XAUUSD', condition: { kind, price: level } });
      // The finest stored timeframe, armed from the newest bar.
      expect(alert).toMatchObject({ timeframe: '1m', state: 'armed', beyond: false, lastBarTime: lastStored, enabled: true, rearm: { kind: 'recross', hysteresis: 0 } });

      clock += 2 * HOUR;
      fake.state.now = clock;
      expect(await runNow(job.id)).toMatchObject({ status: 'succeeded', rows: 120 });
      await evaluatedUpTo(core, alert.id, clock - MINUTE);

      const { alerts } = await ok(core, 'alerts.list', {});
      const fired = alerts.filter((a) => a.source === `priceAlert:${alert.id}`);
      expect(fired).toHaveLength(crossings.length);
      // Pushed as they are stored, for the window's list and the desktop notification.
      const pushed = await eventually(async () => {
        const raised = seen.flatMap((m) => (m.name === 'alert.raised' && m.payload.source === `priceAlert:${alert.id}` ? [m.payload] : []));
        return raised.length >= crossings.length ? raised : undefined;
      }, 'alert.raised events');
      expect(pushed).toEqual([...fired].reverse());
      const levelText = level.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
      const firstCross = new Date(crossings[0]!).toISOString().slice(0, 16).replace('T', ' ');
      expect(fired.at(-1)!.message).toMatch(new RegExp(`^XAUUSD crossed ${goingUp ? 'above' : 'below'} ${levelText.replace('.', '\\.')} \\(close [\\d,.]+ at ${firstCross} UTC\\)$`));
      expect(fired.every((a) => a.severity === 'warning' && a.acknowledgedAt === null)).toBe(true);

      // The same bars again (the provider serves the last stored one again) fire nothing more.
      expect(await runNow(job.id)).toMatchObject({ status: 'succeeded' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await evaluatedUpTo(core, alert.id, clock - MINUTE);
      expect((await ok(core, 'alerts.list', {})).alerts.filter((a) => a.source === `priceAlert:${alert.id}`)).toHaveLength(crossings.length);
    });
  });
}

describeScheduledAlerts('SQLite');
describeScheduledAlerts('Postgres');

const csvOf = (rows: [string, number][]) => `time,open,high,low,close\n${rows.map(([t, c]) => `${t},${c},${c + 1},${c - 1},${c}`).join('\n')}\n`;
const dailyRows = (start: number, closes: readonly number[]): [string, number][] =>
  closes.map((close, i) => [new Date(start + i * DAY).toISOString().slice(0, 10), close]);

describe('price alerts on imported bars, and their management', () => {
  let test: TestCore;
  const D0 = Date.UTC(2026, 0, 5);

  beforeAll(async () => {
    test = await createTestCore();
    await test.call('import.csv', { source: { kind: 'text', fileName: 'gold.csv', text: csvOf(dailyRows(D0, [2390, 2395, 2398])) }, symbol: 'XAUUSD' });
  });
  afterAll(() => test?.cleanup());
  afterEach(async () => {
    for (const alert of (await test.call('priceAlerts.list', {})).priceAlerts) await test.call('priceAlerts.delete', { id: alert.id });
  });

  const importCloses = (start: number, closes: readonly number[]) =>
    test.call('import.csv', { source: { kind: 'text', fileName: `gold-${start}.csv`, text: csvOf(dailyRows(start, closes)) }, symbol: 'XAUUSD', timeframe: '1d' });
  const firedBy = async (id: string): Promise<Alert[]> => (await test.call('alerts.list', {})).alerts.filter((a) => a.source === `priceAlert:${id}`);

  it('fires from an import that crosses the level, a gap included, and leaves an alert already beyond alone', async () => {
    const below = await test.call('priceAlerts.create', { symbol: 'XAUUSD', condition: { kind: 'crossAbove', price: 2400 } });
    const beyond = await test.call('priceAlerts.create', { symbol: 'XAUUSD', condition: { kind: 'crossAbove', price: 2350 }, note: 'already above' });
    expect(below).toMatchObject({ timeframe: '1d', state: 'armed', beyond: false });
    expect(beyond).toMatchObject({ state: 'armed', beyond: true, note: 'already above' });

    // A gap from 2398 straight to 2450.
    await importCloses(D0 + 3 * DAY, [2450, 2460]);
    await evaluatedUpTo(test.core, below.id, D0 + 4 * DAY);
    await evaluatedUpTo(test.core, beyond.id, D0 + 4 * DAY);
    expect((await firedBy(below.id)).map((a) => a.message)).toEqual(['XAUUSD crossed above 2,400.00 (close 2,450.00 at 2026-01-08 00:00 UTC)']);
    expect(await firedBy(beyond.id)).toEqual([]);
    const fired = (await test.call('priceAlerts.list', { symbol: 'XAUUSD' })).priceAlerts.find((a) => a.id === below.id)!;
    expect(fired).toMatchObject({ state: 'fired', lastFiredAt: expect.any(Number) });
    // A new level arms it afresh and keeps when it last fired.
    expect(await test.call('priceAlerts.update', { id: below.id, condition: { kind: 'crossAbove', price: 2500 } })).toMatchObject({
      state: 'armed',
      beyond: false,
      lastFiredAt: fired.lastFiredAt,
    });
  });

  it('an edited level arms afresh from the newest bar, and a disabled alert stays quiet', async () => {
    const alert = await test.call('priceAlerts.create', { symbol: 'XAUUSD', condition: { kind: 'crossBelow', price: 2000 } });
    const moved = await test.call('priceAlerts.update', { id: alert.id, condition: { kind: 'crossBelow', price: 2440 } });
    expect(moved).toMatchObject({ condition: { price: 2440 }, state: 'armed', beyond: false });
    const disabled = await test.call('priceAlerts.update', { id: alert.id, enabled: false });
    expect(disabled.enabled).toBe(false);
    await importCloses(D0 + 5 * DAY, [2430]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await firedBy(alert.id)).toEqual([]);
    // Enabled again, it starts from 2430, already below: nothing until it comes back and crosses.
    expect(await test.call('priceAlerts.update', { id: alert.id, enabled: true })).toMatchObject({ beyond: true, lastBarTime: D0 + 5 * DAY });
    await importCloses(D0 + 6 * DAY, [2445, 2435]);
    await evaluatedUpTo(test.core, alert.id, D0 + 7 * DAY);
    expect((await firedBy(alert.id)).map((a) => a.message)).toEqual(['XAUUSD crossed below 2,440.00 (close 2,435.00 at 2026-01-12 00:00 UTC)']);
  });

  it('refuses input that makes no sense, with a sentence, and stores nothing', async () => {
    const refusals = [
      await failure(test.core, 'priceAlerts.create', { symbol: 'NOPE', condition: { kind: 'crossAbove', price: 1 } }),
      await failure(test.core, 'priceAlerts.create', { symbol: 'XAUUSD', condition: { kind: 'crossAbove', price: -5 } }),
      await failure(test.core, 'priceAlerts.create', { symbol: 'XAUUSD', condition: { kind: 'crossSideways', price: 5 } } as never),
      await failure(test.core, 'priceAlerts.create', { symbol: 'XAUUSD', condition: { kind: 'crossAbove', price: 2400 }, timeframe: '1h' }),
      await failure(test.core, 'priceAlerts.create', {
        symbol: 'XAUUSD',
        condition: { kind: 'indicatorCross', fast: { kind: 'sma', params: { period: 50 } }, slow: { kind: 'sma', params: { period: 50 } }, direction: 'above' },
      }),
      await failure(test.core, 'priceAlerts.create', { symbol: 'XAUUSD', condition: { kind: 'percentMove', percent: 3, bars: 0 } }),
      await failure(test.core, 'priceAlerts.create', { symbol: 'XAUUSD', condition: { kind: 'crossAbove', price: 2400 }, rearm: { kind: 'cooldown', minutes: 0 } }),
      await failure(test.core, 'priceAlerts.update', { id: 'no-such-alert', enabled: false }),
    ];
    expect(refusals.map((r) => [r.code, r.message])).toEqual([
      ['NOT_FOUND', 'Unknown instrument "NOPE".'],
      ['VALIDATION', 'Invalid input for priceAlerts.create: condition.price: the price must be above 0'],
      ['VALIDATION', 'Invalid input for priceAlerts.create: condition.kind: a condition is crossAbove or crossBelow (with a price), percentMove, indicatorLevel or indicatorCross'],
      ['VALIDATION', 'XAUUSD has no bars that make 1h bars (it stores 1d); choose 1d or a coarser timeframe.'],
      ['VALIDATION', 'Invalid input for priceAlerts.create: condition.slow: the two indicators are the same; choose two that can cross'],
      ['VALIDATION', 'Invalid input for priceAlerts.create: condition.bars: the window is 1 bar or more'],
      ['VALIDATION', 'Invalid input for priceAlerts.create: rearm.minutes: the cooldown is 1 minute or more'],
      ['NOT_FOUND', 'There is no price alert "no-such-alert"; it may have been deleted.'],
    ]);
    expect((await test.call('priceAlerts.list', {})).priceAlerts).toEqual([]);
  });

  it('fires a crossing once when two processes evaluate the same new bars at the same time', async () => {
    const alert = await test.call('priceAlerts.create', { symbol: 'XAUUSD', condition: { kind: 'crossAbove', price: 2600 } });
    const { storage } = test.core;
    // A second process sharing the database: its own engine, nobody else's events.
    const other = new PriceAlertEngine({ storage, events: new EventBus(), clock: { now: () => Date.now() }, logger: silentLogger() });
    await importCloses(D0 + 20 * DAY, [2650]);
    other.evaluateSoon('XAUUSD');
    await other.settled();
    await evaluatedUpTo(test.core, alert.id, D0 + 20 * DAY);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await firedBy(alert.id)).map((a) => a.message)).toEqual(['XAUUSD crossed above 2,600.00 (close 2,650.00 at 2026-01-25 00:00 UTC)']);
  });

  it('travels in backups: the archive holds the price_alerts table', async () => {
    await test.call('priceAlerts.create', { symbol: 'XAUUSD', condition: { kind: 'crossBelow', price: 2300 }, rearm: { kind: 'once' } });
    await test.call('priceAlerts.create', { symbol: 'XAUUSD', condition: { kind: 'percentMove', percent: 3, bars: 5 } });
    const created = await test.call('backups.create', { wait: true });
    const { manifest } = await openArchive(created.backup!.path);
    expect(manifest.tables.find((t) => t.name === 'price_alerts')).toMatchObject({ rows: 2 });
  });

  it('deletes an alert and keeps what it raised in the alert list', async () => {
    const alert = await test.call('priceAlerts.create', { symbol: 'XAUUSD', condition: { kind: 'crossAbove', price: 2700 } });
    await importCloses(D0 + 30 * DAY, [2710]);
    await evaluatedUpTo(test.core, alert.id, D0 + 30 * DAY);
    expect(await firedBy(alert.id)).toHaveLength(1);
    expect(await test.call('priceAlerts.delete', { id: alert.id })).toEqual({ id: alert.id, deleted: true });
    expect(await test.call('priceAlerts.delete', { id: alert.id })).toEqual({ id: alert.id, deleted: false });
    expect(await firedBy(alert.id)).toHaveLength(1);
  });
});

describe('an SMA 50/200 cross alert on the real gold history', () => {
  let test: TestCore;
  afterAll(() => test?.cleanup());

  it('fires at each golden cross of the bars imported after it was created, as a plain SMA loop finds them', async () => {
    test = await createTestCore();
    const [header, ...rows] = readFileSync(realDataPath('xauusd-1d-mt4.csv'), 'utf8').trim().split(/\r?\n/);
    const closes = rows.map((row) => Number(row.split(';')[4]));
    const times = rows.map((row) => {
      const [y, m, d] = row.slice(0, 10).split('.').map(Number);
      return Date.UTC(y!, m! - 1, d!);
    });
    // The alert is created with the first two thirds stored; the last third arrives in one import.
    const split = Math.floor(rows.length * (2 / 3));
    const importRows = (from: number, to: number, name: string) =>
      test.call('import.csv', { source: { kind: 'text', fileName: name, text: [header, ...rows.slice(from, to)].join('\n') }, symbol: 'XAUUSD', timeframe: '1d' });
    await importRows(0, split, 'gold-first.csv');
    const alert = await test.call('priceAlerts.create', {
      symbol: 'XAUUSD',
      condition: { kind: 'indicatorCross', fast: { kind: 'sma', params: { period: 50 } }, slow: { kind: 'sma', params: { period: 200 } }, direction: 'above' },
    });
    expect(alert).toMatchObject({ timeframe: '1d', state: 'armed', lastBarTime: times[split - 1] });
    await importRows(split, rows.length, 'gold-rest.csv');
    await evaluatedUpTo(test.core, alert.id, times.at(-1)!);

    const mean = (end: number, period: number) => closes.slice(end - period + 1, end + 1).reduce((a, b) => a + b, 0) / period;
    const crosses: string[] = [];
    for (let i = split; i < rows.length; i++) {
      if (mean(i, 50) >= mean(i, 200) && mean(i - 1, 50) < mean(i - 1, 200)) crosses.push(new Date(times[i]!).toISOString().slice(0, 10));
    }
    expect(crosses.length).toBeGreaterThan(0);
    const fired = (await test.call('alerts.list', {})).alerts.filter((a) => a.source === `priceAlert:${alert.id}`).reverse();
    expect(fired.map((a) => /at (\d{4}-\d{2}-\d{2}) /.exec(a.message)?.[1])).toEqual(crosses);
    expect(fired[0]!.message).toMatch(/^XAUUSD SMA 50 crossed above SMA 200 \(1d\): [\d,.]+ vs [\d,.]+ \(close [\d,.]+ at \d{4}-\d{2}-\d{2} 00:00 UTC\)$/);
  });
});

describe('a one-shot metalytics import', () => {
  let dataDir: string;
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('fires the alert its bars cross before the command exits, with no long-running host', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'metalytics-price-alerts-cli-'));
    const D0 = Date.UTC(2026, 2, 2);
    let core = await createCore(testPorts(dataDir), { validateOutput: true });
    await ok(core, 'import.csv', { source: { kind: 'text', fileName: 'gold.csv', text: csvOf(dailyRows(D0, [2390, 2395])) }, symbol: 'XAUUSD', timeframe: '1d' });
    const alert = await ok(core, 'priceAlerts.create', { symbol: 'XAUUSD', condition: { kind: 'crossAbove', price: 2400 } });
    await core.close();

    const file = path.join(dataDir, 'next-days.csv');
    await writeFile(file, csvOf(dailyRows(D0 + 2 * DAY, [2405, 2410])));
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('METALYTICS_')));
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI_BIN, 'import', file, '--symbol', 'XAUUSD', '--timeframe', '1d'], {
        cwd: dataDir,
        env: { ...env, METALYTICS_DATA_DIR: dataDir },
        stdio: 'ignore',
      });
      child.on('error', reject);
      child.on('close', resolve);
    });
    expect(code).toBe(0);

    core = await createCore(testPorts(dataDir), { validateOutput: true });
    try {
      const { alerts } = await ok(core, 'alerts.list', {});
      expect(alerts.map((a) => [a.source, a.message])).toEqual([[`priceAlert:${alert.id}`, 'XAUUSD crossed above 2,400.00 (close 2,405.00 at 2026-03-04 00:00 UTC)']]);
    } finally {
      await core.close();
    }
  });
});
