import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { contentSecurityPolicy } from './src/shared/content-security-policy';

const cspMetaPattern = /<meta\s+http-equiv=["']Content-Security-Policy["'][^>]*>\s*/gi;

/**
 * Writes the renderer's Content-Security-Policy into index.html: the production policy in
 * the build (file:// pages have no headers to carry it), the development one on the dev
 * server. A policy typed into index.html by hand is replaced, so there is only ever one.
 */
function contentSecurityPolicyMeta(): Plugin {
  return {
    name: 'metalytics:content-security-policy',
    transformIndexHtml(html, context) {
      const policy = contentSecurityPolicy(context.server ? 'development' : 'production');
      return {
        html: html.replace(cspMetaPattern, ''),
        tags: [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: policy }, injectTo: 'head-prepend' }],
      };
    },
  };
}

export default defineConfig({
  main: {
    build: {
      // package.json dependencies stay runtime imports from node_modules (native modules such
      // as better-sqlite3 cannot be bundled; electron-builder ships and rebuilds them), except
      // the pure-JS ones listed: bundled, since resolving their many small ESM files costs the
      // CLI more start-up time than running them.
      externalizeDeps: { exclude: ['zod', 'drizzle-orm', 'commander', 'croner', 'papaparse', 'ws', 'pg', 'jstat'] },
      // Worker threads are entries of their own, started from beside the bundle that holds their
      // client: out/main/model-worker.js (src/core/models/worker/model-worker-client.ts),
      // out/main/database-digest.js (src/core/backups/database-digest.ts) and
      // out/main/sqlite-online-copy.js (src/core/storage/sqlite-storage.ts).
      rolldownOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          cli: resolve('src/cli/index.ts'),
          'model-worker': resolve('src/core/models/worker/model-worker-thread.ts'),
          'database-digest': resolve('src/core/backups/database-digest-thread.ts'),
          'sqlite-online-copy': resolve('src/core/storage/sqlite-online-copy-thread.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      // The preload runs sandboxed: it can require only 'electron', so zod and the contract are
      // bundled into one self-contained CommonJS file (out/preload/index.cjs).
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    plugins: [react(), contentSecurityPolicyMeta()],
    build: {
      outDir: resolve('out/renderer'),
      // First load is what a trader waits for: minified, with each screen but Markets in a chunk
      // of its own that loads on first use (see src/renderer/src/app/app.tsx).
      minify: true,
      rolldownOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
