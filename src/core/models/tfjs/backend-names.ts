import type { TrainingBackend } from '../../../shared/models';

/**
 * The tfjs backends, fastest first: native libtensorflow, WebAssembly with SIMD, plain
 * JavaScript. Apart from backend.ts so that the main thread can check a name without loading tfjs.
 */
export const tfjsBackends = ['tensorflow', 'wasm', 'cpu'] as const satisfies readonly TrainingBackend[];
export type TfjsBackend = (typeof tfjsBackends)[number];

export function isTfjsBackend(value: string): value is TfjsBackend {
  return (tfjsBackends as readonly string[]).includes(value);
}
