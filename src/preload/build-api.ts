import type { MetalyticsApi } from '../shared/api';
import { isEventName, methodNames, type EventMessage, type EventName, type EventPayload } from '../shared/contract';
import {
  ipcChannels,
  isDesktopMenuCommand,
  type DesktopBridge,
  type DesktopMenuCommand,
  type PickedFile,
} from '../shared/desktop-bridge';
import type { Result } from '../shared/errors';
import { windowIdFromArgv } from '../shared/window-id';

type IpcListener = (event: unknown, ...args: unknown[]) => void;

/** The part of Electron's `ipcRenderer` the bridge needs; tests pass a fake. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: IpcListener): unknown;
  removeListener(channel: string, listener: IpcListener): unknown;
}

/**
 * Fans one IPC channel out to many subscribers. One ipcRenderer listener per channel, added
 * with the first subscriber and removed with the last, so a throwing subscriber cannot stop
 * the others and the Electron event object never reaches page code.
 */
function createChannelFanOut<T>(ipc: IpcRendererLike, channel: string, accept: (value: unknown) => value is T) {
  const subscribers = new Set<(value: T) => void>();
  const onMessage: IpcListener = (_event, value) => {
    if (!accept(value)) return;
    for (const subscriber of [...subscribers]) {
      try {
        subscriber(value);
      } catch (error) {
        console.error(`A ${channel} listener threw`, error);
      }
    }
  };
  return (subscriber: (value: T) => void): (() => void) => {
    if (typeof subscriber !== 'function') throw new TypeError('listener must be a function');
    // A wrapper per subscription, so subscribing the same function twice needs two unsubscribes.
    const entry = (value: T) => subscriber(value);
    if (subscribers.size === 0) ipc.on(channel, onMessage);
    subscribers.add(entry);
    return () => {
      if (!subscribers.delete(entry)) return;
      if (subscribers.size === 0) ipc.removeListener(channel, onMessage);
    };
  };
}

function isEventMessage(value: unknown): value is EventMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { name?: unknown }).name === 'string' &&
    isEventName((value as { name: string }).name)
  );
}

/**
 * `window.metalytics`: one function per contract method, each bound to its own channel,
 * so page code can reach nothing the contract does not list.
 */
export function buildMetalyticsApi(ipc: IpcRendererLike): MetalyticsApi {
  const methods = Object.fromEntries(
    methodNames.map((name) => {
      const channel = ipcChannels.invoke(name);
      return [name, (input?: unknown) => ipc.invoke(channel, input)];
    }),
  ) as unknown as MetalyticsApi['methods'];

  const subscribe = createChannelFanOut(ipc, ipcChannels.event, isEventMessage);

  return {
    methods,
    on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
      if (typeof name !== 'string' || !isEventName(name)) throw new TypeError(`Unknown event "${String(name)}"`);
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      return subscribe((message) => {
        if (message.name === name) listener(message.payload as EventPayload<E>);
      });
    },
    onResume(listener: () => void): () => void {
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      // IPC delivers every event while the window lives, so the stream never resumes.
      return () => undefined;
    },
  };
}

function isPickedFile(value: unknown): value is PickedFile {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { path?: unknown }).path === 'string' &&
    typeof (value as { name?: unknown }).name === 'string'
  );
}

/**
 * `window.metalyticsDesktop`: the Electron-only extras outside the core contract. `argv` is the
 * renderer's command line, where the main process put the window's id.
 */
export function buildDesktopBridge(ipc: IpcRendererLike, argv: readonly string[]): DesktopBridge {
  return {
    async pickCsvFile() {
      const picked = await ipc.invoke(ipcChannels.pickCsvFile);
      return isPickedFile(picked) ? { path: picked.path, name: picked.name } : null;
    },
    async pickBackupFile() {
      const picked = await ipc.invoke(ipcChannels.pickBackupFile);
      return isPickedFile(picked) ? { path: picked.path, name: picked.name } : null;
    },
    async chooseBackupFolder() {
      const answer = await ipc.invoke(ipcChannels.chooseBackupFolder);
      // The main process answers null (cancelled) or the core's Result envelope.
      return typeof answer === 'object' && answer !== null && typeof (answer as { ok?: unknown }).ok === 'boolean' ? (answer as Result<{ folder: string }>) : null;
    },
    onMenuCommand: createChannelFanOut<DesktopMenuCommand>(ipc, ipcChannels.menuCommand, isDesktopMenuCommand),
    windowId: windowIdFromArgv(argv),
  };
}
