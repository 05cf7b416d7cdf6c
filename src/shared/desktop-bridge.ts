import type { MetalyticsApi } from './api';
import type { MethodName } from './contract';
import type { Result } from './errors';

/** A file the user chose in the native open dialog; `path` is only readable by the core because the user picked it. */
export interface PickedFile {
  path: string;
  name: string;
}

/** Commands the native application menu asks the renderer to carry out. */
export const desktopMenuCommands = ['import-csv'] as const;
export type DesktopMenuCommand = (typeof desktopMenuCommands)[number];

export function isDesktopMenuCommand(value: unknown): value is DesktopMenuCommand {
  return typeof value === 'string' && (desktopMenuCommands as readonly string[]).includes(value);
}

/**
 * Electron-only capabilities outside the core contract, exposed by the preload as
 * `window.metalyticsDesktop`. The browser build has no such object, so callers feature-test it.
 */
export interface DesktopBridge {
  /** Opens the native file dialog for a CSV file; null when the user cancels. */
  pickCsvFile(): Promise<PickedFile | null>;
  /**
   * Opens the native file dialog for a backup archive; null when the user cancels. The chosen
   * file's `path` may then be given to `backups.preview`, `backups.verify` and `backups.restore`
   * from the window (restoring from a file on the Backups screen or the first-start screen).
   */
  pickBackupFile(): Promise<PickedFile | null>;
  /**
   * Opens the native folder dialog and, once the user chose one, makes it where new backups go
   * (`backups.setFolder`, which the window may not call with a path of its own); null when the
   * user cancels, else the core's answer.
   */
  chooseBackupFolder(): Promise<Result<{ folder: string }> | null>;
  /** Subscribes to application-menu commands; returns the unsubscribe function. */
  onMenuCommand(listener: (command: DesktopMenuCommand) => void): () => void;
  /** The id the main process gave this window (`window-1`…), under which its chart layout is saved; null if it gave none. */
  windowId: string | null;
}

/** The globals the Electron preload installs; both are absent in a plain browser. */
export interface DesktopGlobals {
  metalytics?: MetalyticsApi;
  metalyticsDesktop?: DesktopBridge;
}

/** IPC channel names shared by the main process and the preload, so neither spells them alone. */
export const ipcChannels = {
  invoke: (method: MethodName) => `metalytics:invoke:${method}`,
  event: 'metalytics:event',
  pickCsvFile: 'metalytics:desktop:pick-csv-file',
  pickBackupFile: 'metalytics:desktop:pick-backup-file',
  chooseBackupFolder: 'metalytics:desktop:choose-backup-folder',
  menuCommand: 'metalytics:desktop:menu-command',
} as const;
