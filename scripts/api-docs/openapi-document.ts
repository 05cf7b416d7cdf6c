import { z } from 'zod';
import { events, methods, type EventName, type MethodName } from '../../src/shared/contract';
import { errorCodes, type ErrorCode } from '../../src/shared/errors';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_UPLOAD_BYTES } from '../../src/server/api-route';

/** A JSON Schema (2020-12) as z.toJSONSchema writes it; read loosely, since any keyword may appear. */
export type JsonSchema = { [keyword: string]: unknown };

export interface ApiOperation {
  operationId: string;
  tags?: string[];
  summary: string;
  description?: string;
  security?: Array<Record<string, string[]>>;
  parameters?: unknown[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema; example?: unknown }> };
  responses: Record<string, unknown>;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: Array<{ url: string; description: string }>;
  security: Array<Record<string, string[]>>;
  tags: Array<{ name: string }>;
  paths: Record<string, Partial<Record<'get' | 'post', ApiOperation>>>;
  components: {
    securitySchemes: Record<string, unknown>;
    responses: Record<string, unknown>;
    schemas: Record<string, JsonSchema>;
  };
}

export interface ContractDocs {
  appVersion: string;
  /** Where `metalytics serve` listens by default. */
  defaultPort: number;
  /** Doc comments of methods and events, by name (see contract-comments.ts). */
  comments: ReadonlyMap<string, string>;
}

/** Keyed by the codes of errors.ts, so a new code cannot go undocumented. */
const errorCodeMeanings: Readonly<Record<ErrorCode, string>> = {
  VALIDATION: 'The input does not fit the method’s schema, or a value is refused (the message says which); `details` may list the issues.',
  NOT_FOUND: 'What the input names does not exist: an unknown symbol, job, run, model, backup, or method.',
  CONFLICT: 'The request contradicts the current state: the symbol exists, a run is already going, others depend on it.',
  AUTH: 'A provider key is missing or refused (or, at the HTTP level, the access token is).',
  FORBIDDEN: 'Allowed to call, not allowed to do this: a path outside the import folder, a file path over HTTP.',
  RATE_LIMITED: 'A provider’s rate limit was hit; `details` says when to retry.',
  UNAVAILABLE: 'The network, a provider or the database is unreachable, the disk is full, or the server is busy; try again later.',
  CORRUPT: 'The database file is damaged; restoring the last backup is the way out.',
  CANCELLED: 'The run was cancelled before it finished.',
  INTERNAL: 'Something unexpected failed inside Metalytics; the details are in the server’s log, never in the reply.',
};

const mebibytes = (bytes: number) => `${bytes / 2 ** 20} MiB`;
const METHOD_BODY_LIMIT = mebibytes(DEFAULT_MAX_BODY_BYTES);
const UPLOAD_LIMIT = mebibytes(DEFAULT_MAX_UPLOAD_BYTES);
const importMethods: ReadonlySet<string> = new Set<MethodName>(['import.preview', 'import.csv']);

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const responseRef = (name: string) => ({ $ref: `#/components/responses/${name}` });

/** A zod schema as a component: draft 2020-12 (OpenAPI 3.1's dialect), everything inline, the `$schema` line dropped. */
function componentSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/**
 * Request examples for the curl lines of docs/api.md, built from each input schema with the
 * values a trader would send. Every one is parsed by the method's own zod schema when the
 * documents are generated, so an example that the contract no longer accepts stops generation.
 */
const sampleStrings: Readonly<Record<string, string>> = {
  symbol: 'XAUUSD',
  timeframe: '1d',
  provider: 'yahoo',
  id: 'ID',
  runId: 'RUN_ID',
  modelId: 'MODEL_ID',
  schedule: '*/15 * * * *',
  name: 'gold-daily',
  query: 'gold',
  fileName: 'xauusd.csv',
  path: 'xauusd.csv',
  currency: 'USD',
  value: 'your-api-key',
  folder: '/var/lib/metalytics/backups',
};
const SAMPLE_CSV = 'Date,Open,High,Low,Close,Volume\n2024-01-02,2063.7,2075.4,2057.1,2073.4,0\n';
const SAMPLE_TIME = Date.UTC(2024, 0, 1);
const SAMPLE_HOUR = 3_600_000;
const SAMPLE_PRICE = 2400;

function sampleValue(schema: JsonSchema, key: string | undefined): unknown {
  if ('const' in schema) return schema.const;
  if ('default' in schema && schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum)) return (schema.enum as unknown[]).includes(sampleStrings[key ?? '']) ? sampleStrings[key ?? ''] : schema.enum[0];
  for (const keyword of ['oneOf', 'anyOf'] as const) {
    const options = schema[keyword] as JsonSchema[] | undefined;
    if (options) return sampleValue(options.find((option) => option.type !== 'null') ?? options[0]!, key);
  }
  switch (Array.isArray(schema.type) ? schema.type[0] : schema.type) {
    case 'object':
      return sampleObject(schema);
    case 'array': {
      // One `symbols` item is a `symbol`.
      const item = sampleValue((schema.items as JsonSchema | undefined) ?? {}, key?.replace(/s$/, ''));
      return Array.from({ length: Math.max(1, Number(schema.minItems ?? 1)) }, () => item);
    }
    case 'integer':
    case 'number':
      return sampleNumber(schema, key);
    case 'boolean':
      return false;
    case 'string':
      return sampleStrings[key ?? ''] ?? key ?? 'text';
    default:
      return null;
  }
}

/** A time for time-like keys (a pipe into epochMsSchema shows only its first, wider bounds), else 1 kept within the bounds. */
function sampleNumber(schema: JsonSchema, key: string | undefined): number {
  if (key === 'to' || key === 'until') return SAMPLE_TIME + 30 * 24 * SAMPLE_HOUR;
  if (key !== undefined && /^(time|from|since|asOf)$|(At|Time)$/.test(key)) return SAMPLE_TIME;
  if (key === 'price') return SAMPLE_PRICE;
  const low = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : -Infinity;
  const high = typeof schema.maximum === 'number' ? schema.maximum : typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum - 1 : Infinity;
  return Math.min(Math.max(1, low), high);
}

/** The required properties (the smallest input a caller can send), or all of them. */
function sampleObject(schema: JsonSchema, every = false): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const keys = every ? Object.keys(properties) : ((schema.required ?? []) as string[]);
  return Object.fromEntries(keys.map((key) => [key, sampleValue(properties[key] ?? {}, key)]));
}

/**
 * Where the sample built from the schema is not what a caller would send (or not accepted:
 * refinements are invisible in JSON Schema), the example is written here.
 */
const exampleInputs: Partial<Record<MethodName, unknown>> = {
  'bars.query': { symbol: 'XAUUSD', timeframe: '1d', limit: 3 },
  'indicators.query': { symbol: 'XAUUSD', timeframe: '1d', limit: 100, indicators: [{ kind: 'sma', params: { period: 20 } }] },
  'compare.query': { symbols: ['XAUUSD', 'XAGUSD'], timeframe: '1d', ratio: { numerator: 'XAUUSD', denominator: 'XAGUSD' } },
  'market.overview': { symbols: ['XAUUSD', 'XAGUSD', 'BTCUSD'] },
  'settings.update': { theme: 'dark' },
  'jobs.cancel': { runId: sampleStrings.runId },
  // Over HTTP a model travels as `content`: the text models.export answers with.
  'models.import': { content: 'CONTENT_OF_AN_EXPORT' },
  'predictions.query': { symbol: 'XAUUSD', timeframe: '1d' },
  'backups.verify': { id: sampleStrings.id },
  'backups.preview': { id: sampleStrings.id },
  'backups.restore': { id: sampleStrings.id },
  'import.preview': { source: { kind: 'text', fileName: sampleStrings.fileName, text: SAMPLE_CSV }, symbol: 'XAUUSD' },
  'import.csv': { source: { kind: 'text', fileName: sampleStrings.fileName, text: SAMPLE_CSV }, symbol: 'XAUUSD', timeframe: '1d' },
};

function exampleInput(name: MethodName, input: JsonSchema): unknown {
  // The input's own default (`{ limit: 50 }`) is what an empty body means already. A refinement
  // may want more than the required fields (`points` or `text`), so every field is tried next.
  const candidates =
    name in exampleInputs ? [exampleInputs[name]] : input.type === 'object' ? [sampleObject(input), sampleObject(input, true)] : [sampleValue(input, undefined)];
  const results = candidates.map((example) => ({ example, parsed: methods[name].input.safeParse(example) }));
  const accepted = results.find(({ parsed }) => parsed.success);
  if (accepted) return accepted.example;
  const { error } = results[0]!.parsed;
  throw new Error(`The example input of ${name} is refused by its schema; write one in exampleInputs:\n${error ? z.prettifyError(error) : ''}`);
}

/** The group a method or event belongs to: `bars` for `bars.query`. */
export function tagOf(name: string): string {
  return name.split('.')[0]!;
}

function firstSentence(text: string | undefined, fallback: string): string {
  const sentence = text?.split(/(?<=[.;:])\s|\n/)[0]?.trim().replace(/[;:]$/, '.');
  return sentence ? sentence : fallback;
}

const errorResponse = (description: string, codes: readonly ErrorCode[], headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: {
    'application/json': {
      schema: {
        allOf: [ref('ErrorResult')],
        properties: { error: { properties: { code: { enum: [...codes] } } } },
      },
    },
  },
});

const retryAfter = { 'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer' } } };

function methodOperation(name: MethodName, docs: ContractDocs, schemas: Record<string, JsonSchema>): ApiOperation {
  const { input, output } = methods[name];
  const inputSchema = componentSchema(input, 'input');
  schemas[`${name}.input`] = inputSchema;
  schemas[`${name}.output`] = componentSchema(output, 'output');
  schemas[`${name}.result`] = {
    description: `The reply of ${name}: its output as \`value\`, or an error.`,
    oneOf: [
      {
        type: 'object',
        properties: { ok: { const: true }, value: ref(`${name}.output`) },
        required: ['ok', 'value'],
        additionalProperties: false,
      },
      ref('ErrorResult'),
    ],
  };
  const comment = docs.comments.get(name);
  const isImport = importMethods.has(name);
  const bodyNote = isImport
    ? `The body may carry up to ${UPLOAD_LIMIT} of CSV text in \`source.text\`; it is streamed to disk, not held in memory. ` +
      'A `source.path` must lie inside the server’s METALYTICS_IMPORT_DIR.'
    : `The body is at most ${METHOD_BODY_LIMIT} of JSON.`;
  return {
    operationId: name,
    tags: [tagOf(name)],
    summary: firstSentence(comment, name),
    description: [comment, bodyNote].filter(Boolean).join('\n\n'),
    requestBody: {
      // An empty body is the same as no input, which these methods accept.
      required: !input.safeParse(undefined).success,
      content: { 'application/json': { schema: ref(`${name}.input`), example: exampleInput(name, inputSchema) } },
    },
    responses: {
      '200': {
        description:
          'The Result envelope. Errors of the method itself (validation, not found, conflict…) also answer 200, with `ok: false`; the HTTP status only reports the transport.',
        content: { 'application/json': { schema: ref(`${name}.result`) } },
      },
      '400': responseRef('BadRequest'),
      '401': responseRef('Unauthorized'),
      '413': responseRef('PayloadTooLarge'),
      '429': responseRef('TooManyFailures'),
      ...(isImport ? { '503': responseRef('ImportsBusy') } : {}),
      '500': responseRef('InternalError'),
    },
  };
}

function eventSchemas(docs: ContractDocs, schemas: Record<string, JsonSchema>): void {
  const names = Object.keys(events) as EventName[];
  for (const name of names) {
    schemas[`${name}.event`] = {
      ...(docs.comments.has(name) ? { description: docs.comments.get(name) } : {}),
      type: 'object',
      properties: { name: { const: name }, payload: componentSchema(events[name], 'output') },
      required: ['name', 'payload'],
      additionalProperties: false,
    };
  }
  schemas.EventMessage = {
    description: 'One WebSocket text frame of /api/events: a core event as JSON.',
    oneOf: names.map((name) => ref(`${name}.event`)),
    discriminator: { propertyName: 'name', mapping: Object.fromEntries(names.map((name) => [name, `#/components/schemas/${name}.event`])) },
  };
}

const eventsOperation: ApiOperation = {
  operationId: 'events',
  tags: ['events'],
  summary: 'Core events pushed over a WebSocket.',
  description: [
    'Upgrade this path to a WebSocket (`ws://127.0.0.1:8787/api/events`). Every event the core emits arrives as one text frame, ' +
      'a JSON `EventMessage` `{ "name", "payload" }`; the events and their payloads are the `*.event` schemas. The stream is one-way: ' +
      'frames a client sends are ignored (and refused above 4 KiB).',
    'The token goes in `?token=`, an `Authorization: Bearer` header, or, from a browser, a `bearer.<token>` subprotocol offered beside ' +
      '`metalytics` (the server selects `metalytics` and never echoes the token). The Origin must be the server’s own address.',
    'The server pings every 30 s and drops a client that does not answer, or that falls 16 MiB behind. Events sent while a client is ' +
      'disconnected are lost: after reconnecting, re-read what you show (bars.query, jobs.runs…).',
  ].join('\n\n'),
  security: [{ bearerToken: [] }, { tokenQuery: [] }],
  parameters: [
    { name: 'Upgrade', in: 'header', required: true, schema: { const: 'websocket' } },
    {
      name: 'Sec-WebSocket-Protocol',
      in: 'header',
      required: false,
      description: 'A browser, which cannot set headers on a WebSocket, offers `metalytics, bearer.<token>`.',
      schema: { type: 'string' },
    },
  ],
  responses: {
    '101': {
      description: 'Switched to the WebSocket protocol; `EventMessage` frames follow.',
      content: { 'application/json': { schema: ref('EventMessage') } },
    },
    '401': { description: 'No valid token.', content: { 'text/plain': { schema: { type: 'string' } } } },
    '403': { description: 'Unexpected Host or Origin header.', content: { 'text/plain': { schema: { type: 'string' } } } },
    '426': {
      description: 'A plain HTTP request without the WebSocket upgrade.',
      content: { 'application/json': { schema: ref('ErrorResult') } },
    },
    '429': { description: 'Too many failed attempts from this address; wait and retry.', content: { 'text/plain': { schema: { type: 'string' } } } },
  },
};

const openApiOperation: ApiOperation = {
  operationId: 'openapi',
  tags: ['documents'],
  summary: 'This document.',
  description: 'The OpenAPI 3.1 description of the server that answers, generated from its contract (also checked in as docs/openapi.json).',
  responses: {
    '200': { description: 'The OpenAPI document.', content: { 'application/json': { schema: { type: 'object' } } } },
    '401': responseRef('Unauthorized'),
    '429': responseRef('TooManyFailures'),
  },
};

const healthOperation: ApiOperation = {
  operationId: 'healthz',
  tags: ['operations'],
  summary: 'Whether the server can reach its database; no token needed.',
  description: 'For load balancers and container health checks. `database` is `damaged` once the SQLite file was found damaged.',
  security: [],
  responses: {
    '200': { description: 'Healthy.', content: { 'application/json': { schema: ref('Health'), example: { status: 'ok', database: 'up' } } } },
    '503': {
      description: 'The database is down or damaged.',
      content: { 'application/json': { schema: ref('Health'), example: { status: 'degraded', database: 'down' } } },
    },
  },
};

const metricsOperation: ApiOperation = {
  operationId: 'metrics',
  tags: ['operations'],
  summary: 'Prometheus metrics: RPC counts and latency, stored bars, database up, event clients.',
  description:
    'Open on a loopback server. On one other machines can reach (`--allow-remote`, `--behind-proxy`) it needs the API token or METALYTICS_METRICS_TOKEN, which opens nothing else.',
  security: [{}, { bearerToken: [] }],
  responses: {
    '200': { description: 'Prometheus text exposition format 0.0.4.', content: { 'text/plain': { schema: { type: 'string' } } } },
    '401': { description: 'No valid token on a server other machines can reach.', content: { 'text/plain': { schema: { type: 'string' } } } },
  },
};

/**
 * The OpenAPI 3.1 description of `metalytics serve`: every contract method as `POST /api/<method>`
 * with its input, its Result envelope and the transport's error replies; the events of
 * `/api/events`; health, metrics and this document itself.
 */
export function buildOpenApiDocument(docs: ContractDocs): OpenApiDocument {
  const schemas: Record<string, JsonSchema> = {
    ErrorCode: {
      description: 'What went wrong, for a program to act on; the UI maps each to a sentence.',
      oneOf: errorCodes.map((code) => ({ const: code, description: errorCodeMeanings[code] })),
    },
    ErrorResult: {
      description: 'A refused or failed call. `message` is a sentence for a person; act on `code`.',
      type: 'object',
      properties: {
        ok: { const: false },
        error: {
          type: 'object',
          properties: { code: ref('ErrorCode'), message: { type: 'string' }, details: {} },
          required: ['code', 'message'],
          additionalProperties: false,
        },
      },
      required: ['ok', 'error'],
      additionalProperties: false,
    },
    Health: {
      type: 'object',
      properties: { status: { enum: ['ok', 'degraded'] }, database: { enum: ['up', 'down', 'damaged'] } },
      required: ['status', 'database'],
      additionalProperties: false,
    },
  };
  const methodNames = Object.keys(methods) as MethodName[];
  const paths: OpenApiDocument['paths'] = {};
  for (const name of methodNames) paths[`/api/${name}`] = { post: methodOperation(name, docs, schemas) };
  paths['/api/events'] = { get: eventsOperation };
  paths['/api/openapi.json'] = { get: openApiOperation };
  paths['/healthz'] = { get: healthOperation };
  paths['/metrics'] = { get: metricsOperation };
  eventSchemas(docs, schemas);

  const tags = [...new Set(methodNames.map(tagOf)), 'events', 'documents', 'operations'].map((name) => ({ name }));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Metalytics API',
      version: docs.appVersion,
      description: [
        'The headless server of Metalytics (`metalytics serve`). Every method of the contract is `POST /api/<method>` with the ' +
          'method’s input as the JSON body (an empty body is no input) and a Result envelope as the reply: ' +
          '`{ "ok": true, "value": … }` or `{ "ok": false, "error": { "code", "message", "details"? } }`. ' +
          'Errors of the method answer HTTP 200 with `ok: false`; other statuses report the transport (token, body, server).',
        'Every route but /healthz (and /metrics on loopback) needs the access token `serve` prints, or METALYTICS_TOKEN, as `Authorization: Bearer <token>`.',
        'Core events (job progress, new bars, alerts…) are pushed over a WebSocket at /api/events.',
      ].join('\n\n'),
    },
    servers: [{ url: `http://127.0.0.1:${docs.defaultPort}`, description: '`metalytics serve` on its default port' }],
    security: [{ bearerToken: [] }],
    tags,
    paths,
    components: {
      securitySchemes: {
        bearerToken: {
          type: 'http',
          scheme: 'bearer',
          description:
            'The token `metalytics serve` prints at start-up (random per run), or METALYTICS_TOKEN. A server other machines can reach needs one of at least 32 characters, and answers 429 to an address after repeated wrong tokens.',
        },
        tokenQuery: { type: 'apiKey', in: 'query', name: 'token', description: 'The same token, for WebSocket clients that cannot set headers (/api/events only).' },
      },
      responses: {
        BadRequest: errorResponse('An unknown method (`NOT_FOUND`) or a body that is not JSON (`VALIDATION`).', ['NOT_FOUND', 'VALIDATION']),
        Unauthorized: errorResponse('No valid access token (`AUTH`).', ['AUTH']),
        PayloadTooLarge: errorResponse(
          `The body is larger than the server takes: ${METHOD_BODY_LIMIT} of JSON, ${UPLOAD_LIMIT} of uploaded CSV text (\`VALIDATION\`).`,
          ['VALIDATION'],
        ),
        TooManyFailures: errorResponse(
          'Too many wrong tokens from this address, on a server other machines can reach (`UNAVAILABLE`); wait `Retry-After` seconds.',
          ['UNAVAILABLE'],
          retryAfter,
        ),
        ImportsBusy: errorResponse('Two imports or previews are already running (`UNAVAILABLE`); retry after `Retry-After` seconds.', ['UNAVAILABLE'], retryAfter),
        InternalError: errorResponse('An unexpected failure in the transport (`INTERNAL`); the cause is in the server’s log.', ['INTERNAL']),
      },
      schemas,
    },
  };
}
