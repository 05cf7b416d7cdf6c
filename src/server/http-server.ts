import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Core } from '../core/create-core';
import type { Logger } from '../core/ports';
import type { Coverage } from '../shared/domain';
import { isLoopbackHost } from '../shared/hosts';
import { AppError, fail, INTERNAL_ERROR_MESSAGE } from '../shared/errors';
import { createApiRoute } from './api-route';
import { bearerToken, createAuthenticator, TOO_MANY_FAILURES_MESSAGE } from './authentication';
import { createEventSocket } from './event-socket';
import { FailedAuthLimiter } from './failed-auth';
import { createHostGuard, hostForUrl } from './host-guard';
import { sendJson, sendText, setSecurityHeaders } from './http-replies';
import { METRICS_CONTENT_TYPE, ServerMetrics, type MetricsSnapshot } from './metrics';
import { createStaticFilesRoute } from './static-files';

/** The random default has 32; a shorter chosen token is refused once other machines can connect. */
const MIN_REMOTE_TOKEN_CHARS = 32;

const SHUTDOWN_GRACE_MS = 5_000;

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

/** The newest bar's open time per symbol and stored timeframe, whichever source stored it. */
function newestBarPerSeries(coverage: readonly Coverage[]): MetricsSnapshot['newestBars'] {
  const newest = new Map<string, { symbol: string; timeframe: string; last: number }>();
  for (const { symbol, timeframe, last } of coverage) {
    const key = `${symbol}\u0000${timeframe}`;
    if ((newest.get(key)?.last ?? -Infinity) < last) newest.set(key, { symbol, timeframe, last });
  }
  return [...newest.values()];
}

/**
 * The headless transport: contract methods as `POST /api/<method>`, core events over a
 * WebSocket at /api/events, /healthz, /metrics and the built renderer, all behind a
 * bearer token except health, loopback metrics and the static files (which hold no data).
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { core, host, token, logger } = options;
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

  const handleStatic = await createStaticFilesRoute(options.staticDir, logger);
  const metrics = new ServerMetrics();
  const authenticate = createAuthenticator(remote ? new FailedAuthLimiter(logger, options.now) : undefined, options.behindProxy === true);
  const hostGuard = createHostGuard(host, loopback, options.behindProxy === true);
  const eventSocket = createEventSocket({
    events: core.events,
    token,
    authenticate,
    hostGuard,
    metrics,
    logger,
    heartbeatMs: options.heartbeatMs,
    maxClientBufferedBytes: options.maxClientBufferedBytes,
  });
  const handleApi = createApiRoute({
    core,
    token,
    authenticate,
    metrics,
    importDir: options.importDir,
    maxBodyBytes: options.maxBodyBytes,
    maxUploadBytes: options.maxUploadBytes,
    maxConcurrentImports: options.maxConcurrentImports,
  });

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
          ? sendText(res, 429, `${TOO_MANY_FAILURES_MESSAGE}\n`, { 'Retry-After': String(retryAfter) })
          : sendText(res, 401, 'A valid access token (or METALYTICS_METRICS_TOKEN) is required for /metrics when the server is reachable from other machines.\n'),
      );
    if (!authorised) return;
    const databaseUp = await core.storage.ping().catch(() => false);
    // One read of the series summaries gives both the bar count and each series' newest bar.
    const coverage = databaseUp ? await core.storage.marketData.coverage().catch(() => null) : null;
    const barsStored = coverage && coverage.reduce((sum, series) => sum + series.count, 0);
    const newestBars = coverage ? newestBarPerSeries(coverage) : [];
    const text = metrics.render({ databaseUp, barsStored, eventClients: eventSocket.clientCount(), newestBars });
    res.writeHead(200, { 'Content-Type': METRICS_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
    res.end(text);
  };

  const handleRequest = async (req: IncomingMessage, res: ServerResponse) => {
    setSecurityHeaders(res);
    if (!hostGuard.hostAllowed(req.headers.host)) {
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
      if (!res.headersSent) sendJson(res, 500, fail({ code: 'INTERNAL', message: INTERNAL_ERROR_MESSAGE }));
      else res.destroy();
    });
  });

  server.on('upgrade', eventSocket.handleUpgrade);

  try {
    await new Promise<void>((resolveListen, rejectListen) => {
      server.once('error', rejectListen);
      server.listen(options.port, host, () => {
        server.off('error', rejectListen);
        resolveListen();
      });
    });
  } catch (error) {
    await eventSocket.close();
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
  hostGuard.listeningOn(port);
  const url = `http://${hostForUrl(host)}:${port}/`;
  logger.info('headless server listening', { url, remote });
  const stopCountingRuns = core.events.subscribe((message) => {
    if (message.name === 'job.finished') metrics.recordJobRun(message.payload.kind, message.payload.status);
  });

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      stopCountingRuns();
      await eventSocket.close();
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
