import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The renderer's first load is what a trader waits for (issue 15: ≤ 600 KB of JavaScript).
 * zod alone is about 90 KB of it, and one run-time import of a module holding a schema pulls it
 * in: the first screen takes constants and functions from zod-free modules (choices.ts,
 * timeframes.ts, drawing-kinds.ts, …) and only types from the schema modules. The screens that
 * load on first use (app.tsx's lazy imports) may use zod freely.
 */
const rendererSrc = path.resolve(__dirname, '../../src/renderer/src');
const repoRoot = path.resolve(__dirname, '../..');

/** Module specifiers a file imports at run time: imports of types only are erased by the build, and dynamic import() starts a chunk of its own. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const specifiers: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const bindings = clause?.namedBindings;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined && bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly)));
      if (!typeOnly) specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.isTypeOnly) {
      specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return specifiers;
}

function resolveLocal(from: string, specifier: string): string | null {
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) {
    if (/\.tsx?$/.test(candidate) && fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** Every package the first screen's modules import at run time, with the chain of files that leads to it. */
function firstScreenPackages(entry: string): Map<string, string[]> {
  const packages = new Map<string, string[]>();
  const visited = new Set<string>();
  const visit = (file: string, chain: string[]) => {
    if (visited.has(file)) return;
    visited.add(file);
    const here = [...chain, path.relative(repoRoot, file)];
    for (const specifier of runtimeImports(file)) {
      if (!specifier.startsWith('.')) {
        if (!packages.has(specifier)) packages.set(specifier, here);
        continue;
      }
      const target = resolveLocal(file, specifier);
      if (target) visit(target, here);
    }
  };
  visit(entry, []);
  return packages;
}

describe('the first screen', () => {
  const packages = firstScreenPackages(path.join(rendererSrc, 'main.tsx'));

  it('loads no zod at run time', () => {
    const chain = packages.get('zod') ?? [...packages].find(([name]) => name.startsWith('zod/'))?.[1];
    expect(chain, chain && `zod reaches the first screen through ${chain.join(' → ')}`).toBeUndefined();
  });

  it('is found by the walk: React and the chart library are there', () => {
    expect(packages.has('react')).toBe(true);
    expect(packages.has('lightweight-charts')).toBe(true);
  });
});
