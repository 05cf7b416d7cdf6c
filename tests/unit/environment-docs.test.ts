import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { environmentVariables, type Shell } from '../../src/core/config/environment';
import { providerIds } from '../../src/shared/domain';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

const shellNames: Readonly<Record<string, Shell>> = { desktop: 'desktop', CLI: 'cli', serve: 'serve' };

/**
 * The README's environment table, as variable → shells that read it. A row may name several
 * variables; `<PROVIDER>` stands for every provider.
 */
function documentedVariables(markdown: string): Map<string, Shell[]> {
  const lines = markdown.split('\n');
  const header = lines.findIndex((line) => /^\|\s*Variable\s*\|\s*Meaning\s*\|\s*Read by\s*\|$/.test(line.trim()));
  if (header < 0) throw new Error('README has no "| Variable | Meaning | Read by |" table');
  const documented = new Map<string, Shell[]>();
  // The header, then the |---| row, then one row per variable until the table ends.
  for (const row of lines.slice(header + 2)) {
    if (!row.startsWith('|')) break;
    const cells = row.split('|').slice(1, -1);
    const names = [...(cells[0] ?? '').matchAll(/`([^`]+)`/g)].map((match) => match[1]!);
    const readBy = (cells.at(-1) ?? '').split(',').map((shell) => shellNames[shell.trim()] ?? `unknown shell "${shell.trim()}"`);
    for (const name of names.flatMap(expandProvider)) documented.set(name, (readBy as Shell[]).sort());
  }
  return documented;
}

function expandProvider(name: string): string[] {
  return name.includes('<PROVIDER>') ? providerIds.map((provider) => name.replace('<PROVIDER>', provider.toUpperCase())) : [name];
}

describe('environment variables', () => {
  it('are documented in the README exactly as the app reads them, with the shells that read each', () => {
    const listed = new Map(environmentVariables.map((variable) => [variable.name, [...variable.readBy].sort()]));
    expect(Object.fromEntries(documentedVariables(README))).toEqual(Object.fromEntries(listed));
  });

  it('are listed once each', () => {
    const names = environmentVariables.map((variable) => variable.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
