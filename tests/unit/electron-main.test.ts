/**
 * Runs the real main process (src/main/index.ts) against a fake `electron` module: no Electron
 * binary is needed to check that it starts the core on SQLite, wires every contract method to
 * IPC behind the sender check, forwards events, stores secrets encrypted, falls back from an
 * unreachable Postgres after asking, and closes the core on quit.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { methodNames } from '../../src/shared/contract';
import { ipcChannels } from '../../src/shared/desktop-bridge';
import { windowIdArgument } from '../../src/shared/window-id';

type Listener = (...args: unknown[]) => unknown;

const fake = vi.hoisted(() => {
  class Emitter {
    listeners = new Map<string, Listener[]>();
    on(name: string, listener: Listener) {
      this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener]);
      return this;
    }
    once(name: string, listener: Listener) {
      return this.on(name, listener);
    }
    emit(name: string, ...args: unknown[]) {
      for (const listener of this.listeners.get(name) ?? []) listener(...args);
    }
  }
  const state = {
    handlers: new Map<string, Listener>(),
    windows: [] as { webContents: { id: number; send: ReturnType<typeof vi.fn> }; loaded: string; focus: ReturnType<typeof vi.fn> }[],
    paths: new Map<string, string>(),
    app: new Emitter(),
    messageBoxResponse: 0,
    notificationsSupported: true,
    notifications: [] as { options: { title: string; body: string }; shown: boolean; emit(name: string): void }[],
    storageBackend: 'gnome_libsecret',
  };
  let nextId = 1;
  class BrowserWindow extends Emitter {
    static getFocusedWindow = () => null;
    loaded = '';
    webContents = Object.assign(new Emitter(), {
      id: nextId++,
      send: vi.fn(),
      getURL: () => pathToFileURL(this.loaded).href,
      setWindowOpenHandler: vi.fn(),
    });
    constructor(readonly options: unknown) {
      super();
      state.windows.push(this);
      state.app.emit('web-contents-created', {}, this.webContents);
    }
    loadFile = async (file: string) => {
      this.loaded = file;
    };
    loadURL = async () => {};
    isDestroyed = () => false;
    isMinimized = () => false;
    restore = vi.fn();
    focus = vi.fn();
    show = vi.fn();
  }
  class Notification extends Emitter {
    static isSupported = () => state.notificationsSupported;
    shown = false;
    constructor(readonly options: { title: string; body: string }) {
      super();
      state.notifications.push(this);
    }
    show() {
      this.shown = true;
    }
  }
  const electron = {
    Notification,
    app: Object.assign(state.app, {
      isPackaged: false,
      getPath: (name: string) => state.paths.get(name) ?? '',
      setPath: (name: string, value: string) => state.paths.set(name, value),
      requestSingleInstanceLock: () => true,
      whenReady: () => Promise.resolve(),
      getAppPath: () => process.cwd(),
      getVersion: () => '9.9.9-test',
      quit: vi.fn(),
      exit: vi.fn(),
      setAboutPanelOptions: vi.fn(),
    }),
    BrowserWindow,
    ipcMain: {
      handle: (channel: string, listener: Listener) => state.handlers.set(channel, listener),
      removeHandler: (channel: string) => state.handlers.delete(channel),
    },
    dialog: {
      showErrorBox: vi.fn(),
      showMessageBox: vi.fn(async () => ({ response: state.messageBoxResponse })),
      showOpenDialog: vi.fn(async () => ({ canceled: true, filePaths: [] })),
    },
    // Each backend seals with its own key (its name up front here), so one cannot open what another sealed.
    safeStorage: {
      isAsyncEncryptionAvailable: async () => true,
      getSelectedStorageBackend: () => state.storageBackend,
      encryptStringAsync: async (text: string) => Buffer.concat([Buffer.from(`${state.storageBackend}:`), Buffer.from(text).reverse()]),
      decryptStringAsync: async (data: Buffer) => {
        const tag = Buffer.from(`${state.storageBackend}:`);
        if (!data.subarray(0, tag.length).equals(tag)) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
        return { result: Buffer.from(data.subarray(tag.length)).reverse().toString(), shouldReEncrypt: false };
      },
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: vi.fn(),
        setPermissionCheckHandler: vi.fn(),
        setDevicePermissionHandler: vi.fn(),
        webRequest: { onHeadersReceived: vi.fn() },
      },
    },
    shell: { openExternal: vi.fn(async () => {}) },
    Menu: { buildFromTemplate: (template: unknown) => template, setApplicationMenu: vi.fn() },
  };
  return { state, electron };
});

vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));

// electron-store loads the real `electron` package from node_modules, outside vitest's mocks.
vi.mock('electron-store', () => ({
  default: class {
    store: Record<string, unknown> = {};
  },
}));

// Spied on to see the configuration the shell hands the core.
vi.mock('../../src/core/create-core', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/core/create-core')>();
  return { ...actual, createCore: vi.fn(actual.createCore) };
});

async function waitFor<T>(probe: () => T | undefined, what: string): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('Electron main process wiring', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'metalytics-main-'));
    vi.stubEnv('METALYTICS_DATA_DIR', dataDir);
    vi.stubEnv('METALYTICS_DATABASE_URL', '');
    vi.stubEnv('ELECTRON_RENDERER_URL', undefined);
    fake.state.handlers.clear();
    fake.state.windows.length = 0;
    fake.state.notifications.length = 0;
    fake.state.notificationsSupported = true;
    fake.state.storageBackend = 'gnome_libsecret';
    fake.state.app.listeners.clear();
    // Outside a packaged app the logger echoes to the terminal; keep test output readable.
    vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.resetModules();
  });

  afterEach(async () => {
    // Quitting closes the core, so the SQLite file is released before the folder goes.
    const quit = fake.state.app.listeners.get('before-quit')?.[0];
    if (quit) {
      quit({ preventDefault: () => {} });
      await waitFor(() => (fake.electron.app.quit.mock.calls.length > 0 ? true : undefined), 'quit');
    }
    fake.electron.app.quit.mockClear();
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function start() {
    await import('../../src/main/index');
    const window = await waitFor(() => fake.state.windows[0], 'the main window');
    await waitFor(() => (window.loaded ? true : undefined), 'the renderer to load');
    const trusted = { sender: { id: window.webContents.id }, senderFrame: { url: pathToFileURL(window.loaded).href, parent: null } };
    const call = (channel: string, event: unknown, input?: unknown) => fake.state.handlers.get(channel)?.(event, input) as Promise<unknown>;
    return { window, trusted, call };
  }

  it('starts the core on SQLite and answers trusted IPC calls only', async () => {
    const { window, trusted, call } = await start();

    expect(fake.state.paths.get('userData')).toBe(dataDir);
    expect([...fake.state.handlers.keys()].sort()).toEqual([...methodNames.map(ipcChannels.invoke), ipcChannels.pickCsvFile, ipcChannels.pickBackupFile, ipcChannels.chooseBackupFolder].sort());
    const options = (window as unknown as { options: { webPreferences: Record<string, unknown> } }).options.webPreferences;
    expect(options).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, disableBlinkFeatures: 'Auxclick' });
    expect(String(options.preload)).toMatch(/preload[\\/]index\.cjs$/);
    // The first window is always window-1, so its chart layout is found again after a restart.
    expect(options.additionalArguments).toEqual([windowIdArgument('window-1')]);
    const { createCore } = await import('../../src/core/create-core');
    expect(vi.mocked(createCore).mock.calls[0]?.[0].config.migrationsDir).toBe(path.join(process.cwd(), 'db', 'migrations'));

    const status = await call(ipcChannels.invoke('system.status'), trusted, {});
    expect(status).toMatchObject({ ok: true, value: { appVersion: '9.9.9-test', database: { mode: 'sqlite' } } });

    const foreign = { ...trusted, senderFrame: { url: 'https://evil.example/', parent: null } };
    expect(await call(ipcChannels.invoke('system.status'), foreign, {})).toMatchObject({ ok: false, error: { code: 'AUTH' } });

    const secret = await call(ipcChannels.invoke('secrets.set'), trusted, { name: 'polygon', value: 'pk_test_abcdef' });
    expect(secret).toMatchObject({ ok: true, value: { name: 'polygon', hasKey: true } });
    if (process.platform !== 'win32') expect((await stat(path.join(dataDir, 'secrets.json'))).mode & 0o777).toBe(0o600);

    await call(ipcChannels.invoke('settings.update'), trusted, { theme: 'dark' });
    expect(window.webContents.send).toHaveBeenCalledWith(ipcChannels.event, expect.objectContaining({ name: 'settings.changed' }));
  });

  it('fires schedules and shows a desktop notification when a scheduled job fails', async () => {
    const { window, trusted, call } = await start();
    const listed = (await call(ipcChannels.invoke('jobs.list'), trusted, {})) as { value: { scheduler: { state: string } } };
    expect(listed.value.scheduler.state).toBe('running');

    // Metals-API without a key fails with AUTH before any request: no retry, one alert.
    const created = (await call(ipcChannels.invoke('jobs.create'), trusted, {
      name: 'Gold spot',
      kind: 'poll',
      provider: 'metalsapi',
      symbols: ['XAUUSD'],
      schedule: null,
    })) as { ok: true; value: { id: string } };
    expect(created.ok).toBe(true);
    await call(ipcChannels.invoke('jobs.runNow'), trusted, { id: created.value.id });
    const notification = await waitFor(() => fake.state.notifications[0], 'the notification');
    expect(notification.shown).toBe(true);
    expect(notification.options.title).toBe('Metalytics');
    expect(notification.options.body).toMatch(/Scheduled job "Gold spot" failed: .*key/i);
    expect(window.webContents.send).toHaveBeenCalledWith(ipcChannels.event, expect.objectContaining({ name: 'alert.raised' }));
    notification.emit('click');
    expect(window.focus).toHaveBeenCalled();

    // Where the system has no notifications, the alert stays in the app's list only. The same
    // failure alerts again only once the first alert has been acknowledged.
    fake.state.notificationsSupported = false;
    await call(ipcChannels.invoke('alerts.acknowledge'), trusted, {});
    const sent = window.webContents.send.mock.calls.length;
    await call(ipcChannels.invoke('jobs.runNow'), trusted, { id: created.value.id });
    const alertEvents = () =>
      window.webContents.send.mock.calls.slice(sent).filter(([, message]) => (message as { name: string }).name === 'alert.raised').length;
    await waitFor(() => (alertEvents() === 1 ? true : undefined), 'the second alert');
    expect(fake.state.notifications).toHaveLength(1);
    const alerts = (await call(ipcChannels.invoke('alerts.list'), trusted, {})) as { value: { unacknowledged: number } };
    expect(alerts.value.unacknowledged).toBe(1);
  });

  it('offers the embedded database when Postgres is unreachable', async () => {
    vi.stubEnv('METALYTICS_DATABASE_URL', 'postgres://metal:hunter2@127.0.0.1:1/metalytics');
    fake.state.messageBoxResponse = 0;
    const { trusted, call } = await start();

    expect(fake.electron.dialog.showMessageBox).toHaveBeenCalledTimes(1);
    const shown = JSON.stringify(fake.electron.dialog.showMessageBox.mock.calls[0]);
    expect(shown).toContain('127.0.0.1:1/metalytics');
    expect(shown).not.toContain('hunter2');
    expect(await call(ipcChannels.invoke('system.status'), trusted, {})).toMatchObject({ ok: true, value: { database: { mode: 'sqlite' } } });
  });

  it('starts after the keyring changed, names the keys to enter again, and takes them anew', async () => {
    // Saved on a KWallet desktop; this session runs GNOME Keyring.
    fake.state.storageBackend = 'kwallet5';
    const sealed = await fake.electron.safeStorage.encryptStringAsync('metalytics-secret:1:pk_kwallet_polygon_0001');
    await writeFile(path.join(dataDir, 'secrets.json'), JSON.stringify({ polygon: { sealed: sealed.toString('base64'), backend: 'kwallet5' } }), { mode: 0o600 });
    fake.state.storageBackend = 'gnome_libsecret';

    const { trusted, call } = await start();
    expect(fake.electron.dialog.showErrorBox).not.toHaveBeenCalled();
    expect(await call(ipcChannels.invoke('secrets.health'), trusted, {})).toEqual({
      ok: true,
      value: { backend: 'gnome_libsecret', encryptionAvailable: true, unreadable: [{ name: 'polygon', sealedWith: 'kwallet5', reason: 'backend-changed' }] },
    });
    const providers = (await call(ipcChannels.invoke('providers.list'), trusted, {})) as { value: { providers: { id: string; keySource: unknown }[] } };
    expect(providers.value.providers.find((provider) => provider.id === 'polygon')?.keySource).toBeNull();
    const log = await readFile(path.join(dataDir, 'logs', 'main.log'), 'utf8');
    expect(log).toMatch(/Polygon key was saved with KWallet 5/);

    await call(ipcChannels.invoke('secrets.set'), trusted, { name: 'polygon', value: 'pk_libsecret_polygon_0002' });
    expect(await call(ipcChannels.invoke('secrets.health'), trusted, {})).toMatchObject({ ok: true, value: { unreadable: [] } });
    const saved = JSON.parse(await readFile(path.join(dataDir, 'secrets.json'), 'utf8')) as Record<string, { backend: string }>;
    expect(saved.polygon?.backend).toBe('gnome_libsecret');
  });
});
