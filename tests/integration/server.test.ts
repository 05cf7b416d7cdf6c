import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startServer, type RunningServer } from '../../src/server/http-server';
import type { EventMessage } from '../../src/shared/contract';
import { contentSecurityPolicy } from '../../src/shared/content-security-policy';
import { settingsSchema } from '../../src/shared/domain';
import { silentLogger } from '../support/silent-logger';
import { createTestCore, type TestCore } from '../support/test-core';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const XAUUSD_CSV = path.resolve(repoRoot, '../shared/data/xauusd-1d-mt4.csv');
const TOKEN = 'test-token-0123456789';
const MAX_BODY = 64 * 1024;

let testCore: TestCore;
let server: RunningServer;
let staticParent: string;
/** METALYTICS_IMPORT_DIR of the server under test: a copy of the MetaTrader file and symlinks pointing out. */
let importDir: string;

interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http rather than fetch: tests need exact paths (no `..` normalising) and a forged Host. */
function raw(options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, method: options.method ?? 'GET', path: options.path, headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- replies are checked field by field by the assertions
type Reply = { ok: boolean; value?: any; error?: { code: string; message: string } };

async function call(method: string, input?: unknown, token = TOKEN): Promise<{ status: number; body: Reply }> {
  const response = await fetch(`${server.url}api/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: input === undefined ? undefined : JSON.stringify(input),
  });
  return { status: response.status, body: (await response.json()) as Reply };
}

function eventsUrl(query = `?token=${TOKEN}`): string {
  return `${server.url.replace('http:', 'ws:')}api/events${query}`;
}

/** Resolves with the socket once open, or rejects with the HTTP status of a refused upgrade. */
function openSocket(url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}, protocols?: string[]): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, options);
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

beforeAll(async () => {
  testCore = await createTestCore();
  staticParent = await mkdtemp(path.join(tmpdir(), 'metalytics-static-'));
  const staticDir = path.join(staticParent, 'renderer');
  await mkdir(path.join(staticDir, 'assets'), { recursive: true });
  await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>Metalytics</title>');
  await writeFile(path.join(staticDir, 'assets', 'app-1234.js'), 'console.log("app")');
  await writeFile(path.join(staticParent, 'outside-secret.txt'), 'TOP SECRET');
  importDir = path.join(staticParent, 'imports');
  await mkdir(importDir);
  await copyFile(XAUUSD_CSV, path.join(importDir, path.basename(XAUUSD_CSV)));
  await symlink('/proc/self/environ', path.join(importDir, 'environ.csv'));
  await symlink(staticParent, path.join(importDir, 'parent'));
  server = await startServer({
    core: testCore.core,
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    staticDir,
    logger: silentLogger(),
    maxBodyBytes: MAX_BODY,
    maxUploadBytes: MAX_BODY,
    importDir,
  });
});

afterAll(async () => {
  await server?.close();
  await testCore?.cleanup();
  await rm(staticParent, { recursive: true, force: true });
});

describe('contract methods over HTTP', () => {
  it('refuses calls without a token or with a wrong one', async () => {
    const missing = await fetch(`${server.url}api/system.status`, { method: 'POST' });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ ok: false, error: { code: 'AUTH' } });
    const wrong = await call('system.status', {}, 'not-the-token');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ ok: false, error: { code: 'AUTH' } });
  });

  it('answers with the Result envelope, an empty body meaning no input', async () => {
    const { status, body } = await call('system.status');
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, value: { appVersion: '0.0.0-test', database: { mode: 'sqlite', online: true } } });
  });

  it('serves its OpenAPI description, the checked-in docs/openapi.json, behind the token', async () => {
    const anonymous = await raw({ path: '/api/openapi.json' });
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body)).toMatchObject({ ok: false, error: { code: 'AUTH' } });
    const described = await raw({ path: '/api/openapi.json', headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(described.status).toBe(200);
    expect(described.headers['content-type']).toBe('application/json; charset=utf-8');
    const checkedIn: unknown = JSON.parse(await readFile(path.join(repoRoot, 'docs/openapi.json'), 'utf8'));
    expect(JSON.parse(described.body)).toEqual(checkedIn);
  });

  it('rejects unknown methods, malformed JSON, other verbs and oversized bodies', async () => {
    const unknown = await call('bars.delete', {});
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    const malformed = await raw({ method: 'POST', path: '/api/bars.query', headers: { Authorization: `Bearer ${TOKEN}` }, body: '{"symbol":' });
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });

    const get = await raw({ path: '/api/system.status', headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');

    const oversized = await call('import.preview', { source: { kind: 'text', fileName: 'big.csv', text: 'x'.repeat(MAX_BODY + 1) }, symbol: 'XAUUSD' });
    expect(oversized.status).toBe(413);
    expect(oversized.body).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('returns VALIDATION envelopes with HTTP 200 for input the contract refuses', async () => {
    const inputs = [
      { symbol: 'XAUUSD', timeframe: '2d' },
      { symbol: 'XAUUSD', timeframe: '1d', from: 2_000, to: 1_000 },
      { symbol: 'XAUUSD', timeframe: '1d', limit: -5 },
      { symbol: 'XAUUSD', timeframe: '1d', unexpected: true },
    ];
    for (const input of inputs) {
      const { status, body } = await call('bars.query', input);
      expect(status).toBe(200);
      expect(body).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
  });

  it('returns NOT_FOUND for an unknown symbol', async () => {
    const { status, body } = await call('bars.query', { symbol: 'NOSUCH', timeframe: '1d' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(body.error?.message).toMatch(/NOSUCH/);
  });
});

describe('events and a real import', () => {
  it('streams job and bars events to a client with the token, then serves the imported bars', async () => {
    const ws = await openSocket(eventsUrl());
    const received: EventMessage[] = [];
    ws.on('message', (data) => received.push(JSON.parse(String(data)) as EventMessage));

    const imported = await call('import.csv', { source: { kind: 'path', path: path.join(importDir, path.basename(XAUUSD_CSV)) }, symbol: 'XAUUSD' });
    expect(imported.body).toMatchObject({ ok: true, value: { symbol: 'XAUUSD', timeframe: '1d', inserted: 5383, rejected: 0 } });

    await expect.poll(() => received.map((m) => m.name)).toEqual(expect.arrayContaining(['job.progress', 'job.finished', 'bars.changed']));
    const finished = received.find((m) => m.name === 'job.finished');
    expect(finished?.payload).toMatchObject({ kind: 'import', status: 'succeeded' });
    expect(received.find((m) => m.name === 'bars.changed')?.payload).toMatchObject({ symbol: 'XAUUSD', timeframe: '1d' });
    ws.close();

    const daily = await call('bars.query', { symbol: 'XAUUSD', timeframe: '1d', limit: 3 });
    expect(daily.body.ok).toBe(true);
    expect(daily.body.value.bars).toHaveLength(3);
    expect(new Date(daily.body.value.bars[2].time).toISOString()).toBe('2025-09-30T00:00:00.000Z');

    const weekly = await call('bars.query', { symbol: 'xauusd', timeframe: '1w', from: Date.UTC(2025, 0, 1), to: Date.UTC(2025, 1, 1) });
    expect(weekly.body.value.sourceTimeframe).toBe('1d');
    expect(weekly.body.value.bars.length).toBeGreaterThanOrEqual(4);
  });

  it('refuses WebSocket clients without the right token, Origin or path', async () => {
    await expect(openSocket(eventsUrl(''))).rejects.toThrow('HTTP 401');
    await expect(openSocket(eventsUrl('?token=wrong'))).rejects.toThrow('HTTP 401');
    await expect(openSocket(eventsUrl(), { origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(openSocket(`${server.url.replace('http:', 'ws:')}api/other?token=${TOKEN}`)).rejects.toThrow('HTTP 404');
  });

  it('accepts the token in an Authorization header or a bearer subprotocol', async () => {
    const byHeader = await openSocket(eventsUrl(''), { headers: { Authorization: `Bearer ${TOKEN}` } });
    byHeader.close();
    const byProtocol = await openSocket(eventsUrl(''), {}, ['metalytics', `bearer.${TOKEN}`]);
    expect(byProtocol.protocol).toBe('metalytics');
    byProtocol.close();
  });

  it('drops a client that stops answering pings', async () => {
    const quickServer = await startServer({ core: testCore.core, host: '127.0.0.1', port: 0, token: TOKEN, logger: silentLogger(), heartbeatMs: 50 });
    try {
      const ws = await new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(`${quickServer.url.replace('http:', 'ws:')}api/events?token=${TOKEN}`, { autoPong: false });
        socket.once('open', () => resolve(socket));
        socket.once('error', reject);
      });
      const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
      await closed;
      const metrics = await (await fetch(`${quickServer.url}metrics`)).text();
      expect(metrics).toContain('metalytics_event_clients_dropped_total{reason="unresponsive"} 1');
    } finally {
      await quickServer.close();
    }
  });

  it('drops a client that stops reading instead of buffering events for it without end', async () => {
    const slowServer = await startServer({ core: testCore.core, host: '127.0.0.1', port: 0, token: TOKEN, logger: silentLogger(), maxClientBufferedBytes: 256 * 1024 });
    // A raw socket that completes the handshake and then never reads: a frozen browser tab.
    const socket = connect(slowServer.port, '127.0.0.1');
    try {
      socket.write(
        `GET /api/events?token=${TOKEN} HTTP/1.1\r\nHost: 127.0.0.1:${slowServer.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      const [handshake] = (await once(socket, 'data')) as [Buffer];
      expect(handshake.toString()).toMatch(/^HTTP\/1\.1 101/);
      socket.pause();

      const clientCount = async () => Number(/^metalytics_event_clients (\d+)$/m.exec(await (await fetch(`${slowServer.url}metrics`)).text())?.[1]);
      expect(await clientCount()).toBe(1);
      const settings = { theme: 'dark' as const, watchlist: Array.from({ length: 200 }, (_, i) => `SYMBOL${i}`), chart: { timeframe: '1d' as const }, providers: {}, backups: { keep: { daily: 7, weekly: 4, monthly: 12 }, safetyDays: 30 }, retention: { minuteBarsDays: null }, timeZone: 'utc' as const, chartLayouts: {}, cache: settingsSchema.parse({}).cache };
      // Bounded: at most ~120 MB of events, far more than loopback socket buffers hold.
      for (let batch = 0; batch < 600 && (await clientCount()) > 0; batch += 1) {
        for (let i = 0; i < 100; i += 1) testCore.core.events.emit('settings.changed', settings);
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(await clientCount()).toBe(0);
      const metrics = await (await fetch(`${slowServer.url}metrics`)).text();
      expect(metrics).toContain('metalytics_event_clients_dropped_total{reason="slow"} 1');
    } finally {
      socket.destroy();
      await slowServer.close();
    }
  });

  it('tells connected clients it is going away when it closes', async () => {
    const closingServer = await startServer({ core: testCore.core, host: '127.0.0.1', port: 0, token: TOKEN, logger: silentLogger() });
    const ws = await openSocket(`${closingServer.url.replace('http:', 'ws:')}api/events?token=${TOKEN}`);
    const code = new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
    await closingServer.close();
    expect(await code).toBe(1001);
  });
});

describe('health and metrics', () => {
  it('reports health without a token', async () => {
    const response = await fetch(`${server.url}healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', database: 'up' });
  });

  it('exposes Prometheus text on loopback', async () => {
    await call('bars.coverage', {});
    const response = await fetch(`${server.url}metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();

    const samples = new Map<string, number>();
    const typed = new Set<string>();
    for (const line of text.trimEnd().split('\n')) {
      const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
      if (meta) {
        if (meta[1] === 'TYPE') typed.add(meta[2]!);
        continue;
      }
      const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (\S+)$/.exec(line);
      expect(sample, `not a valid sample line: ${line}`).not.toBeNull();
      const family = sample![1]!.replace(/_(bucket|sum|count)$/, '');
      expect(typed.has(family) || typed.has(sample![1]!), `sample before its TYPE: ${line}`).toBe(true);
      expect(Number.isNaN(Number(sample![3]!.replace('+Inf', 'Infinity')))).toBe(false);
      samples.set(`${sample![1]}${sample![2] ?? ''}`, Number(sample![3]));
    }
    expect(samples.get('metalytics_database_up')).toBe(1);
    expect(samples.get('metalytics_bars_stored')).toBe(5383);
    expect(samples.get('metalytics_event_clients')).toBe(0);
    // The gold file's last daily bar opens on 2025-09-30; a stale-data alert compares it with time().
    expect(samples.get('metalytics_newest_bar_timestamp_seconds{symbol="XAUUSD",timeframe="1d"}')).toBe(Date.UTC(2025, 8, 30) / 1000);
    expect(samples.get('metalytics_job_runs_total{kind="import",status="succeeded"}')).toBeGreaterThanOrEqual(1);
    expect(samples.get('metalytics_rpc_requests_total{method="bars.coverage",outcome="ok"}')).toBeGreaterThanOrEqual(1);
    expect(samples.get('metalytics_rpc_requests_total{method="bars.query",outcome="VALIDATION"}')).toBeGreaterThanOrEqual(3);
    expect(samples.get('metalytics_rpc_duration_seconds_count{method="bars.coverage"}')).toBeGreaterThanOrEqual(1);
    expect(samples.get('metalytics_uptime_seconds')).toBeGreaterThan(0);
  });
});

describe('static files and request hygiene', () => {
  it('serves the renderer with its content type and the security headers', async () => {
    const index = await fetch(server.url);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toContain('<title>Metalytics</title>');
    expect(index.headers.get('content-security-policy')).toBe(contentSecurityPolicy('production'));
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self';");
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(index.headers.get('referrer-policy')).toBe('no-referrer');
    expect(index.headers.get('x-frame-options')).toBe('DENY');

    const script = await fetch(`${server.url}assets/app-1234.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toContain('immutable');

    const missing = await fetch(`${server.url}nope.html`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toMatch(/Not found/);
  });

  it('never serves a file outside the renderer folder', async () => {
    for (const attempt of ['/../outside-secret.txt', '/%2e%2e/outside-secret.txt', '/assets/..%2f..%2foutside-secret.txt', '/..%5coutside-secret.txt', '/%00index.html']) {
      const reply = await raw({ path: attempt });
      expect([400, 404]).toContain(reply.status);
      expect(reply.body).not.toContain('TOP SECRET');
    }
  });

  it('refuses a Host header other than its own address (DNS rebinding)', async () => {
    const forged = await raw({ path: '/healthz', headers: { Host: `evil.example:${server.port}` } });
    expect(forged.status).toBe(403);
    const byName = await raw({ path: '/healthz', headers: { Host: `localhost:${server.port}` } });
    expect(byName.status).toBe(200);
  });

  it('refuses to listen beyond loopback unless remote access is allowed', async () => {
    await expect(
      startServer({ core: testCore.core, host: '0.0.0.0', port: 0, token: TOKEN, logger: silentLogger() }),
    ).rejects.toThrow(/--allow-remote/);
  });
});

describe('security regressions (issue 16)', () => {
  const environAttack = {
    source: { kind: 'path', path: '/proc/self/environ' },
    symbol: 'XAUUSD',
    mapping: { delimiter: '|', hasHeader: false, time: 0, close: 0 },
  };

  async function importRunCount(): Promise<number> {
    return (await call('jobs.runs', { kind: 'import', limit: 1000 })).body.value.runs.length;
  }

  it('refuses the /proc/self/environ read, and any path outside the import folder, the same way whether or not it exists', async () => {
    const runsBefore = await importRunCount();
    const attack = await call('import.preview', environAttack);
    expect(attack.status).toBe(200);
    expect(attack.body).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const text = JSON.stringify(attack.body);
    for (const secret of [TOKEN, process.env.PATH ?? 'PATH=', 'PATH=', 'HOME=']) expect(text).not.toContain(secret);

    const outside = [
      '/etc/shadow',
      '/etc/passwd',
      '/no/such/file.csv',
      '../outside-secret.txt',
      `${importDir}/../outside-secret.txt`,
      path.join(importDir, 'environ.csv'),
      'parent/outside-secret.txt',
      'parent/imports/../outside-secret.txt',
      'parent/no-such-file.csv',
      'no-such-file.csv',
      importDir,
    ];
    for (const requested of outside) {
      for (const method of ['import.preview', 'import.csv']) {
        const reply = await call(method, { ...environAttack, source: { kind: 'path', path: requested } });
        expect(reply.body, `${method} ${requested}`).toEqual(attack.body);
      }
    }
    expect(await importRunCount()).toBe(runsBefore);

    // Inside the folder, a relative path works as an absolute one does.
    const inside = await call('import.preview', { source: { kind: 'path', path: path.basename(XAUUSD_CSV) }, symbol: 'XAUUSD' });
    expect(inside.body).toMatchObject({ ok: true, value: { validRows: 5383 } });
  });

  it('refuses to read or write a model file or a backup archive a caller names, whatever the path, before the core sees it', async () => {
    for (const requested of ['/etc/passwd', path.join(importDir, path.basename(XAUUSD_CSV)), '../model.json', 'model.json']) {
      for (const [method, input] of [
        ['models.import', { path: requested }],
        ['models.export', { modelId: 'no-such-model', path: requested }],
      ] as const) {
        const reply = await call(method, input);
        expect(reply.body, `${method} ${requested}`).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringContaining('`content`') } });
      }
    }
    for (const [method, input] of [
      ['backups.create', { path: '/tmp/anywhere.mlbackup' }],
      ['backups.verify', { path: '/etc/passwd.mlbackup' }],
    ] as const) {
      expect((await call(method, input)).body, method).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringContaining('`id`') } });
    }
    // Without a path the export's content comes back, and an unknown model is just unknown.
    expect((await call('models.export', { modelId: 'no-such-model' })).body).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('without METALYTICS_IMPORT_DIR refuses every path import but still takes uploads', async () => {
    const uploadsOnly = await startServer({ core: testCore.core, host: '127.0.0.1', port: 0, token: TOKEN, logger: silentLogger() });
    try {
      const post = (input: unknown) =>
        fetch(`${uploadsOnly.url}api/import.preview`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(input) }).then(
          (r) => r.json() as Promise<Reply>,
        );
      const byPath = await post({ source: { kind: 'path', path: XAUUSD_CSV }, symbol: 'XAUUSD' });
      expect(byPath).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringMatching(/METALYTICS_IMPORT_DIR/) } });
      const upload = await post({ source: { kind: 'text', fileName: 'two.csv', text: 'Date,Close\n2024-01-01,10\n2024-01-02,11\n' }, symbol: 'XAUUSD' });
      expect(upload).toMatchObject({ ok: true, value: { rowsRead: 2, validRows: 2 } });
    } finally {
      await uploadsOnly.close();
    }
  });

  it('reads an upload streamed to disk exactly as the core reads the same text', async () => {
    const texts = [
      'Date,Open,High,Low,Close\r\n2024-01-01,1,2,0.5,1.5\r\n2024-01-02,1,2,0.5,"1.6"\r\n2024-01-02,1,2,0.5,1.7\r\n',
      '\ufeffTime;Price;Note\n2024-01-01;10;caf\u00e9 \ud83d\ude00 \\ "q" /\n2024-01-02;x;\u0001\n2024-01-03;12;\ud800 lone\n',
    ];
    for (const text of texts) {
      const input = { source: { kind: 'text' as const, fileName: 'sample.csv', text }, symbol: 'XAUUSD', timeframe: '1d' as const };
      const overHttp = await call('import.preview', input);
      expect(overHttp.body).toEqual(await testCore.core.invoke('import.preview', input));
    }
    const imported = await call('import.csv', {
      source: { kind: 'text', fileName: '../../odd name.csv', text: 'Date,Close\n1990-01-01,10\n1990-01-02,11\n' },
      symbol: 'XAUUSD',
    });
    expect(imported.body).toMatchObject({ ok: true, value: { inserted: 2 } });
    const [run] = (await call('jobs.runs', { kind: 'import', limit: 1 })).body.value.runs;
    expect(run.description).toBe('Import .._.._odd name.csv into XAUUSD 1d');
  });

  it('never echoes the token in Sec-WebSocket-Protocol', async () => {
    const ws = new WebSocket(eventsUrl(''), [`bearer.${TOKEN}`]);
    const selected = await new Promise<string | undefined>((resolve, reject) => {
      ws.once('upgrade', (res) => resolve(res.headers['sec-websocket-protocol'] as string | undefined));
      ws.once('error', reject);
    });
    expect(selected).toBeUndefined();
    ws.close();
  });

  it('says bars and instruments are unknown (null), not 0, while the database is down', async () => {
    const { storage } = testCore.core;
    const ping = storage.ping;
    storage.ping = async () => false;
    try {
      const { body } = await call('system.status');
      expect(body).toMatchObject({ ok: true, value: { database: { online: false }, bars: null, instruments: null } });
    } finally {
      storage.ping = ping;
    }
  });

  it('requires a token of at least 32 characters when other machines can reach it', async () => {
    // Through a proxy on this host: tests bind to loopback only, and the rule is the same.
    await expect(
      startServer({ core: testCore.core, host: '127.0.0.1', port: 0, token: 'short-but-not-empty', behindProxy: true, logger: silentLogger() }),
    ).rejects.toThrow(/at least 32/);
    const remote = await startServer({ core: testCore.core, host: '127.0.0.1', port: 0, token: 'x'.repeat(32), behindProxy: true, logger: silentLogger() });
    await remote.close();
  });
});

describe('remote rules, behind a reverse proxy on this host', () => {
  const REMOTE_TOKEN = 'r'.repeat(40);
  const METRICS_TOKEN = 'm'.repeat(40);
  const logger = silentLogger();
  let clock = Date.UTC(2026, 0, 5);
  let remote: RunningServer;

  beforeAll(async () => {
    remote = await startServer({
      core: testCore.core,
      host: '127.0.0.1',
      port: 0,
      token: REMOTE_TOKEN,
      metricsToken: METRICS_TOKEN,
      behindProxy: true,
      logger,
      now: () => clock,
    });
  });
  afterAll(() => remote?.close());

  const fromClient = (client: string, token: string | undefined, route = 'api/system.status') =>
    fetch(`${remote.url}${route}`, {
      method: route.startsWith('api/') ? 'POST' : 'GET',
      headers: { 'X-Forwarded-For': `198.51.100.1, ${client}`, Host: 'metalytics.example.com', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    });

  it('keeps /metrics behind the API token or its own metrics token, which opens nothing else', async () => {
    expect((await fromClient('192.0.2.10', undefined, 'metrics')).status).toBe(401);
    expect((await fromClient('192.0.2.10', METRICS_TOKEN, 'metrics')).status).toBe(200);
    expect((await fromClient('192.0.2.10', REMOTE_TOKEN, 'metrics')).status).toBe(200);
    expect((await fromClient('192.0.2.10', METRICS_TOKEN)).status).toBe(401);
    expect((await fromClient('192.0.2.10', REMOTE_TOKEN)).status).toBe(200);
  });

  it('refuses an address for a doubling while after repeated wrong tokens, logging once per burst, and not its neighbours', async () => {
    const before = logger.warnings.length;
    for (let i = 0; i < 5; i++) expect((await fromClient('203.0.113.7', `guess-${i}`)).status).toBe(401);
    // The sixth failure starts a one-second wait, during which even the right token is refused.
    expect((await fromClient('203.0.113.7', 'guess-5')).status).toBe(401);
    const refused = await fromClient('203.0.113.7', REMOTE_TOKEN);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await refused.json()) as unknown).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    expect((await fromClient('203.0.113.7', REMOTE_TOKEN, 'metrics')).status).toBe(429);
    const ws = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`${remote.url.replace('http', 'ws')}api/events`, {
        headers: { 'X-Forwarded-For': '203.0.113.7', Authorization: `Bearer ${REMOTE_TOKEN}` },
      });
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => {
        socket.close();
        resolve(101);
      });
    });
    expect(ws).toBe(429);
    // Another client behind the same proxy is not held up.
    expect((await fromClient('192.0.2.99', REMOTE_TOKEN)).status).toBe(200);

    clock += 1_001;
    expect((await fromClient('203.0.113.7', 'guess-6')).status).toBe(401);
    clock += 1_001;
    expect((await fromClient('203.0.113.7', REMOTE_TOKEN)).status).toBe(429);
    expect((await fromClient('203.0.113.7', REMOTE_TOKEN)).headers.get('retry-after')).toBe('1');
    clock += 1_000;
    expect((await fromClient('203.0.113.7', REMOTE_TOKEN)).status).toBe(200);

    const warnings = logger.warnings.slice(before).map((warning) => warning.message);
    expect(warnings.filter((message) => message === 'failed authentication')).toHaveLength(1);
    expect(warnings.filter((message) => /repeated failed authentication/.test(message))).toHaveLength(1);
  });
});

describe('every HTTP refusal gives the right status, and nothing runs', () => {
  const upload = { source: { kind: 'text', fileName: 'refused.csv', text: 'Date,Close\n1980-01-01,10\n1980-01-02,11\n' }, symbol: 'XAUUSD' };
  const body = JSON.stringify(upload);

  /** Starts an import upload and leaves it unfinished, holding one import slot until destroyed. */
  function holdUpload(): { destroy(): void } {
    const req = request({
      host: '127.0.0.1',
      port: server.port,
      method: 'POST',
      path: '/api/import.preview',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Length': String(body.length + 100) },
    });
    req.on('error', () => {});
    req.write(body.slice(0, 40));
    return { destroy: () => req.destroy() };
  }

  it('answers 401, 403, 413, 400, 405 and 503 as it should, with no job and no bar written', async () => {
    const barsBefore = await testCore.core.storage.marketData.countBars();
    const runsBefore = (await call('jobs.runs', { limit: 1000 })).body.value.runs.length;
    const post = (headers: Record<string, string>, pathName = '/api/import.csv', payload: string = body) =>
      raw({ method: 'POST', path: pathName, headers, body: payload });
    const auth = { Authorization: `Bearer ${TOKEN}` };

    expect((await post({})).status).toBe(401);
    expect((await post({ Authorization: 'Bearer wrong-token' })).status).toBe(401);
    expect((await post({}, `/api/import.csv?token=${TOKEN}`)).status).toBe(401);
    expect((await post({ ...auth, Host: `evil.example:${server.port}` })).status).toBe(403);
    const oversizedUpload = await post(auth, '/api/import.csv', JSON.stringify({ ...upload, source: { ...upload.source, text: 'x'.repeat(MAX_BODY + 1) } }));
    expect(oversizedUpload.status).toBe(413);
    const oversizedJson = await post(auth, '/api/settings.update', JSON.stringify({ padding: 'x'.repeat(MAX_BODY + 1) }));
    expect(oversizedJson.status).toBe(413);
    expect((await post(auth, '/api/import.everything')).status).toBe(400);
    expect((await raw({ path: '/api/import.csv', headers: auth })).status).toBe(405);

    const holders = [holdUpload(), holdUpload()];
    try {
      let busy: RawReply | undefined;
      await expect
        .poll(async () => {
          busy = await post(auth);
          return busy.status;
        })
        .toBe(503);
      expect(busy!.headers['retry-after']).toBe('5');
      expect(JSON.parse(busy!.body)).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    } finally {
      for (const holder of holders) holder.destroy();
    }

    expect(await testCore.core.storage.marketData.countBars()).toBe(barsBefore);
    expect((await call('jobs.runs', { limit: 1000 })).body.value.runs.length).toBe(runsBefore);
    // Aborted uploads give their slots back.
    await expect.poll(async () => (await call('import.preview', upload)).body.ok).toBe(true);
  });
});
