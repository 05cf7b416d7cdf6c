import type { SettingsStore } from '../ports';

/** Runs writers one after another, so two quick updates cannot lose each other's change. */
export function serialised(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (task) => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}

const settingsTurns = new WeakMap<SettingsStore, ReturnType<typeof serialised>>();

/**
 * Runs `change` (a read, merge and write of the whole settings file) in its store's turn. Every
 * writer of settings takes this turn, so a settings update, a backup folder chosen and a key
 * saved at the same moment cannot overwrite one another.
 */
export function inSettingsTurn<T>(store: SettingsStore, change: () => Promise<T>): Promise<T> {
  let turn = settingsTurns.get(store);
  if (!turn) settingsTurns.set(store, (turn = serialised()));
  return turn(change);
}
