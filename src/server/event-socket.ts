import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { EventBus } from '../core/events';
import type { Logger } from '../core/ports';
import { bearerToken, TOO_MANY_FAILURES_MESSAGE, type Authenticate } from './authentication';
import type { HostGuard } from './host-guard';
import type { ServerMetrics } from './metrics';

export const EVENTS_PATH = '/api/events';
/** Subprotocol a browser client offers beside `bearer.<token>` so the server has a neutral one to select. */
const EVENTS_SUBPROTOCOL = 'metalytics';

const DEFAULT_HEARTBEAT_MS = 30_000;
/** A client this far behind on events is dropped; it reconnects and re-queries instead of lagging forever. */
const DEFAULT_MAX_CLIENT_BUFFERED_BYTES = 16 * 1024 * 1024;

export interface EventSocketOptions {
  events: EventBus;
  token: string;
  authenticate: Authenticate;
  hostGuard: HostGuard;
  metrics: ServerMetrics;
  logger: Logger;
  heartbeatMs?: number;
  /** Events queued for one client beyond which it is disconnected. */
  maxClientBufferedBytes?: number;
}

/** Core events pushed to WebSocket clients at /api/events. */
export interface EventSocket {
  /** The HTTP server's `upgrade` listener. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  clientCount(): number;
  /** Stops pushing and closes every client, waiting briefly for each to say goodbye. */
  close(): Promise<void>;
}

/** Answers on an upgrade socket that will not become a WebSocket. */
function rejectUpgrade(socket: Duplex, status: number, reason: string, message: string): void {
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function upgradeToken(req: IncomingMessage, url: URL): string | undefined {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return fromQuery;
  const fromHeader = bearerToken(req.headers.authorization);
  if (fromHeader) return fromHeader;
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  return offered.find((p) => p.startsWith('bearer.'))?.slice('bearer.'.length);
}

export function createEventSocket(options: EventSocketOptions): EventSocket {
  const { token, authenticate, hostGuard, metrics, logger } = options;
  const maxClientBufferedBytes = options.maxClientBufferedBytes ?? DEFAULT_MAX_CLIENT_BUFFERED_BYTES;
  const clients = new Map<WebSocket, { alive: boolean }>();

  const wss = new WebSocketServer({
    noServer: true,
    // Clients only listen; a small cap stops anyone from pushing large frames at us.
    maxPayload: 4096,
    perMessageDeflate: false,
    // Never select `bearer.<token>`: the reply header would echo the token to logs and proxies.
    handleProtocols: (protocols) =>
      protocols.has(EVENTS_SUBPROTOCOL) ? EVENTS_SUBPROTOCOL : ([...protocols].find((protocol) => !protocol.startsWith('bearer.')) ?? false),
  });

  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (!hostGuard.hostAllowed(req.headers.host) || !hostGuard.originAllowed(req.headers.origin)) {
      rejectUpgrade(socket, 403, 'Forbidden', 'Forbidden: unexpected Host or Origin.');
      return;
    }
    if (url.pathname !== EVENTS_PATH) {
      rejectUpgrade(socket, 404, 'Not Found', `WebSocket connections are accepted at ${EVENTS_PATH} only.`);
      return;
    }
    const authorised = authenticate(req, upgradeToken(req, url), [token], 'events', (status) =>
      status === 429
        ? rejectUpgrade(socket, 429, 'Too Many Requests', TOO_MANY_FAILURES_MESSAGE)
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
  };

  const unsubscribe = options.events.subscribe((message) => {
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

  const close = async () => {
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
  };

  return { handleUpgrade, clientCount: () => clients.size, close };
}
