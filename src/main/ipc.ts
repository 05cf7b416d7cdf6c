import path from 'node:path';
import type { EventBus } from '../core/events';
import type { Invoke } from '../core/invoke';
import type { Logger } from '../core/ports';
import { methodNames, type EventMessage } from '../shared/contract';
import { ipcChannels, type PickedFile } from '../shared/desktop-bridge';
import { requestedCsvPath } from '../shared/domain';
import { requestedBackupPath } from '../shared/backups';
import { requestedModelFilePath } from '../shared/models';
import { fail, INTERNAL_ERROR_MESSAGE, type Result } from '../shared/errors';

/** What the handlers read from Electron's IpcMainInvokeEvent. */
export interface InvokeEventLike {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

/** The part of Electron's `ipcMain` used here; tests pass a fake. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface IpcDependencies {
  ipcMain: IpcMainLike;
  invoke: Invoke;
  /** The sender check: our window, its main frame, showing the app (see url-policy.ts). */
  isTrusted(event: InvokeEventLike): boolean;
  /** Shows the native open dialog attached to the sender's window. */
  showCsvOpenDialog(event: InvokeEventLike): Promise<string | null>;
  /** The same for a backup archive to restore. */
  showBackupOpenDialog(event: InvokeEventLike): Promise<string | null>;
  /** The native folder dialog, for where backups go. */
  showBackupFolderDialog(event: InvokeEventLike): Promise<string | null>;
  logger: Logger;
}

const untrustedReply = fail({ code: 'AUTH', message: 'This request did not come from the Metalytics window.' });

/** The window sends and receives a model export as `content`; only the CLI names files. */
const modelPathReply = fail({ code: 'FORBIDDEN', message: 'The window exchanges model files as `content`, not by path.' });

/** The window backs up into the data folder's backups folder and names listed backups by id; an archive file only once the user chose it. */
const backupPathReply = fail({
  code: 'FORBIDDEN',
  message: 'The window backs up into the data folder and names backups by `id`; choose an archive file with the open dialog to restore from it.',
});

/** What the window may do with an archive the user chose in the dialog: read it, never write it. */
const methodsReadingChosenArchives: ReadonlySet<string> = new Set(['backups.preview', 'backups.verify', 'backups.restore']);

const unchosenFileReply = fail({ code: 'VALIDATION', message: 'Choose the file with File › Import CSV… so Metalytics may read it.' });

/**
 * One handler per contract method on its own channel, each checking the sender and answering
 * with the core's Result envelope; nothing is thrown across IPC, because Electron would keep
 * only an error's message. The page may only name local files the user picked in the dialog,
 * so a compromised page cannot make the core read arbitrary files.
 */
export function registerIpcHandlers(deps: IpcDependencies): () => void {
  const { ipcMain, invoke, isTrusted, logger } = deps;
  const chosenPaths = new Set<string>();
  const chosenArchives = new Set<string>();
  const channels: string[] = [];

  for (const name of methodNames) {
    const channel = ipcChannels.invoke(name);
    channels.push(channel);
    ipcMain.handle(channel, async (event, input): Promise<Result<unknown>> => {
      if (!isTrusted(event)) {
        logger.warn('refused an IPC call from an untrusted sender', { method: name, url: event.senderFrame?.url ?? null });
        return untrustedReply;
      }
      const filePath = requestedCsvPath(input);
      if (filePath !== null && !chosenPaths.has(path.resolve(filePath))) return unchosenFileReply;
      if (requestedModelFilePath(name, input) !== null) return modelPathReply;
      const archive = requestedBackupPath(name, input);
      if (archive !== null && !(methodsReadingChosenArchives.has(name) && chosenArchives.has(path.resolve(archive)))) return backupPathReply;
      try {
        return await invoke(name, input);
      } catch (error) {
        // core.invoke already maps errors; this only guards against a bug in that mapping.
        logger.error('invoke threw instead of answering with a Result', { method: name, error });
        return fail({ code: 'INTERNAL', message: INTERNAL_ERROR_MESSAGE });
      }
    });
  }

  const grantFromDialog = (channel: string, what: string, show: (event: InvokeEventLike) => Promise<string | null>, granted: Set<string>) => {
    channels.push(channel);
    ipcMain.handle(channel, async (event): Promise<PickedFile | null> => {
      if (!isTrusted(event)) {
        logger.warn('refused a file dialog request from an untrusted sender', { url: event.senderFrame?.url ?? null });
        return null;
      }
      try {
        const chosen = await show(event);
        if (chosen === null) return null;
        const resolved = path.resolve(chosen);
        granted.add(resolved);
        return { path: resolved, name: path.basename(resolved) };
      } catch (error) {
        logger.error(`the ${what} open dialog failed`, { error });
        return null;
      }
    });
  };
  grantFromDialog(ipcChannels.pickCsvFile, 'CSV', deps.showCsvOpenDialog, chosenPaths);
  grantFromDialog(ipcChannels.pickBackupFile, 'backup', deps.showBackupOpenDialog, chosenArchives);

  // A folder is where the app writes, so the window never names one: the user chooses it here and the main process sets it.
  channels.push(ipcChannels.chooseBackupFolder);
  ipcMain.handle(ipcChannels.chooseBackupFolder, async (event): Promise<Result<unknown> | null> => {
    if (!isTrusted(event)) {
      logger.warn('refused a folder dialog request from an untrusted sender', { url: event.senderFrame?.url ?? null });
      return untrustedReply;
    }
    try {
      const chosen = await deps.showBackupFolderDialog(event);
      return chosen === null ? null : await invoke('backups.setFolder', { folder: path.resolve(chosen) });
    } catch (error) {
      logger.error('choosing the backup folder failed', { error });
      return fail({ code: 'INTERNAL', message: INTERNAL_ERROR_MESSAGE });
    }
  });

  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}

/** What event forwarding needs of a window: enough to skip closed ones and re-check the page. */
export interface EventWindow {
  isDestroyed(): boolean;
  send(channel: string, message: EventMessage): void;
  /** The URL the main frame shows now; events go only to a window still showing the app. */
  currentUrl(): string;
}

/** Forwards every core event to our windows; returns the unsubscribe function. */
export function forwardCoreEvents(
  events: EventBus,
  targets: () => Iterable<EventWindow>,
  showsApp: (url: string) => boolean,
): () => void {
  return events.subscribe((message) => {
    for (const target of targets()) {
      if (!target.isDestroyed() && showsApp(target.currentUrl())) target.send(ipcChannels.event, message);
    }
  });
}
