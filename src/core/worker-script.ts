import { existsSync } from 'node:fs';

/**
 * How to start a worker thread whose entry is `entry` (a name without extension) beside the
 * module at `clientUrl`. electron-vite builds each thread as a main entry beside the bundle
 * that holds its client (out/main/<entry>.js, or one folder up when the client lands in
 * out/main/chunks/). From source (tsx, vitest) both are TypeScript: the thread starts from a
 * line of JavaScript that loads its entry through tsx's `tsImport`, because Node 20 does not
 * apply a `--import tsx` loader to a worker's own modules.
 */
export function workerScript(clientUrl: string, entry: { source: string; built: string }): { script: URL | string; eval: boolean } {
  if (clientUrl.endsWith('.ts')) {
    const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
    const source = JSON.stringify(new URL(`./${entry.source}.ts`, clientUrl).href);
    return { script: `import(${tsx}).then(({ tsImport }) => tsImport(${source}, ${JSON.stringify(clientUrl)}));`, eval: true };
  }
  const beside = new URL(`./${entry.built}.js`, clientUrl);
  return { script: existsSync(beside) ? beside : new URL(`../${entry.built}.js`, clientUrl), eval: false };
}
