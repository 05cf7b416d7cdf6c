import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareFindings, type AuditAllowance, type Finding } from '../../scripts/electron-audit';

const finding = (check: string, file: string, sample: string): Finding => ({
  check,
  file,
  line: 1,
  sample,
  severity: 'MEDIUM',
  confidence: 'TENTATIVE',
  description: 'Review this',
});

describe('Electron audit allowlist (scripts/electron-audit.ts)', () => {
  const allowlist: AuditAllowance[] = [
    { check: 'OPEN_EXTERNAL_JS_CHECK', file: 'src/main/security.ts', match: 'shell.openExternal(url)', reason: 'only after isSafeExternalUrl, tested' },
    { check: 'PRELOAD_JS_CHECK', file: 'src/main/security.ts', match: 'preload: options.preloadPath', reason: 'contract-only preload, tested' },
  ];

  it('lets reviewed findings through and fails on anything else, including the same check elsewhere', () => {
    const { unexplained, explained, stale } = compareFindings(
      [
        finding('OPEN_EXTERNAL_JS_CHECK', 'src/main/security.ts', "shell.openExternal(url).catch(() => {})"),
        // A second openExternal, on an unchecked value, in the same file: new.
        finding('OPEN_EXTERNAL_JS_CHECK', 'src/main/security.ts', 'shell.openExternal(message.link)'),
        finding('OPEN_EXTERNAL_JS_CHECK', 'src/main/menu.ts', 'shell.openExternal(url)'),
        finding('NODE_INTEGRATION_JS_CHECK', 'src/main/security.ts', 'nodeIntegration: true'),
      ],
      allowlist,
    );
    expect(explained.map((entry) => entry.file)).toEqual(['src/main/security.ts']);
    expect(unexplained.map((entry) => `${entry.check} ${entry.file} ${entry.sample}`)).toEqual([
      'OPEN_EXTERNAL_JS_CHECK src/main/security.ts shell.openExternal(message.link)',
      'OPEN_EXTERNAL_JS_CHECK src/main/menu.ts shell.openExternal(url)',
      'NODE_INTEGRATION_JS_CHECK src/main/security.ts nodeIntegration: true',
    ]);
    expect(stale.map((entry) => entry.check)).toEqual(['PRELOAD_JS_CHECK']);
  });

  it('gives every checked-in allowance a reason and a file that exists', async () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const { allowed } = JSON.parse(await readFile(path.join(root, 'security', 'electronegativity-allowlist.json'), 'utf8')) as {
      allowed: AuditAllowance[];
    };
    expect(allowed.length).toBeGreaterThan(0);
    for (const entry of allowed) {
      expect(entry.reason.length).toBeGreaterThan(40);
      // Built files exist only after a build; their sources are checked instead.
      if (!entry.file.startsWith('out/')) await expect(readFile(path.join(root, entry.file))).resolves.toBeDefined();
    }
  });
});
