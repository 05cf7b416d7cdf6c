import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The Metalytics package folder, the nearest one above this module that holds package.json:
 * two levels up from source (src/cli), two or three from the build (out/main, or
 * out/main/chunks where the bundler may place this module).
 */
function findPackageRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No package.json above ${start}: the Metalytics install is incomplete.`);
  }
}

const packageRoot = findPackageRoot();

/** Where `electron-vite build` writes the renderer that `serve` hands out. */
export const rendererDir = join(packageRoot, 'out', 'renderer');

export function readAppVersion(): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version?: string };
  return manifest.version ?? '0.0.0';
}
