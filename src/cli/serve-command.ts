import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Core } from '../core/create-core';
import type { Logger } from '../core/ports';
import { isAppError } from '../shared/errors';
import { startServer } from '../server/http-server';
import { isLoopbackHost } from '../shared/hosts';
import { CliError, exitCodeFor, exitCodes } from './exit-codes';
import type { CliOutput } from './format';
import { rendererDir } from './package-root';

export interface ServeSettings {
  host: string;
  port: number;
  allowRemote: boolean;
  /** See ServerOptions.behindProxy. */
  behindProxy: boolean;
  token: string;
  /** METALYTICS_IMPORT_DIR; see ServerOptions.importDir. */
  importDir?: string;
  /** METALYTICS_METRICS_TOKEN; see ServerOptions.metricsToken. */
  metricsToken?: string;
}

/** What `serve` says at start-up about who can reach it: nothing on plain loopback. */
export function exposureWarnings(settings: Pick<ServeSettings, 'host' | 'behindProxy'>): string[] {
  if (!isLoopbackHost(settings.host)) {
    return [
      `Listening on ${settings.host}: other machines can reach this server; keep the token secret.`,
      'It speaks plain HTTP, so the token and your data would cross the network unencrypted: put it behind a reverse proxy ' +
        'that terminates TLS (Caddy, nginx, Traefik) and let only the proxy reach this port.',
    ];
  }
  if (settings.behindProxy) {
    return ['Behind a reverse proxy: the proxy must terminate TLS and append the client address to X-Forwarded-For.'];
  }
  return [];
}

/** How often `serve` under an npm script looks whether the shell that started it is still there. */
const PARENT_CHECK_MS = 250;

/**
 * `npm run serve` starts this process through `sh -c`. When someone kills npm, npm passes the
 * SIGTERM on to that shell, which exits without passing it on, and this server would keep
 * listening with nobody left to stop it. So under an npm script, the shell's exit (this process
 * is handed to another parent) stops the server as the signal would have; started any other way
 * (a terminal, nohup, a service manager) it keeps running when its parent goes.
 */
function watchNpmScriptShell(stop: () => void): void {
  if (process.env.npm_lifecycle_event === undefined) return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    stop();
  }, PARENT_CHECK_MS);
  timer.unref();
}

/**
 * Runs `metalytics serve` until SIGINT or SIGTERM, then closes the server; the caller closes
 * the core afterwards, so no request is cut off by a closed database. Returns the exit code.
 */
export async function runServe(core: Core, settings: ServeSettings, logger: Logger, output: CliOutput): Promise<number> {
  // Listening before the URL is printed: a supervisor may signal as soon as it reads the line.
  const stopSignal = new Promise<NodeJS.Signals>((resolveSignal) => {
    process.once('SIGINT', resolveSignal);
    process.once('SIGTERM', resolveSignal);
    watchNpmScriptShell(() => resolveSignal('SIGTERM'));
  });
  const staticDir = existsSync(join(rendererDir, 'index.html')) ? rendererDir : undefined;
  if (!staticDir) output.err('The web UI is not built yet: run `npm run build` to serve it. The API, /healthz and /metrics work without it.\n');

  let server;
  try {
    server = await startServer({ core, logger, staticDir, ...settings });
  } catch (error) {
    if (isAppError(error)) throw new CliError(error.message, exitCodeFor(error.code));
    throw error;
  }
  // A long-running host: scheduled jobs fire here (one-shot commands never start the scheduler). core.close stops it.
  core.scheduler.start();
  // The fragment never reaches the server's logs; the renderer moves it out of the address bar.
  output.out(`Metalytics is running at ${server.url}#token=${encodeURIComponent(settings.token)}\n`);
  for (const warning of exposureWarnings(settings)) output.err(`${warning}\n`);

  const signal = await stopSignal;
  logger.info('shutting down', { signal });
  // A second signal during a slow shutdown means "now".
  const force = () => process.exit(exitCodes.failure);
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  await server.close();
  return exitCodes.ok;
}
