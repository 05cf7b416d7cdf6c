import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Environment } from '../../src/core/config/environment';
import { configFromEnvironment } from '../../src/core/config/runtime-config';
import { createCore, type Core } from '../../src/core/create-core';
import type { InvokeOptions } from '../../src/core/invoke';
import type { CorePorts, SecretStore, SettingsStore } from '../../src/core/ports';
import type { MethodInput, MethodName, MethodOutput } from '../../src/shared/contract';
import type { SecretName } from '../../src/shared/domain';
import type { ErrorPayload } from '../../src/shared/errors';
import { realDataPath, type RealDataFile } from './real-data';
import { silentLogger } from './silent-logger';


/** Secrets in a Map: tests exercise the core, not where a shell keeps its keys. */
export function memorySecretStore(): SecretStore {
  const values = new Map<SecretName, string>();
  return {
    isEncryptionAvailable: () => true,
    get: async (name) => values.get(name),
    set: async (name, value) => {
      values.set(name, value);
    },
    delete: async (name) => {
      values.delete(name);
    },
  };
}

export function memorySettingsStore(): SettingsStore {
  let stored: unknown;
  return {
    read: async () => structuredClone(stored),
    write: async (settings) => {
      stored = structuredClone(settings);
    },
  };
}

/** Calls a method through `invoke`, as a transport would, and returns its value; throws the contract error. */
export async function invokeOk<M extends MethodName>(core: Core, method: M, input?: MethodInput<M>): Promise<MethodOutput<M>> {
  const result = await core.invoke(method, input);
  if (!result.ok) throw new Error(`${method} failed: ${result.error.code} ${result.error.message}`);
  return result.value as MethodOutput<M>;
}

/** Calls a method that is expected to fail and returns its contract error. */
export async function invokeFailure<M extends MethodName>(core: Core, method: M, input?: MethodInput<M>): Promise<ErrorPayload> {
  const result = await core.invoke(method, input);
  if (result.ok) throw new Error(`${method} succeeded but was expected to fail`);
  return result.error;
}

export interface TestCore {
  core: Core;
  /** A fresh temporary folder holding the SQLite database; removed by `cleanup`. */
  dataDir: string;
  /** Calls a method through `invoke`, as a transport would; throws the contract error's code and message. */
  call<M extends MethodName>(method: M, input?: MethodInput<M>): Promise<MethodOutput<M>>;
  /** Imports one of the shared real price files (read in place) into `symbol`. */
  importRealFile(file: RealDataFile, symbol: string): Promise<MethodOutput<'import.csv'>>;
  /** Closes the core and deletes the data folder. */
  cleanup(): Promise<void>;
}

export interface TestCoreOptions extends Partial<Omit<CorePorts, 'config'>> {
  /** Postgres instead of SQLite in the temporary folder. */
  databaseUrl?: string;
  /** Variables a shell would read, resolved into the configuration as a shell resolves them. */
  environment?: Environment;
}

/** The ports a test core gets: the data folder (Postgres instead when `databaseUrl` is given), in-memory secrets and settings, no log output. */
export function testPorts(dataDir: string, { databaseUrl, environment = {}, ...overrides }: TestCoreOptions = {}): CorePorts {
  return {
    config: { ...configFromEnvironment(environment), dataDir, databaseUrl },
    appVersion: '0.0.0-test',
    secrets: memorySecretStore(),
    settings: memorySettingsStore(),
    logger: silentLogger(),
    ...overrides,
  };
}

/** A real core on SQLite in a temporary folder, with in-memory secrets and settings and no log output. */
export async function createTestCore(
  options: TestCoreOptions = {},
  invokeOptions: InvokeOptions = { validateOutput: true },
): Promise<TestCore> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'metalytics-test-'));
  let core: Core;
  try {
    core = await createCore(testPorts(dataDir, options), invokeOptions);
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  let cleaned = false;
  const call = <M extends MethodName>(method: M, input?: MethodInput<M>) => invokeOk(core, method, input);
  return {
    core,
    dataDir,
    call,
    importRealFile: (file, symbol) => call('import.csv', { source: { kind: 'path', path: realDataPath(file) }, symbol }),
    cleanup: async () => {
      if (cleaned) return;
      cleaned = true;
      await core.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
