import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve } from 'node:path';
import type { Logger } from '../core/ports';
import { sendText } from './http-replies';
import { isInside } from './import-upload';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

export type StaticFilesRoute = (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<void>;

/**
 * Serves the built renderer from `staticDir` (absent or missing means API only): files below
 * it only, never through a symlink that leads out, content-hashed assets cached for good.
 */
export async function createStaticFilesRoute(staticDir: string | undefined, logger: Logger): Promise<StaticFilesRoute> {
  const staticRoot = staticDir ? await realpath(resolve(staticDir)).catch(() => undefined) : undefined;
  return async (req, res, pathname) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, 'Method not allowed.\n', { Allow: 'GET, HEAD' });
      return;
    }
    if (!staticRoot) {
      sendText(res, 404, 'Not found. The web UI is not built: run `npm run build`, then restart `metalytics serve`.\n');
      return;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      sendText(res, 400, 'Bad request: the path is not valid URL encoding.\n');
      return;
    }
    const notFound = () => sendText(res, 404, `Not found: ${pathname}\n`);
    if (decoded.includes('\0')) return notFound();
    const requested = resolve(staticRoot, `.${decoded === '/' ? '/index.html' : decoded}`);
    // The folder itself resolves to index.html above, so only files below it are served.
    const inside = (file: string) => isInside(staticRoot, file);
    if (!inside(requested)) return notFound();
    // A symlink inside the folder could still point outside it.
    const file = await realpath(requested).catch(() => undefined);
    if (!file || !inside(file)) return notFound();
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return notFound();

    const hashedAsset = decoded.startsWith('/assets/');
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': info.size,
      // Vite names assets by content hash; index.html must be revalidated to pick up a new build.
      'Cache-Control': hashedAsset ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(file);
    stream.on('error', (error) => {
      logger.warn('could not read a static file', { file, error: error.message });
      res.destroy();
    });
    stream.pipe(res);
  };
}
