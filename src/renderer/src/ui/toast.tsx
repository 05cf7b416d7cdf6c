import { useEffect } from 'react';

/** How long a toast stays: long enough to read a sentence, short enough not to linger. */
const TOAST_MS = 6_000;

/** A passing message about something the app did on the user's behalf; it leaves by itself or on ✕. */
export function Toast({ message, testId, onDone }: { message: string; testId?: string; onDone(): void }) {
  useEffect(() => {
    const timer = setTimeout(onDone, TOAST_MS);
    return () => clearTimeout(timer);
  }, [message, onDone]);
  return (
    <div className="toast" role="status" data-testid={testId}>
      <span>{message}</span>
      <button type="button" className="button button--ghost button--small" aria-label="Dismiss" onClick={onDone}>
        ✕
      </button>
    </div>
  );
}
