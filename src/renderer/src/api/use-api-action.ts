import { useCallback, useState } from 'react';
import { describeError } from './api-error';

export interface ApiAction {
  /** True while a call runs, so the controls that would start another can be disabled. */
  busy: boolean;
  /** The last failure as a sentence to show beside the control; cleared when the next call starts. */
  error: string | null;
  /** Runs one API call and what follows its success; a failure of either becomes `error`. */
  run(action: () => Promise<unknown>): Promise<void>;
  /** Forgets the last failure, e.g. when a form's own checks stop it before any call. */
  clearError(): void;
}

/** The busy flag and error sentence around a button's API call, which every screen shows the same way. */
export function useApiAction(): ApiAction {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  }, []);
  const clearError = useCallback(() => setError(null), []);
  return { busy, error, run, clearError };
}
