/**
 * Writes docs/openapi.json and docs/api.md from the contract (src/shared/contract.ts).
 *
 *   npm run docs:api     # after changing a method or event
 *
 * tests/unit/api-docs.test.ts fails while the checked-in documents differ from what this writes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PORT } from '../src/cli/options';
import { eventNames, methodNames } from '../src/shared/contract';
import { renderApiMarkdown } from './api-docs/api-markdown';
import { readContractComments } from './api-docs/contract-comments';
import { buildOpenApiDocument } from './api-docs/openapi-document';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const apiDocumentPaths = { openapi: path.join(root, 'docs/openapi.json'), markdown: path.join(root, 'docs/api.md') } as const;

export function renderApiDocs(): { openapi: string; markdown: string } {
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const comments = readContractComments(path.join(root, 'src/shared'), new Set<string>([...methodNames, ...eventNames]));
  const document = buildOpenApiDocument({ appVersion: version, defaultPort: DEFAULT_PORT, comments });
  return { openapi: `${JSON.stringify(document, null, 2)}\n`, markdown: renderApiMarkdown(document) };
}

function main(): void {
  const rendered = renderApiDocs();
  writeFileSync(apiDocumentPaths.openapi, rendered.openapi);
  writeFileSync(apiDocumentPaths.markdown, rendered.markdown);
  console.log(`wrote ${path.relative(root, apiDocumentPaths.openapi)} and ${path.relative(root, apiDocumentPaths.markdown)}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
