import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiDocumentPaths, renderApiDocs } from '../../scripts/generate-api-docs';
import type { OpenApiDocument } from '../../scripts/api-docs/openapi-document';
import { eventNames, methodNames } from '../../src/shared/contract';
import { errorCodes } from '../../src/shared/errors';

const rendered = renderApiDocs();
const document = JSON.parse(rendered.openapi) as OpenApiDocument;

/** Every `$ref` in the document, with where it sits. */
function references(node: unknown, at = '#'): Array<{ at: string; ref: string }> {
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === '$ref' && typeof value === 'string' ? [{ at, ref: value }] : references(value, `${at}/${key}`),
  );
}

function resolve(pointer: string): unknown {
  return pointer
    .slice(2)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, segment) => (node as Record<string, unknown> | undefined)?.[segment], document);
}

describe('API documents', () => {
  it('are regenerated with the contract: run `npm run docs:api` after changing a method or event', () => {
    expect(readFileSync(apiDocumentPaths.openapi, 'utf8'), 'docs/openapi.json is stale: run `npm run docs:api`').toBe(rendered.openapi);
    expect(readFileSync(apiDocumentPaths.markdown, 'utf8'), 'docs/api.md is stale: run `npm run docs:api`').toBe(rendered.markdown);
  });

  it('describe every method as POST /api/<method> with its Result envelope and every event of /api/events', () => {
    expect(document.openapi).toBe('3.1.0');
    for (const name of methodNames) {
      const operation = document.paths[`/api/${name}`]?.post;
      expect(operation?.operationId, name).toBe(name);
      expect(operation?.responses['200'], name).toEqual({
        description: expect.any(String),
        content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}.result` } } },
      });
      expect(operation?.responses['401'], name).toEqual({ $ref: '#/components/responses/Unauthorized' });
    }
    const posts = Object.entries(document.paths).filter(([, item]) => item.post).map(([path]) => path);
    expect(posts.sort()).toEqual(methodNames.map((name) => `/api/${name}`).sort());
    const eventMessage = document.components.schemas.EventMessage!;
    expect((eventMessage.oneOf as unknown[]).length).toBe(eventNames.length);
    for (const name of eventNames) expect(document.components.schemas[`${name}.event`]?.properties, name).toMatchObject({ name: { const: name } });
  });

  it('list every error code and require the bearer token everywhere but /healthz', () => {
    const codes = (document.components.schemas.ErrorCode!.oneOf as Array<{ const: string }>).map((code) => code.const);
    expect(codes).toEqual([...errorCodes]);
    expect(document.security).toEqual([{ bearerToken: [] }]);
    expect(document.components.securitySchemes.bearerToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    const open = Object.entries(document.paths).filter(([, item]) => Object.values(item).some((operation) => operation.security?.length === 0));
    expect(open.map(([path]) => path)).toEqual(['/healthz']);
  });

  it('point every $ref at something the document holds', () => {
    const dangling = references(document).filter(({ ref }) => resolve(ref) === undefined);
    expect(dangling).toEqual([]);
  });

  it('show a curl example for every method in docs/api.md', () => {
    for (const name of methodNames) expect(rendered.markdown, name).toContain(`http://127.0.0.1:8787/api/${name}\n`);
  });
});
