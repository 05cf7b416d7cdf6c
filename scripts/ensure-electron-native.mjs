#!/usr/bin/env node
/**
 * Makes sure an Electron build of better-sqlite3 exists before `npm start` / `npm run dev`.
 *
 * The tests run under plain Node and load node_modules/better-sqlite3/build/Release built for
 * Node's ABI, so that build is never touched. Instead the package is copied to a temporary
 * folder, built there for Electron (a prebuilt binary via prebuild-install, else a source
 * build with node-gyp against Electron's headers) and the result is cached in
 *   node_modules/.cache/metalytics-native/electron-<version>-<platform>-<arch>/better_sqlite3.node
 * The main process hands that path to the storage code in its configuration (sqliteNativeBinding)
 * (see src/main/runtime-paths.ts, which must use the same folder name).
 *
 * Exit codes: 0 when the binding is ready or its build was skipped for want of network (the app
 * starts, but cannot open SQLite until a later start builds it); 1 when the network was there
 * but the build failed; 2 when the Electron binary is missing, so the app cannot start here and
 * `npm start` / `npm run dev` end with this script's message rather than electron-vite's.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ELECTRON_HEADERS_URL = 'https://electronjs.org/headers';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const requireFromRoot = createRequire(path.join(root, 'package.json'));

const ELECTRON_MISSING_EXIT_CODE = 2;

const log = (message) => console.log(`[native] ${message}`);
const warn = (message) => console.warn(`[native] ${message}`);

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/**
 * The Electron executable, found the way the electron package finds it but without
 * `require('electron')`, which in Electron 45 starts a download when the binary is missing.
 */
function electronBinaryPath(electronDir) {
  const pathFile = path.join(electronDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) return path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron');
  return relative ? path.join(electronDir, 'dist', relative) : null;
}

/**
 * Electron 45 installs its binary lazily (on first use, or with its `install-electron` bin);
 * fetch it now so the app can start right after this step. Without it the app cannot run
 * here, so the native build is skipped rather than failed.
 */
function ensureElectronBinary(electronDir, electronVersion) {
  const present = () => {
    const binary = electronBinaryPath(electronDir);
    return binary !== null && existsSync(binary);
  };
  if (present()) return true;
  if (!process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    log(`Downloading the Electron ${electronVersion} binary…`);
    const installed = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], { stdio: 'inherit' });
    if (installed.status === 0 && present()) return true;
  }
  warn(`The Electron ${electronVersion} binary is not installed${process.env.ELECTRON_SKIP_BINARY_DOWNLOAD ? ' (ELECTRON_SKIP_BINARY_DOWNLOAD is set)' : ' and could not be downloaded'},`);
  warn('so the desktop app cannot start on this machine.');
  warn('With network access, run `npx install-electron` and then `npm start` again; `npm run serve` runs the app in a browser without Electron.');
  return false;
}

/** node-gyp ships inside npm; look where npm says it is, then beside the running Node. */
function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  if (process.env.npm_execpath) {
    try {
      candidates.push(createRequire(process.env.npm_execpath).resolve('node-gyp/bin/node-gyp.js'));
    } catch {
      // npm_execpath may point at another package manager; try the next place.
    }
  }
  const nodePrefix = path.dirname(path.dirname(process.execPath));
  candidates.push(
    path.join(nodePrefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(path.dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  );
  try {
    candidates.push(requireFromRoot.resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // Not installed in the project; npm's copy is the usual one.
  }
  return candidates.find((candidate) => existsSync(candidate)) ?? null;
}

/**
 * The environment for both build tools: npm exports its config as npm_config_* variables, and
 * some of them (nodedir, build_from_source, a Node target) would silently build for Node's ABI.
 */
function electronBuildEnv(electronVersion, arch) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^npm_config_(nodedir|target|runtime|disturl|dist_url|arch|build_from_source)$/i.test(key)) delete env[key];
  }
  return {
    ...env,
    npm_config_runtime: 'electron',
    npm_config_target: electronVersion,
    npm_config_disturl: ELECTRON_HEADERS_URL,
    npm_config_arch: arch,
  };
}

function run(command, args, options) {
  const result = spawnSync(command, args, { ...options, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  return { ok: result.status === 0, output: result.error ? String(result.error) : output };
}

function tail(text, lines = 25) {
  return text.split('\n').slice(-lines).join('\n');
}

/** Whether Electron's header server answers at all, to tell "offline" from "the build failed". */
async function canReachHeaders(electronVersion) {
  try {
    const response = await fetch(`${ELECTRON_HEADERS_URL}/v${electronVersion}/SHASUMS256.txt`, {
      method: 'HEAD',
      signal: AbortSignal.timeout(8000),
    });
    return response.status < 500;
  } catch {
    return false;
  }
}

async function main() {
  const electronPackage = requireFromRoot.resolve('electron/package.json');
  const electronVersion = readJson(electronPackage).version;
  const sqlitePackageFile = requireFromRoot.resolve('better-sqlite3/package.json');
  const sqliteDir = path.dirname(sqlitePackageFile);
  const sqliteVersion = readJson(sqlitePackageFile).version;
  const { platform, arch } = process;

  const cacheDir = path.join(root, 'node_modules', '.cache', 'metalytics-native', `electron-${electronVersion}-${platform}-${arch}`);
  const bindingFile = path.join(cacheDir, 'better_sqlite3.node');
  const infoFile = path.join(cacheDir, 'build-info.json');

  // The binding must match the JavaScript half of better-sqlite3, so an upgrade rebuilds it.
  if (existsSync(bindingFile) && existsSync(infoFile) && readJson(infoFile).betterSqlite3 === sqliteVersion) {
    log(`better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} is ready (${path.relative(root, bindingFile)})`);
    return 0;
  }

  if (!ensureElectronBinary(path.dirname(electronPackage), electronVersion)) return ELECTRON_MISSING_EXIT_CODE;

  log(`Preparing better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (${platform}-${arch}); the Node build used by the tests stays as it is.`);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'metalytics-native-'));
  const buildDir = path.join(workDir, 'better-sqlite3');
  const env = electronBuildEnv(electronVersion, arch);
  const failures = [];
  try {
    cpSync(sqliteDir, buildDir, {
      recursive: true,
      filter: (source) => path.relative(sqliteDir, source).split(path.sep)[0] !== 'build',
    });
    const builtFile = path.join(buildDir, 'build', 'Release', 'better_sqlite3.node');

    log('Downloading a prebuilt binary…');
    const prebuildInstall = createRequire(sqlitePackageFile).resolve('prebuild-install/bin.js');
    const prebuilt = run(
      process.execPath,
      [prebuildInstall, '--runtime', 'electron', '--target', electronVersion, '--arch', arch, '--platform', platform],
      { cwd: buildDir, env },
    );
    let built = prebuilt.ok && existsSync(builtFile);
    if (!built) {
      failures.push(`prebuild-install: ${tail(prebuilt.output, 8) || 'no binary produced'}`);
      const nodeGyp = findNodeGyp();
      if (!nodeGyp) {
        failures.push('node-gyp: not found (it ships with npm; run this script through `npm start`)');
      } else {
        log('No prebuilt binary; compiling from source against Electron headers (a minute or two)…');
        const compiled = run(
          process.execPath,
          [nodeGyp, 'rebuild', '--release', `--target=${electronVersion}`, `--arch=${arch}`, `--dist-url=${ELECTRON_HEADERS_URL}`, '--runtime=electron'],
          { cwd: buildDir, env },
        );
        built = compiled.ok && existsSync(builtFile);
        if (!built) failures.push(`node-gyp: ${tail(compiled.output) || 'no binary produced'}`);
      }
    }

    if (built) {
      mkdirSync(cacheDir, { recursive: true });
      // Copy then rename, so a concurrent start never loads a half-written binary.
      const partial = `${bindingFile}.${process.pid}.partial`;
      copyFileSync(builtFile, partial);
      renameSync(partial, bindingFile);
      writeFileSync(infoFile, `${JSON.stringify({ betterSqlite3: sqliteVersion, electron: electronVersion, platform, arch }, null, 2)}\n`);
      log(`Done: ${path.relative(root, bindingFile)}`);
      return 0;
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }

  if (!(await canReachHeaders(electronVersion))) {
    warn('Could not build better-sqlite3 for Electron: no network connection to download a binary or Electron headers.');
    warn('Skipping for now; the app cannot open its SQLite database until `npm start` runs once with network access.');
    return 0;
  }
  console.error('[native] Could not build better-sqlite3 for Electron.');
  for (const failure of failures) console.error(`[native] ${failure.split('\n').join('\n[native]   ')}`);
  console.error('[native] A source build needs Python 3 and a C++ compiler (build-essential, Xcode CLT or Visual Studio Build Tools).');
  return 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`[native] Unexpected failure: ${error instanceof Error ? error.stack : String(error)}`);
    process.exitCode = 1;
  },
);
