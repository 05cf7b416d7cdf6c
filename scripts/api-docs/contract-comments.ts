import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The doc comments written above each method and event of the contract. zod keeps no trace of
 * them at run time, yet they are where the contract says what a method does and which errors it
 * answers with (CONFLICT when…, NOT_FOUND for…), so the API documents read them from the source.
 */
export function readContractComments(sharedDir: string, names: ReadonlySet<string>): Map<string, string> {
  const comments = new Map<string, string>();
  for (const file of readdirSync(sharedDir).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts')).sort()) {
    const fileName = path.join(sharedDir, file);
    const source = ts.createSourceFile(fileName, readFileSync(fileName, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isPropertyAssignment(node) && ts.isStringLiteral(node.name) && names.has(node.name.text) && isContractTable(node.parent)) {
        const text = ts
          .getJSDocCommentsAndTags(node)
          .filter(ts.isJSDoc)
          .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '')
          .join('\n')
          .trim();
        const earlier = comments.get(node.name.text);
        if (text && earlier !== undefined && earlier !== text) {
          throw new Error(`"${node.name.text}" has two different doc comments in src/shared; keep one.`);
        }
        if (text) comments.set(node.name.text, text);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return comments;
}

/** An object literal assigned to a constant (`export const methods = { … } as const`), where the contract lists its entries. */
function isContractTable(node: ts.Node): boolean {
  if (!ts.isObjectLiteralExpression(node)) return false;
  let parent = node.parent;
  while (ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent) || ts.isParenthesizedExpression(parent)) parent = parent.parent;
  return ts.isVariableDeclaration(parent);
}
