import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Core } from '../core/create-core';
import { isMethodName } from '../shared/contract';
import { requestedCsvPath } from '../shared/domain';
import { requestedBackupPath } from '../shared/backups';
import { requestedModelFilePath } from '../shared/models';
import { AppError, fail } from '../shared/errors';
import { bearerToken, TOO_MANY_FAILURES_MESSAGE, type Authenticate } from './authentication';
import { EVENTS_PATH } from './event-socket';
import { sendJson } from './http-replies';
import { resolveImportPath, spoolImportRequest, UploadAborted, UploadRefused, type SpooledRequest } from './import-upload';
import type { ServerMetrics } from './metrics';

/**
 * Every method but the imports takes small JSON (the largest, bars.append, about 100 KB);
 * imports stream their uploaded text to a file instead (see import-upload.ts).
 */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** The contract's limit on uploaded text. */
export const DEFAULT_MAX_UPLOAD_BYTES = 256 * 1024 * 1024;
/**
 * Imports and previews that may run at once; each holds a parsing block and an index of
 * ~24 bytes a row, and they share the CPU with every other request. Further ones are
 * answered 503 with Retry-After rather than queued with their uploads in memory.
 */
const DEFAULT_MAX_CONCURRENT_IMPORTS = 2;
const IMPORT_RETRY_AFTER_SECONDS = 5;

const OPENAPI_PATH = '/api/openapi.json';
/**
 * docs/openapi.json, generated from the contract by `npm run docs:api` and bundled, so every
 * build serves the description of its own methods. It is a chunk of its own, loaded on the
 * first request for it: it is a third of the server's code, and start-up need not parse it.
 */
let openApiText: Promise<string> | undefined;
const loadOpenApiText = () => (openApiText ??= import('../../docs/openapi.json').then((module) => JSON.stringify(module.default)));

/** Over HTTP a model file is sent and received as `content`: the server reads and writes no file a caller names. */
const backupPathRefusal = new AppError('FORBIDDEN', 'This server writes backups to its data folder and verifies them by `id`; it does not take an archive `path`.');
const modelPathRefusal = new AppError('FORBIDDEN', 'This server does not read or write model files by path; send the export as `content`, or leave `path` out to receive it.');

export interface ApiRouteOptions {
  core: Core;
  token: string;
  authenticate: Authenticate;
  metrics: ServerMetrics;
  /** The only folder `import.*` may read by path; unset, only uploads work. */
  importDir?: string;
  /** Largest JSON body of a method other than the imports. */
  maxBodyBytes?: number;
  /** Largest text an import may upload. */
  maxUploadBytes?: number;
  maxConcurrentImports?: number;
}

export type ApiRoute = (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<void>;

type BodyRead = { kind: 'ok'; text: string } | { kind: 'too-large' } | { kind: 'aborted' };

/**
 * Counts bytes as they stream in, so an oversized upload is refused without being buffered.
 * Past the limit the rest is read and discarded rather than the socket destroyed, so the
 * client still receives the 413 reply.
 */
function readBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  return new Promise((resolveBody) => {
    const declared = Number(req.headers['content-length']);
    let chunks: Buffer[] = [];
    let received = 0;
    let tooLarge = Number.isFinite(declared) && declared > limit;
    if (tooLarge) resolveBody({ kind: 'too-large' });
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      received += chunk.length;
      if (received > limit) {
        tooLarge = true;
        chunks = [];
        resolveBody({ kind: 'too-large' });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!tooLarge) resolveBody({ kind: 'ok', text: Buffer.concat(chunks).toString('utf8') });
    });
    // A client that gave up mid-upload gets no answer; settling after 'end' changes nothing.
    req.on('close', () => resolveBody({ kind: 'aborted' }));
    req.on('error', () => resolveBody({ kind: 'aborted' }));
  });
}

/**
 * Contract methods as `POST /api/<method>` behind the bearer token: the JSON body is the
 * method's input and the reply is the core's Result envelope.
 */
export function createApiRoute(options: ApiRouteOptions): ApiRoute {
  const { core, token, authenticate, metrics } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const maxConcurrentImports = options.maxConcurrentImports ?? DEFAULT_MAX_CONCURRENT_IMPORTS;
  let runningImports = 0;

  const invokeAndReply = async (res: ServerResponse, name: string, input: unknown) => {
    const started = performance.now();
    const result = await core.invoke(name, input);
    metrics.recordRpc(name, result.ok ? 'ok' : result.error.code, (performance.now() - started) / 1000);
    sendJson(res, 200, result);
  };

  /**
   * Imports stream: an uploaded text goes to a temporary file as it arrives and the core reads
   * it from there; a path must lie inside the import folder. Only a few run at once.
   */
  const handleImport = async (req: IncomingMessage, res: ServerResponse, name: 'import.preview' | 'import.csv') => {
    if (runningImports >= maxConcurrentImports) {
      // The upload is read and dropped, not cut off: closing a socket with unread data resets
      // it, and the client would lose this answer along with it.
      req.resume();
      sendJson(
        res,
        503,
        fail({ code: 'UNAVAILABLE', message: `Metalytics is already running ${maxConcurrentImports} imports or previews; try again in a few seconds.` }),
        { 'Retry-After': String(IMPORT_RETRY_AFTER_SECONDS) },
      );
      return;
    }
    runningImports++;
    let spooled: SpooledRequest | undefined;
    try {
      try {
        spooled = await spoolImportRequest(req, name, maxUploadBytes);
      } catch (error) {
        if (error instanceof UploadAborted) return;
        if (!(error instanceof UploadRefused)) throw error;
        // The rest of the body is being read and dropped (see spoolBody), so the connection can stay.
        sendJson(res, error.status, fail({ code: 'VALIDATION', message: error.message }));
        return;
      }
      let input = spooled.input;
      const path = spooled.uploaded ? null : requestedCsvPath(input);
      if (path !== null) {
        try {
          input = { ...(input as object), source: { kind: 'path', path: await resolveImportPath(options.importDir, path) } };
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          metrics.recordRpc(name, error.code, 0);
          sendJson(res, 200, fail(error.toPayload()));
          return;
        }
      }
      await invokeAndReply(res, name, input);
    } finally {
      runningImports--;
      await spooled?.discard();
    }
  };

  return async (req, res, pathname) => {
    if (pathname === EVENTS_PATH) {
      sendJson(res, 426, fail({ code: 'VALIDATION', message: `${EVENTS_PATH} is a WebSocket endpoint; connect with a WebSocket client.` }), { Upgrade: 'websocket' });
      return;
    }
    const refuseToken = (status: 401 | 429, retryAfter?: number) =>
      status === 429
        ? sendJson(res, 429, fail({ code: 'UNAVAILABLE', message: TOO_MANY_FAILURES_MESSAGE }), { 'Retry-After': String(retryAfter) })
        : sendJson(res, 401, fail({ code: 'AUTH', message: 'A valid access token is required: send "Authorization: Bearer <token>".' }));
    if (pathname === OPENAPI_PATH && req.method === 'GET') {
      if (!authenticate(req, bearerToken(req.headers.authorization), [token], 'api', refuseToken)) return;
      const text = await loadOpenApiText();
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
      res.end(text);
      return;
    }
    if (req.method !== 'POST') {
      sendJson(res, 405, fail({ code: 'VALIDATION', message: `Call contract methods with POST /api/<method>; GET ${OPENAPI_PATH} describes them.` }), { Allow: 'POST' });
      return;
    }
    if (!authenticate(req, bearerToken(req.headers.authorization), [token], 'api', refuseToken)) return;
    const name = pathname.slice('/api/'.length);
    if (!isMethodName(name)) {
      sendJson(res, 400, fail({ code: 'NOT_FOUND', message: `Unknown method "${name}".` }));
      return;
    }
    if (name === 'import.preview' || name === 'import.csv') return handleImport(req, res, name);
    const body = await readBody(req, maxBodyBytes);
    if (body.kind === 'aborted') return;
    if (body.kind === 'too-large') {
      // The rest of the upload is not read; closing the connection is the only clean end.
      sendJson(res, 413, fail({ code: 'VALIDATION', message: `The request body is larger than ${maxBodyBytes} bytes.` }), { Connection: 'close' });
      return;
    }
    let input: unknown;
    if (body.text.trim() !== '') {
      try {
        input = JSON.parse(body.text);
      } catch {
        sendJson(res, 400, fail({ code: 'VALIDATION', message: 'The request body is not valid JSON.' }));
        return;
      }
    }
    if (requestedModelFilePath(name, input) !== null) {
      metrics.recordRpc(name, 'FORBIDDEN', 0);
      sendJson(res, 200, fail(modelPathRefusal.toPayload()));
      return;
    }
    if (requestedBackupPath(name, input) !== null) {
      metrics.recordRpc(name, 'FORBIDDEN', 0);
      sendJson(res, 200, fail(backupPathRefusal.toPayload()));
      return;
    }
    await invokeAndReply(res, name, input);
  };
}
