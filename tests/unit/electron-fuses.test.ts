/**
 * The packaged desktop app flips Electron's fuses (electron-builder.yml, `electronFuses`), so
 * the signed binary cannot be used as a Node runtime, debugged through arguments or
 * NODE_OPTIONS, or made to load an app from outside its checked app.asar.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importDevModule } from '../support/dev-module';

interface YamlModule {
  parse(text: string): unknown;
}

const yaml = await importDevModule<YamlModule>('yaml');
const configFile = path.resolve(import.meta.dirname, '../../electron-builder.yml');

/** Every fuse electron-builder's `electronFuses` sets, with the value a packaged Metalytics needs; matched exactly, so a fuse added later is a decision made here too. */
const requiredFuses = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableCookieEncryption: true,
  onlyLoadAppFromAsar: true,
  enableEmbeddedAsarIntegrityValidation: true,
  loadBrowserProcessSpecificV8Snapshot: false,
  // The file:// renderer loads an ES module; see the comment in electron-builder.yml.
  grantFileProtocolExtraPrivileges: true,
};

describe.skipIf(!yaml)('Electron fuses of the packaged app', () => {
  it('sets every fuse as required, and nothing it does not know', async () => {
    const config = yaml!.parse(await readFile(configFile, 'utf8')) as Record<string, unknown>;
    expect(config.electronFuses).toEqual(requiredFuses);
  });

  it('keeps the app in an asar archive with its integrity hash, so the asar fuses mean something', async () => {
    const config = yaml!.parse(await readFile(configFile, 'utf8')) as Record<string, unknown>;
    const asar = config.asar;
    expect(asar === undefined || asar === true || (typeof asar === 'object' && asar !== null)).toBe(true);
    if (typeof asar === 'object' && asar !== null) expect((asar as Record<string, unknown>).disableIntegrity).not.toBe(true);
    // Only what must be read by path leaves the archive (tests/unit/packaging.test.ts says which).
    expect(config.asarUnpack).toEqual(['**/*.node', 'node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm']);
  });
});
