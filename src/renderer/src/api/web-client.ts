import type { MetalyticsApi } from '../../../shared/api';
import type { EventName, EventPayload, MethodName } from '../../../shared/contract';
import { errorCodes, fail, type ErrorPayload, type Result } from '../../../shared/errors';

/** Key under which the access token survives reloads of this tab, and only this tab. */
export const TOKEN_STORAGE_KEY = 'metalytics.token';

type TokenLocation = Pick<Location, 'hash' | 'pathname' | 'search'>;
type TokenHistory = Pick<History, 'replaceState' | 'state'>;
type TokenStorage = Pick<Storage, 'getItem' | 'setItem'>;

/**
 * `metalytics serve` prints `http://127.0.0.1:PORT/#token=XYZ`. The fragment never reaches
 * the server's logs; we move the token to sessionStorage and strip it from the address bar
 * so it is not bookmarked, shared in a screenshot or kept in history.
 */
export function takeAccessToken(location: TokenLocation, history: TokenHistory, storage: TokenStorage): string | null {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
  const fromUrl = fragment.get('token')?.trim();
  if (fromUrl) {
    storage.setItem(TOKEN_STORAGE_KEY, fromUrl);
    fragment.delete('token');
    const rest = fragment.toString();
    history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
    return fromUrl;
  }
  return storage.getItem(TOKEN_STORAGE_KEY);
}

function isErrorPayload(value: unknown): value is ErrorPayload {
  if (typeof value !== 'object' || value === null) return false;
  const { code, message } = value as Record<string, unknown>;
  return typeof message === 'string' && (errorCodes as readonly unknown[]).includes(code);
}

/** Whether a parsed body is the contract's Result envelope. */
function isResultEnvelope(body: unknown): body is Result<unknown> {
  if (typeof body !== 'object' || body === null) return false;
  const envelope = body as Record<string, unknown>;
  if (envelope.ok === true) return 'value' in envelope;
  return envelope.ok === false && isErrorPayload(envelope.error);
}

export const ACCESS_DENIED_MESSAGE =
  'This page was opened without a valid access token. Open the link that “metalytics serve” printed (it ends in #token=…).';

/**
 * Turns one HTTP reply into a Result. The server answers contract errors with HTTP 200 and
 * the envelope, so only transport trouble (no envelope, wrong token) needs translating.
 */
export function resultFromResponse(status: number, bodyText: string): Result<unknown> {
  if (status === 401) return fail({ code: 'AUTH', message: ACCESS_DENIED_MESSAGE });
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return fail({ code: 'UNAVAILABLE', message: `The Metalytics server sent an unreadable reply (HTTP ${status}).` });
  }
  if (isResultEnvelope(body)) return body;
  return fail({ code: 'UNAVAILABLE', message: `The Metalytics server sent an unexpected reply (HTTP ${status}).` });
}

type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string }) => Promise<{
  status: number;
  text(): Promise<string>;
}>;

export interface SocketHandlers {
  onOpen(): void;
  onMessage(data: unknown): void;
  /** Browsers fire `close` after every failed or dropped connection, so no `error` handler is needed. */
  onClose(): void;
}

/** Opens a socket and reports to `handlers`; injectable so tests can drive reconnects. */
export type OpenSocket = (url: string, handlers: SocketHandlers) => { close(): void };

const openBrowserSocket: OpenSocket = (url, handlers) => {
  const socket = new WebSocket(url);
  socket.onopen = () => handlers.onOpen();
  socket.onmessage = (event) => handlers.onMessage(event.data);
  socket.onclose = () => handlers.onClose();
  return { close: () => socket.close() };
};

export interface WebClientOptions {
  /** Origin-relative by default: the server serves the UI and the API from one address. */
  baseUrl?: string;
  /** `ws://host:port`; derived from the page's address by default. */
  socketBaseUrl?: string;
  token: string | null;
  fetch?: FetchLike;
  openSocket?: OpenSocket;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  random?: () => number;
}

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

/** Exponential backoff with jitter, so many tabs do not hammer a restarting server in step. */
export function reconnectDelayMs(attempt: number, random: () => number): number {
  const ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt);
  return Math.round(ceiling * (0.5 + 0.5 * random()));
}

type AnyListener = (payload: never) => void;

/**
 * One WebSocket shared by every subscriber: opened with the first subscription, reopened
 * with backoff while anyone listens, closed when the last one unsubscribes.
 */
function createEventStream(url: string, options: Required<Pick<WebClientOptions, 'openSocket' | 'setTimer' | 'clearTimer' | 'random'>>) {
  const listeners = new Map<EventName, Set<AnyListener>>();
  const resumeListeners = new Set<() => void>();
  let socket: { close(): void } | null = null;
  /** A connection that was open has dropped; the next open must tell screens to re-read. */
  let interrupted = false;
  let retryTimer: unknown = null;
  let attempt = 0;

  const listenerCount = () => [...listeners.values()].reduce((n, set) => n + set.size, 0);

  const dispatch = (data: unknown) => {
    if (typeof data !== 'string') return;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const { name, payload } = message as { name?: unknown; payload?: unknown };
    if (typeof name !== 'string') return;
    for (const listener of listeners.get(name as EventName) ?? []) {
      try {
        (listener as (payload: unknown) => void)(payload);
      } catch {
        // One broken screen must not stop the status bar or the chart from hearing events.
      }
    }
  };

  const connect = () => {
    retryTimer = null;
    const current = options.openSocket(url, {
      onOpen: () => {
        attempt = 0;
        if (!interrupted) return;
        interrupted = false;
        for (const listener of [...resumeListeners]) {
          try {
            listener();
          } catch {
            // As with events: one broken screen must not keep the others stale.
          }
        }
      },
      onMessage: dispatch,
      onClose: () => {
        if (socket !== current) return;
        socket = null;
        if (listenerCount() > 0) {
          interrupted = true;
          retryTimer = options.setTimer(connect, reconnectDelayMs(attempt, options.random));
          attempt += 1;
        }
      },
    });
    socket = current;
  };

  const disconnect = () => {
    if (retryTimer !== null) options.clearTimer(retryTimer);
    retryTimer = null;
    const current = socket;
    socket = null;
    attempt = 0;
    interrupted = false;
    current?.close();
  };

  const on = <E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): (() => void) => {
    const set = listeners.get(name) ?? new Set<AnyListener>();
    listeners.set(name, set);
    const stored = listener as AnyListener;
    set.add(stored);
    if (socket === null && retryTimer === null) connect();
    return () => {
      set.delete(stored);
      if (listenerCount() === 0) disconnect();
    };
  };

  const onResume = (listener: () => void): (() => void) => {
    const entry = () => listener();
    resumeListeners.add(entry);
    return () => {
      resumeListeners.delete(entry);
    };
  };

  return { on, onResume };
}

function defaultSocketBase(): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}`;
}

/** The browser's `MetalyticsApi`: HTTP POST per method, one WebSocket for events. */
export function createWebClient(options: WebClientOptions): MetalyticsApi {
  const baseUrl = options.baseUrl ?? '';
  const doFetch: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;

  const invoke = async (name: MethodName, input: unknown): Promise<Result<unknown>> => {
    let response: Awaited<ReturnType<FetchLike>>;
    try {
      response = await doFetch(`${baseUrl}/api/${name}`, { method: 'POST', headers, body: JSON.stringify(input ?? {}) });
    } catch {
      return fail({ code: 'UNAVAILABLE', message: 'The Metalytics server cannot be reached. Is “metalytics serve” still running?' });
    }
    let text: string;
    try {
      text = await response.text();
    } catch {
      return fail({ code: 'UNAVAILABLE', message: 'The connection to the Metalytics server broke off during the reply.' });
    }
    return resultFromResponse(response.status, text);
  };

  // A proxy rather than one function per name of the contract: the contract's list of names
  // would bring its zod schemas into the first screen's JavaScript, and the server already
  // answers a name it does not know with NOT_FOUND. No `then`, or it would pass for a promise.
  const methods = new Proxy({} as MetalyticsApi['methods'], {
    get: (_target, name) => (typeof name === 'string' && name !== 'then' ? (input?: unknown) => invoke(name as MethodName, input) : undefined),
  });

  const socketUrl = `${options.socketBaseUrl ?? defaultSocketBase()}/api/events?token=${encodeURIComponent(options.token ?? '')}`;
  const { on, onResume } = createEventStream(socketUrl, {
    openSocket: options.openSocket ?? openBrowserSocket,
    setTimer: options.setTimer ?? ((callback, ms) => setTimeout(callback, ms)),
    clearTimer: options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>)),
    random: options.random ?? Math.random,
  });

  return { methods, on, onResume };
}
