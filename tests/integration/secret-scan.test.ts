/**
 * Secret scan: a real `metalytics serve` runs a full workflow with unique secret values (three
 * provider keys, a Postgres password), then every file it wrote, everything it printed, every
 * byte it sent to the client (HTTP replies, WebSocket events, /metrics), to Postgres and to the
 * providers is searched for those values. A provider's own key may go to that provider and
 * nowhere else; nothing else may carry any of them, in clear, base64 or hex.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ProviderId } from '../../src/shared/domain';
import { FakeProviderServer } from '../support/fake-provider-server';
import { useTestPostgres } from '../support/postgres';
import { startServeProcess, type ServeProcess } from '../support/serve-process';

/** Letters and digits only, so URL and JSON encodings are the value itself. */
const unique = (label: string) => `${label}${randomBytes(12).toString('hex')}`;
const secrets = {
  polygon: unique('pkScanPolygon'),
  twelvedata: unique('tdScanTwelve'),
  metalsapi: unique('maScanMetals'),
  database: unique('dbScanPassword'),
};
type SecretLabel = keyof typeof secrets;

/** Every way a value might be written: as is, base64 (Basic auth, backups) and hex (dumps). */
function encodings(value: string): string[] {
  const bytes = Buffer.from(value);
  return [value, bytes.toString('base64').replace(/=+$/, ''), bytes.toString('base64url').replace(/=+$/, ''), bytes.toString('hex')];
}

/** Which secrets appear in `data`, whatever the encoding. */
function secretsIn(data: Buffer | string, except: SecretLabel[] = []): SecretLabel[] {
  const haystack = Buffer.isBuffer(data) ? data : Buffer.from(data);
  return (Object.keys(secrets) as SecretLabel[]).filter(
    (label) => !except.includes(label) && encodings(secrets[label]).some((encoded) => haystack.includes(encoded)),
  );
}

/** A TCP relay between the app and Postgres that keeps every byte both ways. */
async function recordingProxy(targetPort: number) {
  const sent: Buffer[] = [];
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    client.on('data', (chunk: Buffer) => sent.push(Buffer.from(chunk)));
    upstream.on('data', (chunk: Buffer) => sent.push(Buffer.from(chunk)));
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    bytes: () => Buffer.concat(sent),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

const postgres = useTestPostgres();

it('the scan finds a secret in any of its encodings', () => {
  expect(secretsIn(`a${secrets.polygon}b`)).toEqual(['polygon']);
  expect(secretsIn(Buffer.from(`user:${secrets.database}`).toString('base64'))).toEqual([]);
  expect(secretsIn(`x${Buffer.from(secrets.database).toString('base64')}`)).toEqual(['database']);
  expect(secretsIn(Buffer.from(secrets.metalsapi).toString('hex'))).toEqual(['metalsapi']);
  expect(secretsIn(`${secrets.polygon}`, ['polygon'])).toEqual([]);
});

/**
 * On Postgres (the password in play, every byte to the server relayed and kept) and on the
 * desktop's default SQLite (the database files in the data folder scanned).
 */
describe.each(['postgres', 'sqlite'] as const)('secret scan of a full serve workflow on %s', { timeout: 180_000 }, (mode) => {
  let fake: FakeProviderServer;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  let serve: ServeProcess;
  /** Every byte the test received from serve: replies, events, /metrics, /healthz. */
  const received: Buffer[] = [];

  beforeAll(async () => {
    fake = await FakeProviderServer.start({ keys: { polygon: secrets.polygon, twelvedata: secrets.twelvedata, metalsapi: secrets.metalsapi } });

    // A role of its own whose password is one of the secrets; the app reaches it through the relay.
    const adminUrl = new URL(await postgres.createDatabaseUrl());
    const database = adminUrl.pathname.slice(1);
    const role = `scan_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl.href });
    await admin.connect();
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${secrets.database}'`);
    await admin.query(`ALTER DATABASE ${database} OWNER TO ${role}`);
    await admin.end();
    proxy = await recordingProxy(Number(adminUrl.port));

    const providerEnvironment = Object.fromEntries(
      (['polygon', 'twelvedata', 'metalsapi'] as const).flatMap((provider) => [
        [`METALYTICS_${provider.toUpperCase()}_BASE_URL`, fake.baseUrl(provider)],
        [`METALYTICS_${provider.toUpperCase()}_API_KEY`, secrets[provider]],
        [`METALYTICS_${provider.toUpperCase()}_RATE_LIMIT`, '0'],
      ]),
    );
    serve = await startServeProcess(undefined, {
      ...providerEnvironment,
      METALYTICS_DATABASE_URL: mode === 'postgres' ? `postgres://${role}:${secrets.database}@127.0.0.1:${proxy.port}/${database}` : '',
      METALYTICS_LOG_LEVEL: 'debug',
    });
  });

  afterAll(async () => {
    await serve?.stop();
    await proxy?.close();
    await fake?.close();
  });

  /** Calls a method over HTTP, keeping the raw reply for the scan; never throws on a contract error. */
  async function call(method: string, input: unknown = {}): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }> {
    const response = await fetch(`${serve.origin}/api/${method}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${serve.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input),
    });
    const body = Buffer.from(await response.arrayBuffer());
    received.push(Buffer.from(JSON.stringify(Object.fromEntries(response.headers))), body);
    return JSON.parse(body.toString('utf8')) as { ok: boolean; value?: unknown; error?: { code: string; message: string } };
  }

  async function waitFor<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
    for (let attempt = 0; attempt < 240; attempt += 1) {
      const value = await probe();
      if (value !== undefined) return value;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  it('leaks no key or password into files, output, replies, events, Postgres traffic or other providers', async () => {
    const socket = new WebSocket(`${serve.origin.replace('http', 'ws')}/api/events`, [`bearer.${serve.token}`, 'metalytics']);
    const events: Buffer[] = [];
    socket.on('message', (data: Buffer) => events.push(Buffer.from(data)));
    socket.on('upgrade', (response) => received.push(Buffer.from(JSON.stringify(response.headers))));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));

    // Status, settings, keys as the UI sees them, every provider's test button.
    expect(await call('system.status')).toMatchObject({
      ok: true,
      value: { database: { mode: mode === 'sqlite' ? 'sqlite' : expect.stringMatching(/postgres|timescaledb/) } },
    });
    for (const method of ['settings.get', 'secrets.list', 'secrets.health', 'providers.list', 'instruments.list']) {
      expect(await call(method)).toMatchObject({ ok: true });
    }
    for (const provider of ['polygon', 'twelvedata', 'metalsapi'] as ProviderId[]) await call('providers.test', { provider });

    // A backfill from the fake Polygon, to its end.
    const from = Date.UTC(2025, 1, 3);
    const to = Date.UTC(2025, 1, 8);
    const started = (await call('backfill.start', { provider: 'polygon', symbol: 'XAUUSD', timeframe: '1h', from, to })) as {
      ok: true;
      value: { jobId: string };
    };
    expect(started.ok).toBe(true);
    await waitFor(async () => {
      const runs = (await call('jobs.runs', { kind: 'backfill' })) as { value: { runs: { id: string; status: string }[] } };
      const run = runs.value.runs.find((entry) => entry.id === started.value.jobId);
      return run && run.status !== 'running' ? run : undefined;
    }, 'the backfill');

    // Export: the stored bars as a client reads them.
    const exported = (await call('bars.query', { symbol: 'XAUUSD', timeframe: '1h', from, to })) as { value: { bars: unknown[] } };
    expect(exported.value.bars.length).toBeGreaterThan(0);

    // A scheduled job whose provider answers with an error that quotes the key back, as some do.
    fake.script('metalsapi', {
      respond: {
        status: 401,
        json: { success: false, error: { code: 101, type: 'invalid_access_key', info: `Invalid access key ${secrets.metalsapi} for ${secrets.metalsapi.slice(0, 10)}` } },
      },
    });
    const job = (await call('jobs.create', {
      name: 'Gold spot every minute',
      kind: 'poll',
      provider: 'metalsapi',
      symbols: ['XAUUSD'],
      schedule: '*/5 * * * *',
      retryPolicy: { maxAttempts: 1, backoffMs: 1_000 },
    })) as { ok: true; value: { id: string } };
    expect(job.ok).toBe(true);
    await call('jobs.runNow', { id: job.value.id });
    await waitFor(async () => {
      const alerts = (await call('alerts.list')) as { value: { unacknowledged: number } };
      return alerts.value.unacknowledged > 0 ? true : undefined;
    }, 'the alert of the failed job');
    expect(await call('jobs.runs', { limit: 100 })).toMatchObject({ ok: true });

    // Failures must not echo a secret either.
    await call('secrets.set', { name: 'polygon', value: 'x' });
    await call('settings.update', { databaseUrl: `postgres://user:${secrets.database}@db.example/metalytics` });

    for (const route of ['/metrics', '/healthz']) {
      const response = await fetch(`${serve.origin}${route}`, { headers: { Authorization: `Bearer ${serve.token}` } });
      received.push(Buffer.from(await response.arrayBuffer()));
    }
    // Let the last events arrive, then stop the server so its logs and database files are final.
    await new Promise((resolve) => setTimeout(resolve, 500));
    socket.close();
    expect(events.some((event) => event.toString().includes('alert.raised'))).toBe(true);
    const output = serve.output();
    const dataDir = serve.dataDir;
    serve.child.kill('SIGTERM');
    await new Promise((resolve) => (serve.child.exitCode === null ? serve.child.once('exit', resolve) : resolve(undefined)));

    const leaks: string[] = [];
    const note = (where: string, found: SecretLabel[]) => {
      if (found.length > 0) leaks.push(`${where}: ${found.join(', ')}`);
    };
    for (const file of await filesUnder(dataDir)) note(`file ${path.relative(dataDir, file)}`, secretsIn(await readFile(file)));
    note('serve output', secretsIn(output));
    note('replies to the client', secretsIn(Buffer.concat(received)));
    note('WebSocket events', secretsIn(Buffer.concat(events)));
    // SCRAM authentication: the password never crosses the wire, nor does any key.
    note('bytes to and from Postgres', secretsIn(proxy.bytes()));
    for (const request of fake.requests) {
      const own = request.provider === 'plain' ? [] : ([request.provider] as SecretLabel[]);
      note(`request to ${request.provider} ${request.path}`, secretsIn(`${request.rawUrl}\n${JSON.stringify(request.headers)}`, own));
    }
    expect(leaks).toEqual([]);
    // The scan saw real traffic: each secret did reach the one place it belongs.
    expect(fake.requestsTo('polygon').some((request) => secretsIn(`${request.rawUrl}${JSON.stringify(request.headers)}`).includes('polygon'))).toBe(true);
    if (mode === 'postgres') expect(proxy.bytes().length).toBeGreaterThan(10_000);
    else expect((await filesUnder(dataDir)).some((file) => file.endsWith('metalytics.db'))).toBe(true);
  });
});
