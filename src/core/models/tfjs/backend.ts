import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { tfjsBackends, type TfjsBackend } from './backend-names';

export interface BackendChoice {
  backend: TfjsBackend;
  /** The faster backends tried first and why each could not be used. */
  skipped: Array<{ backend: TfjsBackend; reason: string }>;
}

/** Makes one backend available to tfjs; rejects with the reason it cannot be. */
export type BackendLoader = () => Promise<void>;

/**
 * tfjs-node is an optionalDependency that fails to install on some machines (its libtensorflow
 * download), so it is imported by a name TypeScript and the bundler leave alone, and a missing
 * package is an ordinary fallback. It registers the 'tensorflow' backend on the same tfjs-core.
 */
const TFJS_NODE = '@tensorflow/tfjs-node';

/**
 * The folder of the .wasm binaries, resolved from the package rather than from the calling
 * script, so it holds from source and from the electron-vite bundle (where the package stays
 * in node_modules) alike; Emscripten reads the file from there with fs. In the packaged app
 * the package resolves inside app.asar, while the binaries themselves are unpacked
 * (electron-builder.yml `asarUnpack`) so that the read does not depend on Electron's asar
 * support in this worker thread.
 */
export function wasmBinaryFolder(packageJson = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')): string {
  return unpackedFromAsar(path.join(path.dirname(packageJson), 'dist') + path.sep);
}

/** The path electron-builder gives a file of app.asar that `asarUnpack` took out of the archive; other paths unchanged. */
export function unpackedFromAsar(file: string): string {
  return file.replace(/([\\/])app\.asar(?=[\\/])/, '$1app.asar.unpacked');
}

let wasmPathsSet = false;

export const defaultLoaders: Record<TfjsBackend, BackendLoader> = {
  tensorflow: async () => {
    await import(/* @vite-ignore */ TFJS_NODE);
  },
  wasm: async () => {
    // setWasmPaths throws once the backend has initialised, which a second selection in the same thread would do.
    if (!wasmPathsSet) setWasmPaths(wasmBinaryFolder());
    wasmPathsSet = true;
    // The threaded build starts its helpers from Blob URLs, which Node's and Electron's worker threads cannot load.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  },
  cpu: async () => undefined,
};

/**
 * Settles tfjs on the fastest backend that works here: tfjs-node, then wasm, then cpu.
 * `preferred` starts the chain further down (the METALYTICS_TFJS_BACKEND override, and the
 * bench measuring each backend); cpu always works.
 */
export async function selectBackend(
  preferred: TfjsBackend = 'tensorflow',
  loaders: Record<TfjsBackend, BackendLoader> = defaultLoaders,
): Promise<BackendChoice> {
  const skipped: BackendChoice['skipped'] = [];
  for (const backend of tfjsBackends.slice(tfjsBackends.indexOf(preferred))) {
    try {
      await loaders[backend]();
      if (!(await tf.setBackend(backend))) throw new Error(`tfjs could not initialise the ${backend} backend`);
      await tf.ready();
      return { backend, skipped };
    } catch (error) {
      skipped.push({ backend, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  throw new Error(`No tfjs backend could start: ${skipped.map(({ backend, reason }) => `${backend}: ${reason}`).join('; ')}`);
}
