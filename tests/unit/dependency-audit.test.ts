import { describe, expect, it } from 'vitest';
import { evaluateAudit, type AuditAllowlist } from '../../scripts/audit-dependencies';

/** The shape `npm audit --json` prints (report version 2), trimmed to what matters. */
function report(vulnerabilities: Record<string, { severity: string; via: unknown[] }>): string {
  return JSON.stringify({ auditReportVersion: 2, vulnerabilities, metadata: {} });
}
const advisory = (name: string, id: string, severity: string) => ({
  source: 1,
  name,
  dependency: name,
  title: `${name} is vulnerable`,
  url: `https://github.com/advisories/${id}`,
  severity,
  range: '<9.9.9',
});

describe('dependency audit (scripts/audit-dependencies.ts)', () => {
  const sample = report({
    ws: { severity: 'high', via: [advisory('ws', 'GHSA-3h5v-q93c-6h6q', 'high')] },
    // A package that is only vulnerable through another one carries no advisory of its own.
    'some-wrapper': { severity: 'high', via: ['ws'] },
    pg: { severity: 'critical', via: [advisory('pg', 'GHSA-wc9v-mj63-m9g5', 'critical')] },
    papaparse: { severity: 'moderate', via: [advisory('papaparse', 'GHSA-xxxx-xxxx-xxxx', 'moderate')] },
  });

  it('fails on each high or critical advisory that is not listed, once per advisory', () => {
    const outcome = evaluateAudit(sample, []);
    expect(outcome.kind).toBe('checked');
    if (outcome.kind !== 'checked') return;
    expect(outcome.blocking.map((found) => `${found.package} ${found.advisory}`).sort()).toEqual([
      'pg GHSA-wc9v-mj63-m9g5',
      'ws GHSA-3h5v-q93c-6h6q',
    ]);
    expect(outcome.other.map((found) => found.package)).toEqual(['papaparse']);
  });

  it('lets a listed advisory through and reports entries npm no longer finds', () => {
    const allowlist: AuditAllowlist = [
      { advisory: 'GHSA-3h5v-q93c-6h6q', package: 'ws', reason: 'only the server side of ws is used, and it is not affected' },
      { advisory: 'GHSA-2222-3333-4444', package: 'gone', reason: 'kept only to show that stale entries are reported' },
    ];
    const outcome = evaluateAudit(sample, allowlist);
    if (outcome.kind !== 'checked') throw new Error('expected a checked outcome');
    expect(outcome.blocking.map((found) => found.package)).toEqual(['pg']);
    expect(outcome.allowed.map((found) => found.package)).toEqual(['ws']);
    expect(outcome.stale.map((entry) => entry.package)).toEqual(['gone']);
  });

  it('passes a clean report', () => {
    expect(evaluateAudit(report({}), [])).toEqual({ kind: 'checked', blocking: [], allowed: [], other: [], stale: [] });
  });

  it('says the check did not run when the audit service refused, instead of passing it', () => {
    const refused = JSON.stringify({ message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk', statusCode: 405 });
    expect(evaluateAudit(refused, [])).toEqual({ kind: 'unreachable', reason: expect.stringContaining('405') });
    expect(evaluateAudit('', [])).toMatchObject({ kind: 'unreachable' });
  });
});
