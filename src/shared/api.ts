import type { Result } from './errors';
import type { EventName, EventPayload, MethodInput, MethodName, MethodOutput } from './contract';

/**
 * The shape every client of the core sees: the Electron preload exposes it as
 * `window.metalytics`, the browser builds the same over HTTP and WebSocket.
 * One function per contract method, and event subscriptions that return an unsubscribe.
 */
export type MetalyticsApi = {
  readonly methods: { readonly [M in MethodName]: (input?: MethodInput<M>) => Promise<Result<MethodOutput<M>>> };
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void;
  /**
   * Called when the event stream is back after an interruption: events sent meanwhile are
   * lost, so whatever shows stored data reads it again. Electron's IPC never drops events.
   */
  onResume(listener: () => void): () => void;
};
