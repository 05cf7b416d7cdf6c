import { useEffect, useState, useSyncExternalStore } from 'react';

/**
 * A counter that screens bump after changing something another part of the window also
 * shows (acknowledging an alert, pausing a job), so every query of it re-reads at once
 * instead of at its next refresh. The core sends no event for these changes.
 */
export function createRevision() {
  let revision = 0;
  const listeners = new Set<() => void>();
  const subscribe = (listener: () => void) => {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  };
  return {
    bump(): void {
      revision++;
      for (const listener of listeners) listener();
    },
    /** Calls `reload` whenever the revision moves after the component mounted. */
    useReloadOnBump(reload: () => void): void {
      const seen = useSyncExternalStore(subscribe, () => revision);
      const [mountedAt] = useState(() => revision);
      useEffect(() => {
        if (seen !== mountedAt) reload();
      }, [seen, mountedAt, reload]);
    },
  };
}
