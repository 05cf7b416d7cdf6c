import { useSyncExternalStore } from 'react';
import type { MetalyticsApi } from '../../../shared/api';
import type { EventName, MethodInput, MethodName, MethodOutput } from '../../../shared/contract';
import type { Result } from '../../../shared/errors';
import { unwrap } from './api-error';

export interface SharedQuerySnapshot<T> {
  /** The last value received; kept through a failed refresh. */
  data: T | undefined;
  /** The last refresh's failure, cleared by the next success. */
  error: unknown;
}

export interface SharedQuery<T> {
  /** useSyncExternalStore's subscribe: each new subscriber reads afresh; the first starts the refresh loop, the last stops it. */
  subscribe(listener: () => void): () => void;
  getSnapshot(): SharedQuerySnapshot<T>;
  /** Reads again now, for every subscriber; e.g. after this window changed what the query lists. */
  reload(): void;
}

export interface SharedQueryOptions {
  refreshMs: number;
  /** Events after which the answer may have changed. */
  reloadOn: readonly EventName[];
}

/**
 * One copy of a query's answer for every component that shows it (the status bar and a Data
 * tab, say), refreshed by one loop instead of one per component: on an interval, on the given
 * events, and when the event stream resumes, while anything is subscribed. Replies to a
 * superseded request are dropped, so an older answer never overwrites a newer one.
 */
export function createSharedQuery<M extends MethodName>(
  api: MetalyticsApi,
  name: M,
  input: MethodInput<M>,
  options: SharedQueryOptions,
): SharedQuery<MethodOutput<M>> {
  let snapshot: SharedQuerySnapshot<MethodOutput<M>> = { data: undefined, error: null };
  const listeners = new Set<() => void>();
  let latestRequest = 0;
  let stopLoop: (() => void) | null = null;

  const publish = (next: SharedQuerySnapshot<MethodOutput<M>>) => {
    snapshot = next;
    for (const listener of listeners) listener();
  };

  const reload = () => {
    const request = ++latestRequest;
    const method = api.methods[name] as (input: MethodInput<M>) => Promise<Result<MethodOutput<M>>>;
    method(input)
      .then(unwrap)
      .then(
        (data) => {
          if (request === latestRequest) publish({ data, error: null });
        },
        (error: unknown) => {
          if (request === latestRequest) publish({ data: snapshot.data, error });
        },
      );
  };

  const startLoop = (): (() => void) => {
    const timer = setInterval(reload, options.refreshMs);
    const unsubscribes = [...options.reloadOn.map((event) => api.on(event, reload)), api.onResume(reload)];
    return () => {
      clearInterval(timer);
      for (const unsubscribe of unsubscribes) unsubscribe();
    };
  };

  return {
    subscribe(listener) {
      listeners.add(listener);
      stopLoop ??= startLoop();
      reload();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          stopLoop?.();
          stopLoop = null;
        }
      };
    },
    getSnapshot: () => snapshot,
    reload,
  };
}

export function useSharedQuery<T>(query: SharedQuery<T>): SharedQuerySnapshot<T> {
  return useSyncExternalStore(query.subscribe, query.getSnapshot);
}
