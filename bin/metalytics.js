#!/usr/bin/env node
// Runs the CLI that `npm run build` compiles into out/ (electron-vite's main build): no
// TypeScript loader at run time, so commands start fast and `serve` is this one process,
// which a plain `kill` stops.
import { existsSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

// Node 22.1 and later keep the compiled bundle between runs; older Node starts without it.
module.enableCompileCache?.();

const compiledCli = new URL('../out/main/cli.js', import.meta.url);
if (!existsSync(compiledCli)) {
  const packageRoot = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(`Metalytics is not built yet: run \`npm run build\` in ${packageRoot} (it compiles the CLI, the server and the app into out/).\n`);
  process.exit(1);
}
// Output piped into a reader that stops early (`metalytics --help | head`) is done, not a crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}
await import(compiledCli.href);
