/**
 * Property-based fuzzing of every contract method, through the IPC-style invoke loop (a real
 * core on SQLite) and over HTTP (a real `metalytics serve`). Inputs are each method's valid
 * example, mutated (fields replaced with hostile or random JSON, removed, unknown or
 * prototype-polluting keys added), or any JSON at all. Every reply must be a contract error
 * or a result its output schema accepts, the process must stay up, a read must change
 * nothing, and a refused write must change nothing the user configured.
 *
 * Outside effects are neutralised: every provider address is pinned by METALYTICS_*_BASE_URL
 * (which wins over Settings) to a loopback fake provider server, so no request leaves the
 * machine whatever settings.update stores; the scheduler is not started; secrets live in
 * memory; every job a call starts is cancelled at once, and all are cancelled at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/core/create-core';
import { methodNames, methods, type MethodName } from '../../src/shared/contract';
import { errorCodes } from '../../src/shared/errors';
import { importDevModule } from '../support/dev-module';
import { FakeProviderServer } from '../support/fake-provider-server';
import { startServeProcess, type ServeProcess } from '../support/serve-process';
import { createTestCore, type TestCore } from '../support/test-core';

/**
 * The part of fast-check's API used here, declared so this file type-checks before the
 * package is installed (see tests/support/dev-module.ts).
 */
interface Arbitrary<T> {
  map<U>(mapper: (value: T) => U): Arbitrary<U>;
  chain<U>(chainer: (value: T) => Arbitrary<U>): Arbitrary<U>;
}
interface FastCheck {
  assert(property: unknown, parameters?: { numRuns?: number; seed?: number; endOnFailure?: boolean }): Promise<void>;
  asyncProperty<T>(arbitrary: Arbitrary<T>, predicate: (value: T) => Promise<void>): unknown;
  constant<T>(value: T): Arbitrary<T>;
  constantFrom<T>(...values: T[]): Arbitrary<T>;
  oneof<T>(...arbitraries: Arbitrary<T>[]): Arbitrary<T>;
  jsonValue(constraints?: { maxDepth?: number }): Arbitrary<unknown>;
  boolean(): Arbitrary<boolean>;
  array<T>(arbitrary: Arbitrary<T>, constraints?: { minLength?: number; maxLength?: number }): Arbitrary<T[]>;
  record<T extends Record<string, unknown>>(shape: { [K in keyof T]: Arbitrary<T[K]> }): Arbitrary<T>;
}

const fc = await importDevModule<FastCheck>('fast-check');

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 1, 3);
const csv = 'time,open,high,low,close\n2025-02-03,2800,2810,2790,2805\n2025-02-04,2805,2820,2800,2815\n';

/** A valid input per method: the starting point of every mutation. Typed per name, so a new method needs one. */
const examples: Record<MethodName, Record<string, unknown>> = {
  'system.status': {},
  'instruments.list': {},
  'instruments.create': { symbol: 'FUZZ', name: 'Fuzz Inc.', kind: 'stock', unit: 'USD per share', currency: 'USD', providerSymbols: { yahoo: 'FUZZ' } },
  'instruments.update': { symbol: 'XAUUSD', name: 'Gold spot (edited)' },
  'instruments.delete': { symbol: 'NO.SUCH.INSTRUMENT' },
  'instruments.search': { query: 'apple', provider: 'polygon' },
  'bars.query': { symbol: 'DEMO.XAUUSD', timeframe: '1d', from: T0 - 30 * DAY, to: T0, limit: 100 },
  'indicators.query': { symbol: 'DEMO.XAUUSD', timeframe: '1d', indicators: [{ kind: 'sma', params: { period: 5 } }] },
  'bars.coverage': { symbol: 'DEMO.XAUUSD' },
  'quality.report': { symbol: 'DEMO.XAUUSD', timeframe: '1d', from: T0 - 30 * DAY, to: T0 },
  'quality.repair': { symbol: 'XAUUSD', timeframe: '1h', from: T0, to: T0 + DAY },
  'compare.query': { symbols: ['DEMO.XAUUSD', 'DEMO.BTCUSD'], timeframe: '1d', limit: 50 },
  'market.overview': { symbols: ['DEMO.XAUUSD', 'XAUUSD'] },
  'import.preview': { source: { kind: 'text', fileName: 'gold.csv', text: csv }, symbol: 'XAUUSD' },
  'import.csv': { source: { kind: 'text', fileName: 'gold.csv', text: csv }, symbol: 'XAUUSD', timeframe: '1d' },
  'backfill.start': { provider: 'polygon', symbol: 'XAUUSD', timeframe: '1h', from: T0, to: T0 + DAY },
  'backfill.list': {},
  'providers.list': {},
  'providers.test': { provider: 'polygon' },
  'demo.load': {},
  'settings.get': {},
  'settings.update': { theme: 'dark', watchlist: ['XAUUSD', 'XAGUSD'] },
  'secrets.list': {},
  'secrets.set': { name: 'twelvedata', value: 'td-fuzz-key-0001' },
  'secrets.delete': { name: 'twelvedata' },
  'secrets.health': {},
  'jobs.runs': { limit: 10 },
  'jobs.list': {},
  'jobs.create': { name: 'Fuzz poll', kind: 'poll', provider: 'polygon', symbols: ['XAUUSD'], schedule: null },
  'jobs.update': { id: 'no-such-job', name: 'Renamed' },
  'jobs.pause': { id: 'no-such-job' },
  'jobs.resume': { id: 'no-such-job' },
  'jobs.delete': { id: 'no-such-job' },
  'jobs.runNow': { id: 'no-such-job' },
  'alerts.list': { unacknowledgedOnly: true, limit: 10 },
  'alerts.acknowledge': { ids: [1] },
  'jobs.cancel': { jobId: 'no-such-run' },
  'backups.create': { wait: true },
  'backups.list': { limit: 10 },
  'backups.verify': { id: 'no-such-backup' },
  'backups.delete': { id: 'no-such-backup' },
  'backups.preview': { id: 'no-such-backup' },
  'backups.restore': { id: 'no-such-backup' },
  'backups.status': {},
  'backups.pin': { id: 'no-such-backup', pinned: true },
  'backups.setFolder': { folder: null },
  'retention.estimate': { minuteBarsDays: 30 },
  'retention.apply': { wait: true },
  'priceAlerts.list': { symbol: 'XAUUSD' },
  'priceAlerts.create': { symbol: 'XAUUSD', condition: { kind: 'crossAbove', price: 2400 } },
  'priceAlerts.update': { id: 'no-such-alert', enabled: false },
  'priceAlerts.delete': { id: 'no-such-alert' },
  'drawings.list': { symbol: 'XAUUSD' },
  'drawings.create': { symbol: 'XAUUSD', kind: 'trendLine', points: [{ time: T0 - DAY, price: 2790 }, { time: T0, price: 2815 }] },
  'drawings.update': { id: 'no-such-drawing', version: 0, points: [{ time: T0, price: 2800 }] },
  'drawings.delete': { id: 'no-such-drawing' },
  'models.train': { symbol: 'DEMO.XAUUSD', timeframe: '1d', modelType: 'naive', horizon: 1, wait: true },
  'models.list': { symbol: 'DEMO.XAUUSD' },
  'models.runs': { symbol: 'DEMO.XAUUSD', status: 'failed', limit: 10 },
  'models.get': { modelId: 'no-such-model' },
  'models.activate': { modelId: 'no-such-model' },
  'models.archive': { modelId: 'no-such-model' },
  'models.delete': { modelId: 'no-such-model' },
  'models.compare': { modelIds: ['no-such-model'] },
  'models.export': { modelId: 'no-such-model' },
  'models.import': { content: '{}' },
  'models.setStage': { modelId: 'no-such-model', stage: 'shadow' },
  'predictions.make': { modelId: 'no-such-model', asOf: '2025-02-03' },
  'predictions.query': { symbol: 'DEMO.XAUUSD', limit: 100 },
  'features.materialize': { symbol: 'DEMO.XAUUSD', timeframe: '1d', from: '2024-01-01' },
  'features.query': { symbol: 'DEMO.XAUUSD', timeframe: '1d', limit: 100 },
  'sync.now': {},
};

/** Methods that must not change anything the snapshot below sees, whatever they are sent. */
const readOnly = new Set<MethodName>([
  'system.status',
  'instruments.list',
  'bars.query',
  'indicators.query',
  'bars.coverage',
  'quality.report',
  'compare.query',
  'market.overview',
  'import.preview',
  'backfill.list',
  'providers.list',
  'settings.get',
  'secrets.list',
  'secrets.health',
  'jobs.runs',
  'jobs.list',
  'alerts.list',
  'backups.preview',
  'models.list',
  'models.runs',
  'models.get',
  'models.compare',
  'models.export',
  'predictions.query',
  'features.query',
  'drawings.list',
  // Refused in local mode, which is the mode of both cores here.
  'sync.now',
]);

function arbitraries(check: FastCheck) {
  const hostile = check.constantFrom<unknown>(
    '',
    ' ',
    'x'.repeat(5_000),
    '../../../../etc/passwd',
    '/proc/self/environ',
    'XAUUSD\u0000',
    '𝔤𝔬𝔩𝔡',
    '<script>alert(1)</script>',
    "'; DROP TABLE market_data; --",
    -1,
    0,
    1.5,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    true,
    null,
    [],
    {},
    { __proto__: { polluted: true } },
  );
  const value = check.oneof(hostile, check.jsonValue({ maxDepth: 3 }));
  const mutate = (example: Record<string, unknown>) => {
    const keys = [...Object.keys(example), 'extra', '__proto__', 'constructor'];
    const edit = check.record({ key: check.constantFrom(...keys), value, remove: check.boolean() });
    return check.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
      const entries = new Map(Object.entries(example));
      for (const change of edits) {
        if (change.remove) entries.delete(change.key);
        else entries.set(change.key, change.value);
      }
      // Through JSON, as every transport delivers it: "__proto__" stays an ordinary key.
      return JSON.parse(JSON.stringify(Object.fromEntries(entries))) as unknown;
    });
  };
  const inputFor = (method: MethodName) => check.oneof(check.constant<unknown>(examples[method]), mutate(examples[method]), value);
  const call = (names: MethodName[]) => check.constantFrom(...names).chain((method) => inputFor(method).map((input) => ({ method, input })));
  return { call };
}

/** Asserts the shape of one reply: a known contract error, or a value the method's output schema accepts. */
function expectContractReply(method: MethodName, reply: unknown): void {
  const envelope = reply as { ok?: unknown; value?: unknown; error?: { code?: unknown; message?: unknown } };
  if (envelope.ok === true) {
    const parsed = methods[method].output.safeParse(envelope.value);
    expect(parsed.success, `${method} answered with a value its schema refuses`).toBe(true);
    return;
  }
  expect(envelope.ok, `${method} answered without a Result envelope: ${JSON.stringify(reply)?.slice(0, 200)}`).toBe(false);
  expect(errorCodes).toContain(envelope.error?.code);
  expect(typeof envelope.error?.message).toBe('string');
  // INTERNAL is a contract error too, but one that means a handler threw on bad input.
  expect(envelope.error?.code, `${method} failed with INTERNAL: ${String(envelope.error?.message)}`).not.toBe('INTERNAL');
}

/** What the user has and has configured; reads must leave all of it, refused writes the configuration, as it was. */
async function snapshot(invoke: (method: MethodName, input?: unknown) => Promise<unknown>) {
  const value = async (method: MethodName, input: unknown = {}) => ((await invoke(method, input)) as { value: unknown }).value;
  const status = (await value('system.status')) as { bars: number; instruments: number };
  return {
    configuration: {
      settings: await value('settings.get'),
      secrets: await value('secrets.list'),
      jobs: ((await value('jobs.list')) as { jobs: unknown[] }).jobs,
      instruments: await value('instruments.list'),
    },
    data: {
      bars: status.bars,
      coverage: await value('bars.coverage'),
      alerts: await value('alerts.list', { limit: 1000 }),
      runs: await value('jobs.runs', { limit: 1000 }),
      backfills: await value('backfill.list'),
    },
  };
}

const providerEnvironment = (fake: FakeProviderServer): Record<string, string> =>
  Object.fromEntries(
    (['polygon', 'twelvedata', 'metalsapi', 'yahoo'] as const).flatMap((provider) => [
      [`METALYTICS_${provider.toUpperCase()}_BASE_URL`, fake.baseUrl(provider)],
      [`METALYTICS_${provider.toUpperCase()}_RATE_LIMIT`, '0'],
      ...(provider === 'yahoo' ? [] : [[`METALYTICS_${provider.toUpperCase()}_API_KEY`, fake.state.keys[provider]]]),
    ]),
  );

/** Points the job methods' examples at a scheduled job that exists, so their valid paths run too. */
async function useExistingJob(invoke: (method: MethodName, input?: unknown) => Promise<unknown>) {
  const created = (await invoke('jobs.create', examples['jobs.create'])) as { ok: boolean; value: { id: string } };
  expect(created.ok).toBe(true);
  for (const method of ['jobs.update', 'jobs.pause', 'jobs.resume', 'jobs.delete', 'jobs.runNow'] as const) examples[method].id = created.value.id;
}

/** Cancels the job a reply started, so fuzzing never leaves long work running. */
async function cancelStarted(invoke: (method: MethodName, input?: unknown) => Promise<unknown>, reply: unknown) {
  const jobId = (reply as { ok?: boolean; value?: { jobId?: unknown } }).value?.jobId;
  if (typeof jobId === 'string') await invoke('jobs.cancel', { jobId });
}

describe.skipIf(!fc)('contract fuzzing', { timeout: 120_000 }, () => {
  // The describe body runs even when skipped; only the tests themselves may touch fast-check.
  const check = fc as FastCheck;
  const call = (names: MethodName[]) => arbitraries(check).call(names);
  const writing = methodNames.filter((name) => !readOnly.has(name));
  let fake: FakeProviderServer;

  beforeAll(async () => {
    fake = await FakeProviderServer.start();
  });
  afterAll(async () => {
    await fake?.close();
  });

  describe('through the invoke loop (IPC)', () => {
    let test: TestCore;
    let core: Core;
    const invoke = (method: MethodName, input?: unknown) => core.invoke(method, input);

    beforeAll(async () => {
      test = await createTestCore({ environment: providerEnvironment(fake) });
      core = test.core;
      expect(await core.invoke('demo.load', {})).toMatchObject({ ok: true });
      await useExistingJob(invoke);
    });
    afterAll(async () => {
      core?.jobs.cancelAll();
      await test?.cleanup();
    });

    it('answers every read with a contract reply and changes nothing', async () => {
      const before = await snapshot(invoke);
      await check.assert(
        check.asyncProperty(call([...readOnly]), async ({ method, input }) => {
          expectContractReply(method, await core.invoke(method, input));
        }),
        { numRuns: 1_500 },
      );
      expect(await snapshot(invoke)).toEqual(before);
    });

    it('answers every write with a contract reply, and a refused one changes no configuration', async () => {
      await check.assert(
        check.asyncProperty(call(writing), async ({ method, input }) => {
          const before = (await snapshot(invoke)).configuration;
          const reply = await core.invoke(method, input);
          await cancelStarted(invoke, reply);
          expectContractReply(method, reply);
          if (!(reply as { ok: boolean }).ok) expect((await snapshot(invoke)).configuration).toEqual(before);
        }),
        { numRuns: 800 },
      );
      // Still working: a read after all of it.
      expect(await core.invoke('system.status', {})).toMatchObject({ ok: true });
    });
  });

  describe('over HTTP against a real serve', () => {
    let serve: ServeProcess;
    const post = async (method: string, body: string) => {
      const response = await fetch(`${serve.origin}/api/${method}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${serve.token}`, 'Content-Type': 'application/json' },
        body,
      });
      return { status: response.status, text: await response.text() };
    };
    const invoke = async (method: MethodName, input?: unknown) => JSON.parse((await post(method, JSON.stringify(input ?? {}))).text) as unknown;

    /** A JSON Result envelope, or a plain 4xx/503 refusal by the transport before the core; never a 500. */
    const expectHttpReply = (method: MethodName, reply: { status: number; text: string }) => {
      expect(reply.status === 500 || reply.status > 503, `${method}: HTTP ${reply.status} ${reply.text.slice(0, 200)}`).toBe(false);
      let body: unknown;
      try {
        body = JSON.parse(reply.text);
      } catch {
        expect(reply.status >= 400, `${method}: a ${reply.status} reply that is not JSON`).toBe(true);
        return;
      }
      expectContractReply(method, body);
      // The core's answers, errors included, come with 200; a refusal by the transport is never a success.
      if (reply.status !== 200) expect((body as { ok: boolean }).ok).toBe(false);
    };

    beforeAll(async () => {
      serve = await startServeProcess(undefined, providerEnvironment(fake));
      expect(await invoke('demo.load', {})).toMatchObject({ ok: true });
      await useExistingJob(invoke);
    });
    afterAll(async () => {
      await serve?.stop();
    });

    it('answers every method, and bodies that are not even JSON, without going down', async () => {
      const before = await snapshot(invoke);
      await check.assert(
        check.asyncProperty(call([...readOnly]), async ({ method, input }) => {
          expectHttpReply(method, await post(method, JSON.stringify(input)));
        }),
        { numRuns: 300 },
      );
      expect(await snapshot(invoke)).toEqual(before);

      await check.assert(
        check.asyncProperty(call(writing), async ({ method, input }) => {
          const reply = await post(method, JSON.stringify(input));
          expectHttpReply(method, reply);
          try {
            await cancelStarted(invoke, JSON.parse(reply.text));
          } catch {
            // Not JSON: nothing was started.
          }
        }),
        { numRuns: 200 },
      );

      const garbage = check.oneof(
        check.constantFrom('', '{', 'null', '[]', '"text"', '{"a":', '\u0000\u0001', '{"__proto__":{"polluted":true}}', '['.repeat(5_000)),
        check.jsonValue({ maxDepth: 4 }).map((json) => `${JSON.stringify(json)}trailing`),
      );
      await check.assert(
        check.asyncProperty(
          check.record({ method: check.constantFrom(...methodNames), body: garbage }),
          async ({ method, body }) => expectHttpReply(method, await post(method, body)),
        ),
        { numRuns: 150 },
      );

      expect(serve.child.exitCode).toBeNull();
      const health = await fetch(`${serve.origin}/healthz`);
      expect(health.status).toBe(200);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });
});
