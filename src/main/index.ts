import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Notification, safeStorage, session, type OpenDialogOptions } from 'electron';
import { readVariable } from '../core/config/environment';
import { configFromEnvironment, type RuntimeConfig } from '../core/config/runtime-config';
import { createCore, type Core } from '../core/create-core';
import { shouldValidateOutput } from '../core/invoke';
import { ARCHIVE_EXTENSION } from '../core/backups/archive/archive-format';
import type { CorePorts, SecretStore, SettingsStore } from '../core/ports';
import { ipcChannels, type DesktopMenuCommand } from '../shared/desktop-bridge';
import { describeUnreadableSecret } from '../shared/secret-health';
import { nextWindowId } from '../shared/window-id';
import { databaseUrlFromSettings, describeDatabaseUrl } from '../core/settings/database-url';
import { forwardCoreEvents, registerIpcHandlers, type InvokeEventLike } from './ipc';
import { createMainLogger, type MainLogger } from './logger';
import { installApplicationMenu } from './menu';
import { electronSqliteBindingPath, migrationsDir } from './runtime-paths';
import { SafeStorageSecretStore, detectSecretBackend } from './secret-store';
import { createMainWindow, hardenSession, hardenWebContents } from './security';
import { createSettingsStore } from './settings-store';
import { isAppUrl, isTrustedSender } from './url-policy';

/** Set by `electron-vite dev`; absent for `npm start` (preview) and packaged builds. */
const devServerUrl = readVariable(process.env, 'ELECTRON_RENDERER_URL');
const outDir = path.join(import.meta.dirname, '..');
const rendererIndex = path.join(outDir, 'renderer', 'index.html');
const appUrl = devServerUrl ?? pathToFileURL(rendererIndex).href;

// A separate data directory (tests, a second profile) also gets its own Chromium profile and
// single-instance lock, so it must be chosen before anything reads userData.
const dataDirOverride = readVariable(process.env, 'METALYTICS_DATA_DIR');
if (dataDirOverride) app.setPath('userData', path.resolve(dataDirOverride));

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void app.whenReady().then(startApp).catch((error: unknown) => {
    dialog.showErrorBox('Metalytics cannot start', error instanceof Error ? error.message : String(error));
    app.exit(1);
  });
}

/**
 * The environment's configuration, with what only this shell knows filled in where the
 * environment is silent: where the migrations and the Electron build of better-sqlite3 are.
 * The database chosen in Settings is added once the settings and secrets can be read.
 */
function resolveDesktopConfig(dataDir: string, logger: MainLogger): RuntimeConfig {
  const fromEnvironment = configFromEnvironment(process.env);
  return {
    ...fromEnvironment,
    dataDir,
    migrationsDir:
      fromEnvironment.migrationsDir ?? migrationsDir({ isPackaged: app.isPackaged, appPath: app.getAppPath(), resourcesPath: process.resourcesPath }),
    sqliteNativeBinding: fromEnvironment.sqliteNativeBinding ?? electronSqliteBinding(logger),
  };
}

/**
 * Packaged apps get better-sqlite3 rebuilt in place by electron-builder; only a source
 * checkout needs the separate build, because its in-place build serves the Node tests.
 */
function electronSqliteBinding(logger: MainLogger): string | undefined {
  if (app.isPackaged) return undefined;
  const binding = electronSqliteBindingPath(app.getAppPath(), {
    electron: process.versions.electron,
    platform: process.platform,
    arch: process.arch,
  });
  if (existsSync(binding)) return binding;
  logger.warn('no Electron build of better-sqlite3 found; run `npm start` with network access once to build it', { expected: binding });
  return undefined;
}

function errorText(error: unknown, logger: MainLogger): string {
  const text = error instanceof Error ? error.message : String(error);
  const hint = /NODE_MODULE_VERSION|was compiled against a different/.test(text)
    ? ' The SQLite driver is not built for this Electron version; run `npm start` once with network access.'
    : '';
  return logger.redactor.text(text) + hint;
}

/** Asks whether to continue on the embedded SQLite database; false means quit. */
async function offerEmbeddedDatabase(message: string, detail: string): Promise<boolean> {
  const { response } = await dialog.showMessageBox({
    type: 'error',
    title: 'Metalytics',
    message,
    detail: `${detail}\n\nYou can work on the embedded SQLite database on this computer for now and switch back in Settings once the server is reachable.`,
    buttons: ['Use the embedded database', 'Quit'],
    defaultId: 0,
    cancelId: 1,
    noLink: true,
  });
  return response === 0;
}

/**
 * Starts the core on the configured database. When Postgres cannot be reached the user may
 * continue on the embedded SQLite database instead of being locked out of their cache.
 */
async function startCore(ports: CorePorts, logger: MainLogger, passwordProblem?: string): Promise<Core | null> {
  try {
    return await createCore(ports, { validateOutput: shouldValidateOutput(process.env) });
  } catch (error) {
    const { dataDir, databaseUrl } = ports.config;
    logger.error('the core failed to start', { error, database: databaseUrl ? describeDatabaseUrl(databaseUrl) : 'sqlite' });
    if (!databaseUrl) {
      dialog.showErrorBox(
        'Metalytics cannot open its database',
        `Metalytics could not open its database in ${dataDir}. ${errorText(error, logger)}\n\nThe details are in ${path.join(dataDir, 'logs', 'main.log')}.`,
      );
      return null;
    }
    const useEmbedded = await offerEmbeddedDatabase(
      `Metalytics could not connect to the Postgres database at ${describeDatabaseUrl(databaseUrl)}.`,
      passwordProblem ? `${errorText(error, logger)}\n\n${passwordProblem}` : errorText(error, logger),
    );
    return useEmbedded ? startCore({ ...ports, config: { ...ports.config, databaseUrl: undefined } }, logger) : null;
  }
}

/** The configured Postgres URL with its password; undefined for SQLite, null when the user chose to quit. */
async function chooseDatabaseUrl(
  environmentUrl: string | undefined,
  settings: SettingsStore,
  secrets: SecretStore,
  logger: MainLogger,
): Promise<string | undefined | null> {
  const stored = await settings.read();
  try {
    return await databaseUrlFromSettings(stored, environmentUrl, () => secrets.get('database'));
  } catch (error) {
    logger.error('the database URL in Settings is not valid', { error });
    const useEmbedded = await offerEmbeddedDatabase(
      'The Postgres address in Settings is not a valid URL.',
      'It should look like postgres://user@host:5432/metalytics.',
    );
    return useEmbedded ? undefined : null;
  }
}

async function startApp(): Promise<void> {
  const dataDir = app.getPath('userData');
  const development = devServerUrl !== undefined;
  const logger = createMainLogger({ dataDir, echo: !app.isPackaged });
  const config = resolveDesktopConfig(dataDir, logger);

  const settings = createSettingsStore(dataDir, logger);
  const secrets = new SafeStorageSecretStore({
    safeStorage,
    backend: await detectSecretBackend(safeStorage, process.platform),
    dataDir,
    logger,
    onSecretValue: (value) => logger.redactor.addSecret(value),
  });
  if (!secrets.isEncryptionAvailable()) logger.warn('secret encryption is unavailable; API keys cannot be saved on this system');

  const databaseUrl = await chooseDatabaseUrl(config.databaseUrl, settings, secrets, logger);
  // A changed keyring must not stop the app: the unreadable secrets are named (in the log
  // now, in the status bar and Settings through secrets.health) and entered again there.
  const { backend, unreadable } = await secrets.health();
  for (const secret of unreadable) logger.warn(describeUnreadableSecret(secret, backend), { name: secret.name });
  const databasePassword = unreadable.find((secret) => secret.name === 'database');
  const core =
    databaseUrl === null
      ? null
      : await startCore(
          { config: { ...config, databaseUrl }, appVersion: app.getVersion(), secrets, settings, logger },
          logger,
          databasePassword && describeUnreadableSecret(databasePassword, backend),
        );
  if (!core) {
    await logger.close();
    app.exit(1);
    return;
  }
  logger.info('core started', { appVersion: app.getVersion(), dataDir });

  const windows = new Map<number, BrowserWindow>();
  const trustedIds = new Set<number>();
  const isTrusted = (event: InvokeEventLike) =>
    isTrustedSender(
      {
        webContentsId: event.sender.id,
        frame: event.senderFrame ? { url: event.senderFrame.url, isMainFrame: event.senderFrame.parent === null } : null,
      },
      { webContentsIds: trustedIds, appUrl },
    );

  hardenSession(session.defaultSession, { devServerUrl });
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, { appUrl, logger }));

  /** The native open dialog, attached to the window that asked; the chosen path, or null when cancelled. */
  const chooseIn = async (event: { sender: { id: number } }, options: OpenDialogOptions): Promise<string | null> => {
    const owner = windows.get(event.sender.id);
    const result = owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  };
  const disposeIpc = registerIpcHandlers({
    ipcMain,
    invoke: core.invoke,
    isTrusted,
    logger,
    showCsvOpenDialog: (event) =>
      chooseIn(event, {
        title: 'Import CSV',
        properties: ['openFile'],
        filters: [
          { name: 'CSV files', extensions: ['csv', 'txt', 'tsv'] },
          { name: 'All files', extensions: ['*'] },
        ],
      }),
    showBackupOpenDialog: (event) =>
      chooseIn(event, {
        title: 'Restore from a backup',
        properties: ['openFile'],
        filters: [
          { name: 'Metalytics backups', extensions: [ARCHIVE_EXTENSION.slice(1)] },
          { name: 'All files', extensions: ['*'] },
        ],
      }),
    showBackupFolderDialog: (event) => chooseIn(event, { title: 'Where backups go', properties: ['openDirectory', 'createDirectory'] }),
  });
  const stopEvents = forwardCoreEvents(
    core.events,
    () =>
      [...windows.values()].map((window) => ({
        isDestroyed: () => window.isDestroyed(),
        send: (channel: string, message: unknown) => window.webContents.send(channel, message),
        currentUrl: () => window.webContents.getURL(),
      })),
    (url) => isAppUrl(url, appUrl),
  );

  /** The window id each open window was given, by webContents id. */
  const windowIds = new Map<number, string>();
  const openWindow = (): BrowserWindow => {
    const windowId = nextWindowId(windowIds.values());
    const window = createMainWindow({ preloadPath: path.join(outDir, 'preload', 'index.cjs'), devTools: development, windowId });
    const id = window.webContents.id;
    windows.set(id, window);
    windowIds.set(id, windowId);
    trustedIds.add(id);
    window.on('closed', () => {
      windows.delete(id);
      windowIds.delete(id);
      trustedIds.delete(id);
    });
    void (devServerUrl ? window.loadURL(devServerUrl) : window.loadFile(rendererIndex));
    return window;
  };

  const sendMenuCommand = (command: DesktopMenuCommand) => {
    const focused = BrowserWindow.getFocusedWindow();
    const window = (focused && windows.get(focused.webContents.id)) ?? [...windows.values()][0];
    if (window) {
      if (isAppUrl(window.webContents.getURL(), appUrl)) window.webContents.send(ipcChannels.menuCommand, command);
      return;
    }
    // macOS keeps running without windows: open one and deliver the command once the app has loaded.
    const opened = openWindow();
    opened.webContents.once('did-finish-load', () => opened.webContents.send(ipcChannels.menuCommand, command));
  };
  installApplicationMenu({ appVersion: app.getVersion(), development, sendCommand: sendMenuCommand, openWindow: () => void openWindow() });

  // A failed scheduled job reaches the user even when no window is in front; clicking brings one forward.
  const stopNotifications = core.events.subscribe((message) => {
    if (message.name !== 'alert.raised' || !Notification.isSupported()) return;
    const notification = new Notification({ title: 'Metalytics', body: message.payload.message });
    notification.on('click', () => {
      const window = [...windows.values()][0] ?? openWindow();
      if (window.isMinimized()) window.restore();
      window.focus();
    });
    notification.show();
  });
  core.scheduler.start();

  app.on('second-instance', () => {
    const window = [...windows.values()][0];
    if (!window) return void openWindow();
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('activate', () => {
    if (windows.size === 0) openWindow();
  });
  app.on('window-all-closed', () => {
    // macOS apps stay open without windows; the dock icon reopens one.
    if (process.platform !== 'darwin') app.quit();
  });

  let closing = false;
  let closed = false;
  app.on('before-quit', (event) => {
    if (closed) return;
    // Let running jobs stop and the database close cleanly before the process exits.
    event.preventDefault();
    if (closing) return;
    closing = true;
    stopNotifications();
    stopEvents();
    disposeIpc();
    core
      .close()
      .catch((error: unknown) => logger.error('the core did not close cleanly', { error }))
      .finally(() => {
        closed = true;
        void logger.close().finally(() => app.quit());
      });
  });

  openWindow();
}
