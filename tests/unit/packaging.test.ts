/**
 * The desktop packages (electron-builder.yml) cannot be built here: electron-builder downloads
 * the Electron binary for each target. These checks read the configuration instead and match
 * its globs against the real files: what goes into app.asar, what is unpacked beside it so it
 * can be loaded by path (native modules, the tfjs wasm binaries), and what the code expects of
 * that layout. The fuses are checked in electron-fuses.test.ts.
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { unpackedFromAsar, wasmBinaryFolder } from '../../src/core/models/tfjs/backend';
import { migrationsDir } from '../../src/main/runtime-paths';
import { importDevModule } from '../support/dev-module';

interface YamlModule {
  parse(text: string): unknown;
}

interface BuilderConfig {
  directories: { buildResources: string };
  files: string[];
  asarUnpack: string[];
  npmRebuild?: boolean;
  extraResources: Array<{ from: string; to: string; filter: string[] }>;
  linux: { target: string[]; icon: string };
  mac: { target: string; icon: string };
  win: { target: string; icon: string };
}

const yaml = await importDevModule<YamlModule>('yaml');
const repoRoot = path.resolve(import.meta.dirname, '../..');
const config = yaml ? (yaml.parse(readFileSync(path.join(repoRoot, 'electron-builder.yml'), 'utf8')) as BuilderConfig) : undefined;

/** electron-builder's `files` semantics: a path goes in when a pattern takes it and no `!` pattern drops it. */
function inAsar(file: string): boolean {
  const patterns = config!.files;
  return (
    patterns.some((pattern) => !pattern.startsWith('!') && path.matchesGlob(file, pattern)) &&
    !patterns.some((pattern) => pattern.startsWith('!') && path.matchesGlob(file, pattern.slice(1)))
  );
}

function unpacked(file: string): boolean {
  return config!.asarUnpack.some((pattern) => path.matchesGlob(file, pattern));
}

/** Repository files below `folder`, relative to the root with forward slashes as in the globs. */
function filesUnder(folder: string): string[] {
  return readdirSync(path.join(repoRoot, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(repoRoot, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

/** The worker threads the code starts, as its `workerScript` calls name their built entries. */
function workerEntries(): string[] {
  return filesUnder('src')
    .filter((file) => file.endsWith('.ts'))
    .flatMap((file) => [...readFileSync(path.join(repoRoot, file), 'utf8').matchAll(/workerScript\([^)]*built: '([\w-]+)'/g)].map((match) => match[1]!));
}

const packageJson = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe.skipIf(!config)('desktop packaging configuration', () => {
  it('builds Linux AppImage and deb, macOS dmg and Windows nsis', () => {
    expect(config!.linux.target).toEqual(['AppImage', 'deb']);
    expect(config!.mac.target).toBe('dmg');
    expect(config!.win.target).toBe('nsis');
  });

  it('rebuilds better-sqlite3 for Electron and unpacks its binary from the archive', () => {
    expect(config!.npmRebuild ?? true).toBe(true);
    // Only dependencies are shipped (and rebuilt); electron-builder refuses electron among them.
    expect(packageJson.dependencies['better-sqlite3']).toBeDefined();
    expect(packageJson.devDependencies.electron).toBeDefined();
    const natives = filesUnder('node_modules/better-sqlite3/build/Release').filter((file) => file.endsWith('.node'));
    expect(natives).toContain('node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    for (const native of natives) expect(unpacked(native), native).toBe(true);
  });

  it('unpacks every tfjs wasm binary, at the folder the model worker reads them from', () => {
    const wasmPackage = 'node_modules/@tensorflow/tfjs-backend-wasm';
    expect(packageJson.dependencies['@tensorflow/tfjs-backend-wasm']).toBeDefined();
    const binaries = filesUnder(`${wasmPackage}/dist`).filter((file) => file.endsWith('.wasm'));
    expect(binaries.length).toBeGreaterThan(0);
    for (const binary of binaries) expect(unpacked(binary), binary).toBe(true);

    // From source the folder is the installed package's dist; packaged, the unpacked copy beside app.asar.
    expect(realpathSync(wasmBinaryFolder())).toBe(realpathSync(path.join(repoRoot, wasmPackage, 'dist')));
    const resources = path.join(path.sep, 'opt', 'Metalytics', 'resources');
    expect(wasmBinaryFolder(path.join(resources, 'app.asar', wasmPackage, 'package.json'))).toBe(
      path.join(resources, 'app.asar.unpacked', wasmPackage, 'dist') + path.sep,
    );
  });

  it('maps only a path inside app.asar to app.asar.unpacked, with either separator', () => {
    expect(unpackedFromAsar('C:\\Program Files\\Metalytics\\resources\\app.asar\\node_modules\\x.wasm')).toBe(
      'C:\\Program Files\\Metalytics\\resources\\app.asar.unpacked\\node_modules\\x.wasm',
    );
    expect(unpackedFromAsar('/opt/Metalytics/resources/app.asar.unpacked/x.wasm')).toBe('/opt/Metalytics/resources/app.asar.unpacked/x.wasm');
    expect(unpackedFromAsar('/home/trader/metalytics/node_modules/x.wasm')).toBe('/home/trader/metalytics/node_modules/x.wasm');
    expect(unpackedFromAsar('/srv/myapp.asar/x.wasm')).toBe('/srv/myapp.asar/x.wasm');
  });

  it('packs every worker thread in the archive beside its node_modules, as a build entry', () => {
    const workers = workerEntries();
    expect(workers.sort()).toEqual(['database-digest', 'model-worker', 'sqlite-online-copy']);
    const viteConfig = readFileSync(path.join(repoRoot, 'electron.vite.config.ts'), 'utf8');
    for (const worker of workers) {
      expect(viteConfig).toContain(`'${worker}': resolve(`);
      const script = `out/main/${worker}.js`;
      expect(inAsar(script), script).toBe(true);
      // Unpacked alone, a worker's bare imports (@tensorflow/tfjs, better-sqlite3) would no longer find app.asar/node_modules.
      expect(unpacked(script), script).toBe(false);
    }
  });

  it('ships the built app and package.json, and no sources, tests, docs or source maps', () => {
    for (const file of ['package.json', 'out/main/index.js', 'out/main/cli.js', 'out/main/chunks/protocol.js', 'out/preload/index.cjs', 'out/renderer/index.html']) {
      expect(inAsar(file), file).toBe(true);
    }
    for (const file of ['out/main/index.js.map', 'out/renderer/assets/index.js.map']) expect(inAsar(file), file).toBe(false);
    const repositoryFiles = ['src', 'tests', 'docs', 'scripts', 'db', 'bin', 'resources'].flatMap(filesUnder);
    expect(repositoryFiles.filter((file) => file.startsWith('docs/') && file.endsWith('.png')).length).toBeGreaterThan(0);
    expect(repositoryFiles.filter(inAsar)).toEqual([]);
    if (existsSync(path.join(repoRoot, 'out'))) {
      const built = filesUnder('out');
      expect(built.filter((file) => inAsar(file) === file.endsWith('.map'))).toEqual([]);
    }
  });

  it('ships the migrations outside the archive, where the main process looks for them', () => {
    expect(config!.extraResources).toContainEqual({ from: 'db/migrations', to: 'db/migrations', filter: ['**/*'] });
    const resources = path.join(path.sep, 'opt', 'Metalytics', 'resources');
    const packaged = migrationsDir({ isPackaged: true, appPath: path.join(resources, 'app.asar'), resourcesPath: resources });
    expect(packaged).toBe(path.join(resources, 'db/migrations'));
  });

  it('gives every target the 512×512 app icon in resources/', () => {
    expect(config!.directories.buildResources).toBe('resources');
    for (const platform of [config!.linux, config!.mac, config!.win]) expect(platform.icon).toBe('resources/icon.png');
    const png = readFileSync(path.join(repoRoot, 'resources/icon.png'));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.toString('ascii', 12, 16)).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([512, 512]);
  });
});
