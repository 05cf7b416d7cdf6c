import path from 'node:path';

/**
 * Where the SQL migrations are: beside the sources in development and `npm start`, and in
 * the packaged app's resources (electron-builder `extraResources`), outside the asar archive.
 */
export function migrationsDir(runtime: { isPackaged: boolean; appPath: string; resourcesPath: string }): string {
  return runtime.isPackaged
    ? path.join(runtime.resourcesPath, 'db', 'migrations')
    : path.join(runtime.appPath, 'db', 'migrations');
}

/**
 * better-sqlite3 built for Electron's ABI by scripts/ensure-electron-native.mjs, which uses
 * the same folder name; the in-place build stays on Node's ABI for the tests.
 */
export function electronSqliteBindingPath(appPath: string, runtime: { electron: string; platform: string; arch: string }): string {
  return path.join(
    appPath,
    'node_modules',
    '.cache',
    'metalytics-native',
    `electron-${runtime.electron}-${runtime.platform}-${runtime.arch}`,
    'better_sqlite3.node',
  );
}
