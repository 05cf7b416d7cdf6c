/** The window id of a page with no desktop shell (a browser on `metalytics serve`). */
export const BROWSER_WINDOW_ID = 'browser';

/** The command-line switch that carries a desktop window's id into its preload. */
const WINDOW_ID_SWITCH = '--metalytics-window-id=';

export function windowIdArgument(windowId: string): string {
  return `${WINDOW_ID_SWITCH}${windowId}`;
}

/** The window id the main process put on the renderer's command line, or null when there is none. */
export function windowIdFromArgv(argv: readonly string[]): string | null {
  const argument = argv.find((arg) => arg.startsWith(WINDOW_ID_SWITCH));
  const windowId = argument?.slice(WINDOW_ID_SWITCH.length) ?? '';
  return /^window-[1-9][0-9]{0,3}$/.test(windowId) ? windowId : null;
}

/**
 * The lowest `window-N` no open window holds. Reusing numbers gives a window opened after a
 * restart (or after another was closed) the layout the same place had before.
 */
export function nextWindowId(open: Iterable<string>): string {
  const taken = new Set(open);
  for (let n = 1; ; n++) {
    const windowId = `window-${n}`;
    if (!taken.has(windowId)) return windowId;
  }
}
