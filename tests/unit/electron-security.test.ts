import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ESLint } from 'eslint';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { contentSecurityPolicy } from '../../src/shared/content-security-policy';
import { resolveDatabaseUrl } from '../../src/core/settings/database-url';
import { registerIpcHandlers, type InvokeEventLike } from '../../src/main/ipc';
import { Redactor } from '../../src/core/logging/redact';
import {
  SafeStorageSecretStore,
  detectSecretBackend,
  encryptionUnavailableMessage,
  type SafeStorageLike,
} from '../../src/main/secret-store';
import { isAppUrl, isSafeExternalUrl, isTrustedSender } from '../../src/main/url-policy';
import { buildDesktopBridge, buildMetalyticsApi, type IpcRendererLike } from '../../src/preload/build-api';
import { windowIdArgument } from '../../src/shared/window-id';
import { eventNames, methodNames } from '../../src/shared/contract';
import { ipcChannels } from '../../src/shared/desktop-bridge';
import { AppError } from '../../src/shared/errors';
import { silentLogger } from '../support/silent-logger';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');

describe('isSafeExternalUrl', () => {
  it.each(['https://polygon.io/dashboard', 'http://example.com/a?b=c', 'HTTPS://EXAMPLE.COM'])('opens %s', (url) => {
    expect(isSafeExternalUrl(url)).toBe(true);
  });

  it.each([
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'smb://server/share',
    'ms-settings:privacy',
    'https://bank.example@evil.example/',
    'https://user:pass@example.com/',
    'not a url',
    '',
  ])('refuses %s', (url) => {
    expect(isSafeExternalUrl(url)).toBe(false);
  });
});

describe('sender check', () => {
  const fileApp = 'file:///opt/Metalytics/resources/app.asar/out/renderer/index.html';
  const devApp = 'http://localhost:5173';
  const trusted = { webContentsIds: new Set([7]), appUrl: fileApp };

  it('matches the dev server by origin and a file page by exact path', () => {
    expect(isAppUrl('http://localhost:5173/markets?symbol=XAUUSD', devApp)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', devApp)).toBe(false);
    expect(isAppUrl('http://127.0.0.1:5173/', devApp)).toBe(false);
    expect(isAppUrl(`${fileApp}#/models`, fileApp)).toBe(true);
    expect(isAppUrl('file:///tmp/evil/index.html', fileApp)).toBe(false);
    expect(isAppUrl('https://example.com/', fileApp)).toBe(false);
  });

  it('accepts only the main frame of our window showing the app', () => {
    expect(isTrustedSender({ webContentsId: 7, frame: { url: fileApp, isMainFrame: true } }, trusted)).toBe(true);
    expect(isTrustedSender({ webContentsId: 8, frame: { url: fileApp, isMainFrame: true } }, trusted)).toBe(false);
    expect(isTrustedSender({ webContentsId: 7, frame: { url: fileApp, isMainFrame: false } }, trusted)).toBe(false);
    expect(isTrustedSender({ webContentsId: 7, frame: { url: 'https://example.com/', isMainFrame: true } }, trusted)).toBe(false);
    expect(isTrustedSender({ webContentsId: 7, frame: null }, trusted)).toBe(false);
  });
});

/** A stand-in for ipcRenderer that records registrations and can deliver messages. */
function fakeIpcRenderer() {
  const listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  const ipc = {
    invoke: vi.fn(async (channel: string, ...args: unknown[]) => ({ ok: true, value: { channel, args } })),
    on: vi.fn((channel: string, listener: (event: unknown, ...args: unknown[]) => void) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)?.add(listener);
    }),
    removeListener: vi.fn((channel: string, listener: (event: unknown, ...args: unknown[]) => void) => {
      listeners.get(channel)?.delete(listener);
    }),
  } satisfies IpcRendererLike;
  const emit = (channel: string, value: unknown) => {
    for (const listener of listeners.get(channel) ?? []) listener({ sender: 'electron-event' }, value);
  };
  const count = (channel: string) => listeners.get(channel)?.size ?? 0;
  return { ipc, emit, count };
}

describe('preload api builder', () => {
  it('exposes exactly one function per contract method and nothing generic', async () => {
    const { ipc } = fakeIpcRenderer();
    const api = buildMetalyticsApi(ipc);

    expect(Object.keys(api).sort()).toEqual(['methods', 'on', 'onResume']);
    // IPC never drops events, so resuming needs no channel of its own.
    api.onResume(() => undefined)();
    expect(ipc.on).not.toHaveBeenCalled();
    expect(Object.keys(api.methods).sort()).toEqual([...methodNames].sort());
    for (const name of methodNames) expect(typeof api.methods[name]).toBe('function');

    await api.methods['bars.query']({ symbol: 'XAUUSD', timeframe: '1d' });
    expect(ipc.invoke).toHaveBeenLastCalledWith(ipcChannels.invoke('bars.query'), { symbol: 'XAUUSD', timeframe: '1d' });
  });

  it('passes listeners only the payload and unsubscribes', () => {
    const { ipc, emit, count } = fakeIpcRenderer();
    const api = buildMetalyticsApi(ipc);
    const progress = vi.fn();
    const finished = vi.fn();

    const stopProgress = api.on('job.progress', progress);
    const stopFinished = api.on('job.finished', finished);
    expect(count(ipcChannels.event)).toBe(1);

    const payload = { jobId: 'j1', kind: 'import', done: 5, total: 10, unit: 'rows', rate: null, etaMs: null };
    emit(ipcChannels.event, { name: 'job.progress', payload });
    expect(progress).toHaveBeenCalledTimes(1);
    expect(progress.mock.calls[0]).toEqual([payload]);
    expect(finished).not.toHaveBeenCalled();

    stopProgress();
    stopProgress();
    emit(ipcChannels.event, { name: 'job.progress', payload });
    expect(progress).toHaveBeenCalledTimes(1);
    expect(count(ipcChannels.event)).toBe(1);

    stopFinished();
    expect(count(ipcChannels.event)).toBe(0);
  });

  it('keeps delivering when one listener throws, and ignores malformed messages', () => {
    const { ipc, emit } = fakeIpcRenderer();
    const api = buildMetalyticsApi(ipc);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const healthy = vi.fn();
    api.on('bars.changed', () => {
      throw new Error('broken chart');
    });
    api.on('bars.changed', healthy);

    emit(ipcChannels.event, { name: 'bars.changed', payload: { symbol: 'XAUUSD', timeframe: '1d', from: 0, to: 1 } });
    emit(ipcChannels.event, { name: 'not.an.event', payload: {} });
    emit(ipcChannels.event, 'garbage');

    expect(healthy).toHaveBeenCalledTimes(1);
    expect(errors).toHaveBeenCalledTimes(1);
    errors.mockRestore();
  });

  it('rejects unknown event names and non-function listeners', () => {
    const { ipc } = fakeIpcRenderer();
    const api = buildMetalyticsApi(ipc);
    expect(eventNames.length).toBeGreaterThan(0);
    expect(() => api.on('secrets.leaked' as never, () => {})).toThrow(/Unknown event/);
    expect(() => api.on('job.progress', 'nope' as never)).toThrow(TypeError);
    expect(ipc.on).not.toHaveBeenCalled();
  });

  it('desktop bridge returns a picked file or null and filters menu commands', async () => {
    const { ipc, emit } = fakeIpcRenderer();
    const bridge = buildDesktopBridge(ipc, []);

    ipc.invoke.mockResolvedValueOnce({ path: '/data/xau.csv', name: 'xau.csv', extra: 'dropped' } as never);
    await expect(bridge.pickCsvFile()).resolves.toEqual({ path: '/data/xau.csv', name: 'xau.csv' });
    expect(ipc.invoke).toHaveBeenLastCalledWith(ipcChannels.pickCsvFile);
    ipc.invoke.mockResolvedValueOnce(null as never);
    await expect(bridge.pickCsvFile()).resolves.toBeNull();

    const commands = vi.fn();
    const stop = bridge.onMenuCommand(commands);
    emit(ipcChannels.menuCommand, 'import-csv');
    emit(ipcChannels.menuCommand, 'format-disk');
    expect(commands.mock.calls).toEqual([['import-csv']]);
    stop();
  });

  it('desktop bridge names the window from the id on its command line, and only a well-formed one', () => {
    const { ipc } = fakeIpcRenderer();
    expect(buildDesktopBridge(ipc, ['electron', '--type=renderer', windowIdArgument('window-2')]).windowId).toBe('window-2');
    expect(buildDesktopBridge(ipc, ['electron', '--metalytics-window-id=../../etc']).windowId).toBeNull();
    expect(buildDesktopBridge(ipc, []).windowId).toBeNull();
  });
});

describe('ipc handlers', () => {
  function setup(trusted: boolean) {
    const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>();
    const ipcMain = {
      handle: vi.fn((channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown) => {
        handlers.set(channel, listener);
      }),
      removeHandler: vi.fn((channel: string) => handlers.delete(channel)),
    };
    const invoke = vi.fn(async (_name: string, _input: unknown) => ({ ok: true as const, value: 'done' }));
    const showCsvOpenDialog = vi.fn(async () => path.resolve('/data/gold.csv'));
    const showBackupOpenDialog = vi.fn(async () => path.resolve('/data/chosen.mlbackup'));
    const showBackupFolderDialog = vi.fn(async (): Promise<string | null> => path.resolve('/data/backups-elsewhere'));
    const dispose = registerIpcHandlers({ ipcMain, invoke, isTrusted: () => trusted, showCsvOpenDialog, showBackupOpenDialog, showBackupFolderDialog, logger: silentLogger() });
    const event: InvokeEventLike = { sender: { id: 1 }, senderFrame: { url: 'file:///app/index.html', parent: null } };
    const call = (channel: string, ...args: unknown[]) => handlers.get(channel)?.(event, ...args);
    return { handlers, invoke, showCsvOpenDialog, showBackupFolderDialog, dispose, call };
  }

  it('registers one channel per contract method plus the file dialog, and removes them', () => {
    const { handlers, dispose } = setup(true);
    expect([...handlers.keys()].sort()).toEqual([...methodNames.map(ipcChannels.invoke), ipcChannels.pickCsvFile, ipcChannels.pickBackupFile, ipcChannels.chooseBackupFolder].sort());
    dispose();
    expect(handlers.size).toBe(0);
  });

  it('answers untrusted senders with an AUTH result without calling the core or a dialog', async () => {
    const { call, invoke, showCsvOpenDialog } = setup(false);
    await expect(call(ipcChannels.invoke('system.status'), {})).resolves.toMatchObject({ ok: false, error: { code: 'AUTH' } });
    await expect(call(ipcChannels.pickCsvFile)).resolves.toBeNull();
    expect(invoke).not.toHaveBeenCalled();
    expect(showCsvOpenDialog).not.toHaveBeenCalled();
  });

  it('relays trusted calls and turns a throwing core into an INTERNAL result', async () => {
    const { call, invoke } = setup(true);
    await expect(call(ipcChannels.invoke('system.status'), {})).resolves.toEqual({ ok: true, value: 'done' });
    expect(invoke).toHaveBeenCalledWith('system.status', {});
    invoke.mockRejectedValueOnce(new Error('boom'));
    await expect(call(ipcChannels.invoke('system.status'), {})).resolves.toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('lets the core read only files the user picked in the dialog', async () => {
    const { call, invoke } = setup(true);
    const input = { source: { kind: 'path', path: '/data/gold.csv' }, symbol: 'XAUUSD' };
    await expect(call(ipcChannels.invoke('import.preview'), input)).resolves.toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(invoke).not.toHaveBeenCalled();

    await expect(call(ipcChannels.pickCsvFile)).resolves.toEqual({ path: path.resolve('/data/gold.csv'), name: 'gold.csv' });
    await expect(call(ipcChannels.invoke('import.preview'), input)).resolves.toEqual({ ok: true, value: 'done' });
    const uploaded = { source: { kind: 'text', fileName: 'x.csv', text: 'a,b' }, symbol: 'XAUUSD' };
    await expect(call(ipcChannels.invoke('import.csv'), uploaded)).resolves.toEqual({ ok: true, value: 'done' });
  });

  it('exchanges model files with the window as content only and takes no backup archive path, even a file it picked', async () => {
    const { call, invoke } = setup(true);
    await call(ipcChannels.pickCsvFile);
    for (const [method, input] of [
      ['models.import', { path: '/data/gold.csv' }],
      ['models.export', { modelId: 'm1', path: '/data/gold.csv' }],
      ['backups.create', { path: '/data/gold.mlbackup' }],
      ['backups.verify', { path: '/data/gold.mlbackup' }],
    ] as const) {
      await expect(call(ipcChannels.invoke(method), input)).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect(invoke).not.toHaveBeenCalled();
    await expect(call(ipcChannels.invoke('models.import'), { content: '{}' })).resolves.toEqual({ ok: true, value: 'done' });
  });

  it('reads a backup archive the user chose in the dialog (preview, verify, restore), never writes one, and no other path', async () => {
    const { call, invoke } = setup(true);
    const chosen = path.resolve('/data/chosen.mlbackup');
    await expect(call(ipcChannels.invoke('backups.restore'), { path: chosen })).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await expect(call(ipcChannels.pickBackupFile)).resolves.toEqual({ path: chosen, name: 'chosen.mlbackup' });
    for (const method of ['backups.preview', 'backups.verify', 'backups.restore'] as const) {
      await expect(call(ipcChannels.invoke(method), { path: chosen })).resolves.toEqual({ ok: true, value: 'done' });
    }
    await expect(call(ipcChannels.invoke('backups.create'), { path: chosen })).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await expect(call(ipcChannels.invoke('backups.restore'), { path: path.resolve('/data/other.mlbackup') })).resolves.toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(invoke).toHaveBeenCalledTimes(3);
  });

  it('sets the backup folder only to one the user chose in the folder dialog, never to a path the window names', async () => {
    const { call, invoke, showBackupFolderDialog } = setup(true);
    await expect(call(ipcChannels.invoke('backups.setFolder'), { folder: '/etc' })).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(invoke).not.toHaveBeenCalled();
    await expect(call(ipcChannels.chooseBackupFolder)).resolves.toEqual({ ok: true, value: 'done' });
    expect(invoke).toHaveBeenCalledWith('backups.setFolder', { folder: path.resolve('/data/backups-elsewhere') });
    showBackupFolderDialog.mockResolvedValueOnce(null);
    await expect(call(ipcChannels.chooseBackupFolder)).resolves.toBeNull();
    expect(invoke).toHaveBeenCalledTimes(1);

    const untrusted = setup(false);
    await expect(untrusted.call(ipcChannels.chooseBackupFolder)).resolves.toMatchObject({ ok: false, error: { code: 'AUTH' } });
    expect(untrusted.showBackupFolderDialog).not.toHaveBeenCalled();
  });
});

describe('secret store', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'metalytics-secrets-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Reversible "encryption" that visibly changes the bytes, standing in for the OS keychain. */
  function fakeSafeStorage(available: boolean, backend: ReturnType<SafeStorageLike['getSelectedStorageBackend']> = 'gnome_libsecret') {
    return {
      isAsyncEncryptionAvailable: vi.fn(async () => available),
      encryptStringAsync: vi.fn(async (text: string) => Buffer.from([...Buffer.from(text)].map((byte) => byte ^ 0x5a))),
      decryptStringAsync: vi.fn(async (data: Buffer) => ({
        result: Buffer.from([...data].map((byte) => byte ^ 0x5a)).toString(),
        shouldReEncrypt: false,
      })),
      getSelectedStorageBackend: vi.fn(() => backend),
    } satisfies SafeStorageLike;
  }

  it('refuses to store a secret when encryption is unavailable and writes nothing', async () => {
    const safeStorage = fakeSafeStorage(false);
    const store = new SafeStorageSecretStore({
      safeStorage,
      backend: await detectSecretBackend(safeStorage, 'linux'),
      dataDir,
      logger: silentLogger(),
    });

    expect(store.isEncryptionAvailable()).toBe(false);
    const attempt = store.set('polygon', 'pk_live_1234567890');
    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({ code: 'UNAVAILABLE', message: encryptionUnavailableMessage });
    expect(safeStorage.encryptStringAsync).not.toHaveBeenCalled();
    await expect(stat(path.join(dataDir, 'secrets.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it("names each OS's backend and treats Linux's hard-coded basic_text key as no encryption", async () => {
    expect(await detectSecretBackend(fakeSafeStorage(true, 'basic_text'), 'linux')).toBeNull();
    expect(await detectSecretBackend(fakeSafeStorage(false, 'kwallet6'), 'linux')).toBeNull();
    expect(await detectSecretBackend(fakeSafeStorage(true, 'kwallet6'), 'linux')).toBe('kwallet6');
    expect(await detectSecretBackend(fakeSafeStorage(true, 'gnome_libsecret'), 'linux')).toBe('gnome_libsecret');
    expect(await detectSecretBackend(fakeSafeStorage(true, 'unknown'), 'darwin')).toBe('keychain');
    expect(await detectSecretBackend(fakeSafeStorage(true, 'unknown'), 'win32')).toBe('dpapi');
  });

  it('keeps only ciphertext, in a file readable by the user alone', async () => {
    const seen: string[] = [];
    const store = new SafeStorageSecretStore({
      safeStorage: fakeSafeStorage(true),
      backend: 'gnome_libsecret',
      dataDir,
      logger: silentLogger(),
      onSecretValue: (value) => seen.push(value),
    });
    await store.set('twelvedata', 'td-secret-key-0001');
    await store.set('database', 'p@ss:word');

    const file = path.join(dataDir, 'secrets.json');
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('td-secret-key-0001');
    expect(text).not.toContain('p@ss:word');
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);

    expect(await store.get('twelvedata')).toBe('td-secret-key-0001');
    await store.delete('twelvedata');
    expect(await store.get('twelvedata')).toBeUndefined();
    expect(await store.get('database')).toBe('p@ss:word');
    expect(seen).toContain('td-secret-key-0001');
  });
});

describe('logging and configuration', () => {
  it('masks URL passwords, secret-named fields and registered secret values', () => {
    const redactor = new Redactor();
    redactor.addSecret('pk_live_ABCDEF123456');
    expect(redactor.text('connect postgres://metal:hunter2@db:5432/m failed')).toBe('connect postgres://metal:[redacted]@db:5432/m failed');
    expect(redactor.value({ apiKey: 'x', nested: { password: 'y', note: 'key pk_live_ABCDEF123456 rejected' } })).toEqual({
      apiKey: '[redacted]',
      nested: { password: '[redacted]', note: 'key [redacted] rejected' },
    });
  });

  it('adds the database secret to the Settings URL; the environment URL wins', () => {
    expect(resolveDatabaseUrl({ environmentUrl: undefined, settingsUrl: undefined, password: 'x' })).toBeUndefined();
    expect(resolveDatabaseUrl({ environmentUrl: undefined, settingsUrl: 'postgres://metal@db:5432/m', password: 'p@ss/w' })).toBe(
      'postgres://metal:p%40ss%2Fw@db:5432/m',
    );
    expect(resolveDatabaseUrl({ environmentUrl: 'postgres://env@h/m', settingsUrl: 'postgres://s@h/m', password: 'x' })).toBe('postgres://env@h/m');
    expect(() => resolveDatabaseUrl({ environmentUrl: undefined, settingsUrl: 'db server', password: undefined })).toThrow();
  });

  it('allows inline code and WebSockets only in development', () => {
    const production = contentSecurityPolicy('production');
    expect(production).toContain("script-src 'self'");
    expect(production).toContain("default-src 'none'");
    expect(production).not.toMatch(/script-src[^;]*unsafe-inline|unsafe-eval|ws:/);
    const development = contentSecurityPolicy('development');
    expect(development).toContain('ws://localhost:*');
    expect(development).not.toContain('unsafe-eval');
  });
});

describe('import boundaries (eslint.config.js)', () => {
  const eslint = new ESLint({ cwd: repoRoot });

  async function restrictedImports(code: string, filePath: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, filePath) });
    return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
  }

  it.each([
    ["import { app } from 'electron';\nexport const name = app.name;\n", 'src/core/boundary-probe.ts'],
    ["import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n", 'src/shared/boundary-probe.ts'],
    ["import { readFile } from 'node:fs/promises';\nexport const x = readFile;\n", 'src/shared/boundary-probe.ts'],
    ["import type { Core } from '../core/create-core';\nexport type X = Core;\n", 'src/shared/boundary-probe.ts'],
    ["import fs from 'fs';\nexport const x = fs;\n", 'src/renderer/src/boundary-probe.ts'],
    ["import path from 'node:path';\nexport const x = path;\n", 'src/renderer/src/boundary-probe.ts'],
    ["import { shell } from 'electron';\nexport const x = shell;\n", 'src/renderer/src/boundary-probe.ts'],
    ["import { createCore } from '../../../core/create-core';\nexport const x = createCore;\n", 'src/renderer/src/api/boundary-probe.ts'],
    ["import { openExternalSafely } from '../../main/security';\nexport const x = openExternalSafely;\n", 'src/renderer/src/boundary-probe.ts'],
    ["import { z } from 'zod';\nexport const x = z;\n", 'src/preload/boundary-probe.ts'],
    ["import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", 'src/preload/boundary-probe.ts'],
    ["import { createCore } from '../core/create-core';\nexport const x = createCore;\n", 'src/preload/boundary-probe.ts'],
    ["import type { Core } from '../create-core';\nexport type X = Core;\n", 'src/core/system/boundary-probe.ts'],
    ["import { App } from '../../app/app';\nexport const x = App;\n", 'src/renderer/src/features/markets/boundary-probe.ts'],
    ["import { MarketsScreen } from '../features/markets/markets-screen';\nexport const x = MarketsScreen;\n", 'src/renderer/src/charts/boundary-probe.ts'],
    ["import { PriceChart } from '../charts/price-chart';\nexport const x = PriceChart;\n", 'src/renderer/src/ui/boundary-probe.ts'],
    ["import { useSettings } from '../ui/settings-context';\nexport const x = useSettings;\n", 'src/renderer/src/api/boundary-probe.ts'],
  ])('reports %j in %s', async (code, filePath) => {
    expect(await restrictedImports(code, filePath)).toHaveLength(1);
  });

  it.each([
    ["import { app } from 'electron';\nexport const x = app;\n", 'src/main/boundary-probe.ts'],
    ["import { contextBridge } from 'electron';\nimport { methodNames } from '../shared/contract';\nimport { x } from './build-api';\nexport const y = [contextBridge, methodNames, x];\n", 'src/preload/boundary-probe.ts'],
    ["import { methods } from '../../../shared/contract';\nexport const x = methods;\n", 'src/renderer/src/api/boundary-probe.ts'],
    ["import { z } from 'zod';\nimport { AppError } from '../../shared/errors';\nexport const x = [z, AppError];\n", 'src/core/storage/boundary-probe.ts'],
    ["import type { CoreContext } from '../context';\nexport type X = CoreContext;\n", 'src/core/system/boundary-probe.ts'],
    ["import { createCore } from '../core/create-core';\nexport const x = createCore;\n", 'src/cli/boundary-probe.ts'],
    ["import { PriceChart } from '../../charts/price-chart';\nimport { useSettings } from '../../ui/settings-context';\nexport const x = [PriceChart, useSettings];\n", 'src/renderer/src/features/markets/boundary-probe.ts'],
  ])('allows %j in %s', async (code, filePath) => {
    expect(await restrictedImports(code, filePath)).toEqual([]);
  });
});
