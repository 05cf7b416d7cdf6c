import { useCallback, useEffect, useEffectEvent, useRef, useState } from 'react';
import type { EventName, EventPayload, MethodInput, MethodName, MethodOutput } from '../../../shared/contract';
import { api, call } from './client';

export interface QueryState<T> {
  /** The last value received; kept while a newer request is in flight so screens do not flicker. */
  data: T | undefined;
  /** The input (as JSON) that `data` answers, which differs from the current one while loading. */
  dataKey: string | null;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * Calls a method whenever its input changes (compared by JSON), optionally on an interval.
 * `null` input skips the call. Replies to superseded requests are dropped, so a slow answer
 * for the previous symbol never overwrites the current one.
 */
export function useApiQuery<M extends MethodName>(
  name: M,
  input: MethodInput<M> | null,
  options: { refreshMs?: number } = {},
): QueryState<MethodOutput<M>> {
  const key = input === null ? null : JSON.stringify(input);
  const [answer, setAnswer] = useState<{ key: string; value: MethodOutput<M> } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(key !== null);
  const [generation, setGeneration] = useState(0);
  const latestRequest = useRef(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    if (key === null) {
      setLoading(false);
      return;
    }
    const request = ++latestRequest.current;
    setLoading(true);
    call(name, JSON.parse(key) as MethodInput<M>).then(
      (value) => {
        if (request !== latestRequest.current) return;
        setAnswer({ key, value });
        setError(null);
        setLoading(false);
      },
      (failure: unknown) => {
        if (request !== latestRequest.current) return;
        setError(failure);
        setLoading(false);
      },
    );
  }, [name, key, generation]);

  // Changes announced while the event stream was down were missed: read again.
  useApiResume(reload);

  const { refreshMs } = options;
  useEffect(() => {
    if (!refreshMs || key === null) return;
    const timer = setInterval(reload, refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs, key, reload]);

  return { data: answer?.value, dataKey: answer?.key ?? null, error, loading, reload };
}

/** Subscribes for the component's lifetime; the newest listener is used without resubscribing. */
export function useApiEvent<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): void {
  const onEvent = useEffectEvent(listener);
  useEffect(() => api.on(name, (payload) => onEvent(payload)), [name]);
}

/** Runs `listener` when the event stream is back after an interruption (see MetalyticsApi.onResume). */
export function useApiResume(listener: () => void): void {
  const onResume = useEffectEvent(listener);
  useEffect(() => api.onResume(() => onResume()), []);
}
