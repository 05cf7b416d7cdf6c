import { createHash, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { extname, resolve } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import type { Core } from '../core/create-core';
import type { Logger } from '../core/ports';
import { contentSecurityPolicy } from '../shared/content-security-policy';
import { isMethodName } from '../shared/contract';
import { requestedCsvPath } from '../shared/domain';
import { isLoopbackHost } from '../shared/hosts';
import { AppError, type ErrorCode, type Result } from '../shared/errors';
import { isInside, resolveImportPath, spoolImportRequest, UploadAborted, UploadRefused, type SpooledRequest } from './import-upload';
import { FailedAuthLimiter } from './failed-auth';
import { METRICS_CONTENT_TYPE, ServerMetrics } from './metrics';

/**
 * Every method but the imports takes small JSON (the largest, bars.append, about 100 KB);
 * imports stream their uploaded text to a file instead (see import-upload.ts).
 */
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** The contract's limit on uploaded text. */
const DEFAULT_MAX_UPLOAD_BYTES = 256 * 1024 * 1024;
/**
 * Imports and previews that may run at once; each holds a parsing block and an index of
 * ~24 bytes a row, and they share the CPU with every other request. Further ones are
 * answered 503 with Retry-After rather than queued with their uploads in memory.
 */
const DEFAULT_MAX_CONCURRENT_IMPORTS = 2;
const IMPORT_RETRY_AFTER_SECONDS = 5;
const EVENTS_PATH = '/api/events';
/** Subprotocol a browser client offers beside `bearer.<token>` so the server has a neutral one to select. */
const EVENTS_SUBPROTOCOL = 'metalytics';

/** The random default has 32; a shorter chosen token is refused once other machines can connect. */
const MIN_REMOTE_TOKEN_CHARS = 32;

const DEFAULT_HEARTBEAT_MS = 30_000;
const SHUTDOWN_GRACE_MS = 5_000;
/** A client this far behind on events is dropped; it reconnects and re-queries instead of lagging forever. */
const DEFAULT_MAX_CLIENT_BUFFERED_BYTES = 16 * 1024 * 1024;

/** The desktop renderer's own policy, so the browser build is held to the same rules. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': contentSecurityPolicy('production'),
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

export interface ServerOptions {
  core: Core;
  /** Interface to bind; anything but loopback needs `allowRemote`. */
  host: string;
  /** 0 picks a free port. */
  port: number;
  token: string;
  /** The built renderer (out/renderer); absent or missing means API only. */
  staticDir?: string;
  logger: Logger;
  allowRemote?: boolean;
  /**
   * METALYTICS_IMPORT_DIR: the only folder `import.*` may read by path over HTTP. Unset, path
   * imports are refused and only uploads work, so a token holder cannot read the host's files.
   */
  importDir?: string;
  /** Largest JSON body of a method other than the imports. */
  maxBodyBytes?: number;
  /** Largest text an import may upload. */
  maxUploadBytes?: number;
  maxConcurrentImports?: number;
  heartbeatMs?: number;
  /** Events queued for one WebSocket client beyond which it is disconnected. */
  maxClientBufferedBytes?: number;
  /**
   * METALYTICS_METRICS_TOKEN: a second token that opens /metrics only, for a scraper that
   * should not hold the API token. Loopback servers need none for /metrics.
   */
  metricsToken?: string;
  /**
   * A reverse proxy on this host forwards other machines' requests to a loopback address: the
   * rules for a server other machines reach apply (token of 32+ characters, token for
   * /metrics, backoff after repeated wrong tokens), and a client's address is the one the
   * proxy appended to X-Forwarded-For.
   */
  behindProxy?: boolean;
  /** For the failed-authentication backoff; tests move it. */
  now?: () => number;
}

export interface RunningServer {
  /** Base URL, ending in `/`. */
  url: string;
  port: number;
  close(): Promise<void>;
}


function isWildcardHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  return bare === '0.0.0.0' || bare === '::';
}

function hostForUrl(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** Compares through fixed-length digests so neither the content nor the length leaks through timing. */
function tokenMatches(candidate: string | undefined, token: string): boolean {
  if (candidate === undefined) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(candidate), digest(token));
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

function errorEnvelope(code: ErrorCode, message: string): Result<never> {
  return { ok: false, error: { code, message } };
}

function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

type BodyRead = { kind: 'ok'; text: string } | { kind: 'too-large' } | { kind: 'aborted' };

/**
 * Counts bytes as they stream in, so an oversized upload is refused without being buffered.
 * Past the limit the rest is read and discarded rather than the socket destroyed, so the
 * client still receives the 413 reply.
 */
function readBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  return new Promise((resolveBody) => {
    const declared = Number(req.headers['content-length']);
    let chunks: Buffer[] = [];
    let received = 0;
    let tooLarge = Number.isFinite(declared) && declared > limit;
    if (tooLarge) resolveBody({ kind: 'too-large' });
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      received += chunk.length;
      if (received > limit) {
        tooLarge = true;
        chunks = [];
        resolveBody({ kind: 'too-large' });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!tooLarge) resolveBody({ kind: 'ok', text: Buffer.concat(chunks).toString('utf8') });
    });
    // A client that gave up mid-upload gets no answer; settling after 'end' changes nothing.
    req.on('close', () => resolveBody({ kind: 'aborted' }));
    req.on('error', () => resolveBody({ kind: 'aborted' }));
  });
}


/** Answers on an upgrade socket that will not become a WebSocket. */
function rejectUpgrade(socket: Duplex, status: number, reason: string, message: string): void {
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * The headless transport: contract methods as `POST /api/<method>`, core events over a
 * WebSocket at /api/events, /healthz, /metrics and the built renderer, all behind a
 * bearer token except health, loopback metrics and the static files (which hold no data).
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { core, host, token, logger } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const maxConcurrentImports = options.maxConcurrentImports ?? DEFAULT_MAX_CONCURRENT_IMPORTS;
  let runningImports = 0;
  const maxClientBufferedBytes = options.maxClientBufferedBytes ?? DEFAULT_MAX_CLIENT_BUFFERED_BYTES;
  const loopback = isLoopbackHost(host);
  // Reachable from other machines, directly or through a proxy on this host.
  const remote = !loopback || options.behindProxy === true;
  if (!loopback && !options.allowRemote) {
    throw new AppError(
      'VALIDATION',
      `Refusing to listen on ${host}: only this computer (127.0.0.1) is allowed unless you also pass --allow-remote. ` +
        'Anyone who can reach that interface and learns the token can use your Metalytics data.',
    );
  }
  if (!token) throw new AppError('VALIDATION', 'The access token must not be empty.');
  if (remote && token.length < MIN_REMOTE_TOKEN_CHARS) {
    throw new AppError(
      'VALIDATION',
      `METALYTICS_TOKEN has ${token.length} characters; a server other machines can reach needs at least ${MIN_REMOTE_TOKEN_CHARS}, ` +
        'so it cannot be guessed. Leave it unset for a random one, or use e.g. `openssl rand -base64 32`.',
    );
  }

  const staticRoot = options.staticDir ? await realpath(resolve(options.staticDir)).catch(() => undefined) : undefined;
  const metrics = new ServerMetrics();
  const limiter = remote ? new FailedAuthLimiter(logger, options.now) : undefined;
  const clientAddress = (req: IncomingMessage): string => {
    const forwarded = options.behindProxy ? req.headers['x-forwarded-for'] : undefined;
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded)?.split(',').at(-1)?.trim();
    return last || req.socket.remoteAddress || 'unknown';
  };
  /**
   * Whether the request may go on: false after answering it, when its address must still wait
   * after repeated failures or when `presented` is not an accepted token.
   */
  const authenticate = (req: IncomingMessage, presented: string | undefined, accepted: readonly string[], where: string, refuse: (status: 401 | 429, retryAfterS?: number) => void): boolean => {
    const address = clientAddress(req);
    const wait = limiter?.waitFor(address) ?? 0;
    if (wait > 0) {
      refuse(429, Math.ceil(wait / 1000));
      return false;
    }
    if (!accepted.some((candidate) => tokenMatches(presented, candidate))) {
      limiter?.fail(address, where);
      refuse(401);
      return false;
    }
    limiter?.succeed(address);
    return true;
  };
  const tooManyFailures = 'Too many failed attempts from this address: try again later.';
  const clients = new Map<WebSocket, { alive: boolean }>();
  // Filled in once the port is known; requests cannot arrive before listen() resolves.
  let allowedHosts = new Set<string>();
  // Bound to a wildcard with --allow-remote, or behind a proxy that passes on the public name,
  // clients use names we cannot know: the token is the guard.
  const checkHost = !options.behindProxy && (loopback || !isWildcardHost(host));

  const hostAllowed = (hostHeader: string | undefined) => !checkHost || (hostHeader !== undefined && allowedHosts.has(hostHeader.toLowerCase()));
  const originAllowed = (origin: string | undefined) => {
    if (origin === undefined || !checkHost) return true;
    try {
      return allowedHosts.has(new URL(origin).host.toLowerCase());
    } catch {
      return false;
    }
  };

  const invokeAndReply = async (res: ServerResponse, name: string, input: unknown) => {
    const started = performance.now();
    const result = await core.invoke(name, input);
    metrics.recordRpc(name, result.ok ? 'ok' : result.error.code, (performance.now() - started) / 1000);
    sendJson(res, 200, result);
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    if (pathname === EVENTS_PATH) {
      sendJson(res, 426, errorEnvelope('VALIDATION', `${EVENTS_PATH} is a WebSocket endpoint; connect with a WebSocket client.`), { Upgrade: 'websocket' });
      return;
    }
    if (req.method !== 'POST') {
      sendJson(res, 405, errorEnvelope('VALIDATION', 'Call contract methods with POST /api/<method>.'), { Allow: 'POST' });
      return;
    }
    const authorised = authenticate(req, bearerToken(req.headers.authorization), [token], 'api', (status, retryAfter) =>
      status === 429
        ? sendJson(res, 429, errorEnvelope('UNAVAILABLE', tooManyFailures), { 'Retry-After': String(retryAfter) })
        : sendJson(res, 401, errorEnvelope('AUTH', 'A valid access token is required: send "Authorization: Bearer <token>".')),
    );
    if (!authorised) return;
    const name = pathname.slice('/api/'.length);
    if (!isMethodName(name)) {
      sendJson(res, 400, errorEnvelope('NOT_FOUND', `Unknown method "${name}".`));
      return;
    }
    if (name === 'import.preview' || name === 'import.csv') return handleImport(req, res, name);
    const body = await readBody(req, maxBodyBytes);
    if (body.kind === 'aborted') return;
    if (body.kind === 'too-large') {
      // The rest of the upload is not read; closing the connection is the only clean end.
      sendJson(res, 413, errorEnvelope('VALIDATION', `The request body is larger than ${maxBodyBytes} bytes.`), { Connection: 'close' });
      return;
    }
    let input: unknown;
    if (body.text.trim() !== '') {
      try {
        input = JSON.parse(body.text);
      } catch {
        sendJson(res, 400, errorEnvelope('VALIDATION', 'The request body is not valid JSON.'));
        return;
      }
    }
    await invokeAndReply(res, name, input);
  };

  /**
   * Imports stream: an uploaded text goes to a temporary file as it arrives and the core reads
   * it from there; a path must lie inside the import folder. Only a few run at once.
   */
  const handleImport = async (req: IncomingMessage, res: ServerResponse, name: 'import.preview' | 'import.csv') => {
    if (runningImports >= maxConcurrentImports) {
      // The upload is read and dropped, not cut off: closing a socket with unread data resets
      // it, and the client would lose this answer along with it.
      req.resume();
      sendJson(
        res,
        503,
        errorEnvelope('UNAVAILABLE', `Metalytics is already running ${maxConcurrentImports} imports or previews; try again in a few seconds.`),
        { 'Retry-After': String(IMPORT_RETRY_AFTER_SECONDS) },
      );
      return;
    }
    runningImports++;
    let spooled: SpooledRequest | undefined;
    try {
      try {
        spooled = await spoolImportRequest(req, name, maxUploadBytes);
      } catch (error) {
        if (error instanceof UploadAborted) return;
        if (!(error instanceof UploadRefused)) throw error;
        // The rest of the body is being read and dropped (see spoolBody), so the connection can stay.
        sendJson(res, error.status, errorEnvelope('VALIDATION', error.message));
        return;
      }
      let input = spooled.input;
      const path = spooled.uploaded ? null : requestedCsvPath(input);
      if (path !== null) {
        try {
          input = { ...(input as object), source: { kind: 'path', path: await resolveImportPath(options.importDir, path) } };
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          metrics.recordRpc(name, error.code, 0);
          sendJson(res, 200, { ok: false, error: error.toPayload() });
          return;
        }
      }
      await invokeAndReply(res, name, input);
    } finally {
      runningImports--;
      await spooled?.discard();
    }
  };

  const handleHealth = async (res: ServerResponse) => {
    const damaged = core.storage.problem() !== null;
    const up = !damaged && (await core.storage.ping().catch(() => false));
    sendJson(res, up ? 200 : 503, { status: up ? 'ok' : 'degraded', database: up ? 'up' : damaged ? 'damaged' : 'down' });
  };

  const handleMetrics = async (req: IncomingMessage, res: ServerResponse) => {
    // Reachable only from this computer, only local processes can scrape; exposed further, the numbers stay private.
    const accepted = options.metricsToken ? [token, options.metricsToken] : [token];
    const authorised =
      !remote ||
      authenticate(req, bearerToken(req.headers.authorization), accepted, 'metrics', (status, retryAfter) =>
        status === 429
          ? sendText(res, 429, `${tooManyFailures}\n`, { 'Retry-After': String(retryAfter) })
          : sendText(res, 401, 'A valid access token (or METALYTICS_METRICS_TOKEN) is required for /metrics when the server is reachable from other machines.\n'),
      );
    if (!authorised) return;
    const databaseUp = await core.storage.ping().catch(() => false);
    const barsStored = databaseUp ? await core.storage.marketData.countBars().catch(() => null) : null;
    const text = metrics.render({ databaseUp, barsStored, eventClients: clients.size });
    res.writeHead(200, { 'Content-Type': METRICS_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
    res.end(text);
  };

  const handleStatic = async (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, 'Method not allowed.\n', { Allow: 'GET, HEAD' });
      return;
    }
    if (!staticRoot) {
      sendText(res, 404, 'Not found. The web UI is not built: run `npm run build`, then restart `metalytics serve`.\n');
      return;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      sendText(res, 400, 'Bad request: the path is not valid URL encoding.\n');
      return;
    }
    const notFound = () => sendText(res, 404, `Not found: ${pathname}\n`);
    if (decoded.includes('\0')) return notFound();
    const requested = resolve(staticRoot, `.${decoded === '/' ? '/index.html' : decoded}`);
    // The folder itself resolves to index.html above, so only files below it are served.
    const inside = (file: string) => isInside(staticRoot, file);
    if (!inside(requested)) return notFound();
    // A symlink inside the folder could still point outside it.
    const file = await realpath(requested).catch(() => undefined);
    if (!file || !inside(file)) return notFound();
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return notFound();

    const hashedAsset = decoded.startsWith('/assets/');
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': info.size,
      // Vite names assets by content hash; index.html must be revalidated to pick up a new build.
      'Cache-Control': hashedAsset ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(file);
    stream.on('error', (error) => {
      logger.warn('could not read a static file', { file, error: error.message });
      res.destroy();
    });
    stream.pipe(res);
  };

  const handleRequest = async (req: IncomingMessage, res: ServerResponse) => {
    setSecurityHeaders(res);
    if (!hostAllowed(req.headers.host)) {
      // A page on another site that re-pointed its DNS name at 127.0.0.1 lands here.
      sendText(res, 403, 'Forbidden: unexpected Host header. Open Metalytics through the address it printed.\n');
      return;
    }
    const { pathname } = new URL(req.url ?? '/', 'http://placeholder');
    if (pathname === '/healthz') return handleHealth(res);
    if (pathname === '/metrics') return handleMetrics(req, res);
    if (pathname === '/api' || pathname.startsWith('/api/')) return handleApi(req, res, pathname);
    return handleStatic(req, res, pathname);
  };

  const server = createServer((req, res) => {
    handleRequest(req, res).catch((error: unknown) => {
      logger.error('request failed', { method: req.method, path: req.url, error });
      if (!res.headersSent) sendJson(res, 500, errorEnvelope('INTERNAL', 'Something went wrong inside Metalytics; the details are in the log.'));
      else res.destroy();
    });
  });

  const wss = new WebSocketServer({
    noServer: true,
    // Clients only listen; a small cap stops anyone from pushing large frames at us.
    maxPayload: 4096,
    perMessageDeflate: false,
    // Never select `bearer.<token>`: the reply header would echo the token to logs and proxies.
    handleProtocols: (protocols) =>
      protocols.has(EVENTS_SUBPROTOCOL) ? EVENTS_SUBPROTOCOL : ([...protocols].find((protocol) => !protocol.startsWith('bearer.')) ?? false),
  });

  const upgradeToken = (req: IncomingMessage, url: URL): string | undefined => {
    const fromQuery = url.searchParams.get('token');
    if (fromQuery) return fromQuery;
    const fromHeader = bearerToken(req.headers.authorization);
    if (fromHeader) return fromHeader;
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    return offered.find((p) => p.startsWith('bearer.'))?.slice('bearer.'.length);
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (!hostAllowed(req.headers.host) || !originAllowed(req.headers.origin)) {
      rejectUpgrade(socket, 403, 'Forbidden', 'Forbidden: unexpected Host or Origin.');
      return;
    }
    if (url.pathname !== EVENTS_PATH) {
      rejectUpgrade(socket, 404, 'Not Found', `WebSocket connections are accepted at ${EVENTS_PATH} only.`);
      return;
    }
    const authorised = authenticate(req, upgradeToken(req, url), [token], 'events', (status) =>
      status === 429
        ? rejectUpgrade(socket, 429, 'Too Many Requests', tooManyFailures)
        : rejectUpgrade(socket, 401, 'Unauthorized', 'A valid access token is required (?token=, Authorization or a bearer.<token> subprotocol).'),
    );
    if (!authorised) return;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const state = { alive: true };
      clients.set(ws, state);
      ws.on('pong', () => {
        state.alive = true;
      });
      ws.on('close', () => clients.delete(ws));
      ws.on('error', (error) => logger.debug('event client error', { error: error.message }));
    });
  });

  const unsubscribe = core.events.subscribe((message) => {
    if (clients.size === 0) return;
    const data = JSON.stringify(message);
    for (const ws of clients.keys()) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (ws.bufferedAmount > maxClientBufferedBytes) {
        logger.warn('dropping an event client that is not keeping up', { bufferedBytes: ws.bufferedAmount });
        metrics.recordDroppedClient('slow');
        clients.delete(ws);
        ws.terminate();
        continue;
      }
      ws.send(data);
    }
  });

  // A client that vanished without a close frame (sleep, network loss) is found by a missed pong.
  const heartbeat = setInterval(() => {
    for (const [ws, state] of clients) {
      if (!state.alive) {
        metrics.recordDroppedClient('unresponsive');
        clients.delete(ws);
        ws.terminate();
        continue;
      }
      state.alive = false;
      ws.ping();
    }
  }, options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  heartbeat.unref();

  try {
    await new Promise<void>((resolveListen, rejectListen) => {
      server.once('error', rejectListen);
      server.listen(options.port, host, () => {
        server.off('error', rejectListen);
        resolveListen();
      });
    });
  } catch (error) {
    unsubscribe();
    clearInterval(heartbeat);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new AppError('UNAVAILABLE', `Port ${options.port} on ${host} is already in use: choose another with --port (0 picks a free one).`);
    }
    if (code === 'EADDRNOTAVAIL' || code === 'EACCES') {
      throw new AppError('UNAVAILABLE', `Cannot listen on ${host}:${options.port} (${code}).`);
    }
    throw error;
  }

  server.on('error', (error) => logger.error('server error', { error }));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const withPort = (name: string) => (port === 80 ? [name, `${name}:${port}`] : [`${name}:${port}`]);
  allowedHosts = new Set([...withPort('127.0.0.1'), ...withPort('localhost'), ...withPort('[::1]'), ...withPort(hostForUrl(host).toLowerCase())]);
  const url = `http://${hostForUrl(host)}:${port}/`;
  logger.info('headless server listening', { url, remote });

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      unsubscribe();
      clearInterval(heartbeat);
      const closed = [...clients.keys()].map(
        (ws) =>
          new Promise<void>((done) => {
            ws.once('close', () => done());
            ws.close(1001, 'Metalytics is shutting down');
            setTimeout(() => {
              ws.terminate();
              done();
            }, 1000).unref();
          }),
      );
      await Promise.all(closed);
      wss.close();
      // Requests in flight (an import, a long query) get a moment to finish before the core closes.
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
      });
    })();
    return closing;
  };

  return { url, port, close };
}
