/**
 * `npm audit --omit=dev` for the gate: fails on any high or critical advisory in what ships,
 * unless security/npm-audit-allowlist.json lists it with the reason it does not apply here.
 * Lower severities are printed, not failed on. Run with tsx:
 *   tsx scripts/audit-dependencies.ts [--when-unreachable=fail|warn]
 * When the audit service cannot be asked (no network, a proxy refusing the POST) the default
 * is to fail; `warn` prints a line that says the check did not run and exits 0.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const allowlistFile = path.join(root, 'security', 'npm-audit-allowlist.json');

const blockingSeverities = new Set(['high', 'critical']);

const allowedAdvisorySchema = z
  .object({
    /** The GitHub advisory id (GHSA-…) npm reports. */
    advisory: z.string().regex(/^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/),
    package: z.string().min(1),
    /** Why it cannot be exploited in Metalytics; a reviewer must be able to check it. */
    reason: z.string().min(20),
  })
  .strict();
export type AuditAllowlist = z.infer<typeof allowedAdvisorySchema>[];
const allowlistFileSchema = z.object({ about: z.string(), allowed: z.array(allowedAdvisorySchema) }).strict();

/** The part of `npm audit --json` (report version 2) this check reads. */
const viaAdvisorySchema = z.object({
  name: z.string(),
  title: z.string(),
  url: z.string(),
  severity: z.string(),
  range: z.string().optional(),
});
const auditReportSchema = z.object({
  vulnerabilities: z.record(z.string(), z.object({ via: z.array(z.union([z.string(), viaAdvisorySchema.passthrough()])) }).passthrough()),
});

export interface Advisory {
  advisory: string;
  package: string;
  severity: string;
  title: string;
  url: string;
}

export type AuditOutcome =
  | { kind: 'unreachable'; reason: string }
  | { kind: 'checked'; blocking: Advisory[]; allowed: Advisory[]; other: Advisory[]; stale: AuditAllowlist };

/** Sorts every advisory in the report into blocking, allowed (listed) and lower-severity ones. */
export function evaluateAudit(reportJson: string, allowlist: AuditAllowlist): AuditOutcome {
  let raw: unknown;
  try {
    raw = JSON.parse(reportJson);
  } catch {
    return { kind: 'unreachable', reason: 'npm audit printed no JSON' };
  }
  const report = auditReportSchema.safeParse(raw);
  if (!report.success) {
    const message = (raw as { message?: unknown; error?: { summary?: unknown } } | null)?.message;
    return { kind: 'unreachable', reason: typeof message === 'string' ? message : 'npm audit answered without a vulnerability report' };
  }
  const advisories = new Map<string, Advisory>();
  for (const entry of Object.values(report.data.vulnerabilities)) {
    for (const via of entry.via) {
      // A string names another vulnerable package; its own entry carries the advisory.
      if (typeof via === 'string') continue;
      const id = /GHSA(-[0-9a-z]{4}){3}/i.exec(via.url)?.[0] ?? via.url;
      advisories.set(`${id} ${via.name}`, { advisory: id, package: via.name, severity: via.severity, title: via.title, url: via.url });
    }
  }
  const listed = (advisory: Advisory) => allowlist.some((entry) => entry.advisory === advisory.advisory && entry.package === advisory.package);
  const all = [...advisories.values()];
  const severe = all.filter((advisory) => blockingSeverities.has(advisory.severity));
  return {
    kind: 'checked',
    blocking: severe.filter((advisory) => !listed(advisory)),
    allowed: severe.filter(listed),
    other: all.filter((advisory) => !blockingSeverities.has(advisory.severity)),
    stale: allowlist.filter((entry) => !all.some((advisory) => advisory.advisory === entry.advisory && advisory.package === entry.package)),
  };
}

function describe(advisory: Advisory): string {
  return `${advisory.severity} ${advisory.package}: ${advisory.title} (${advisory.advisory}, ${advisory.url})`;
}

function main(): number {
  const whenUnreachable = process.argv.includes('--when-unreachable=warn') ? 'warn' : 'fail';
  const { allowed: allowlist } = allowlistFileSchema.parse(JSON.parse(readFileSync(allowlistFile, 'utf8')));
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const run = spawnSync(npm, ['audit', '--omit=dev', '--json'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const outcome = evaluateAudit(run.stdout ?? '', allowlist);

  if (outcome.kind === 'unreachable') {
    console.log(`npm audit: NOT CHECKED, the audit service could not be asked (${outcome.reason})`);
    return whenUnreachable === 'warn' ? 0 : 1;
  }
  for (const advisory of outcome.allowed) console.log(`npm audit: allowed by security/npm-audit-allowlist.json: ${describe(advisory)}`);
  for (const advisory of outcome.other) console.log(`npm audit: below the bar: ${describe(advisory)}`);
  for (const entry of outcome.stale) console.log(`npm audit: no longer reported, remove from the allowlist: ${entry.advisory} ${entry.package}`);
  for (const advisory of outcome.blocking) console.log(`npm audit: NEW ${describe(advisory)}`);
  console.log(
    `npm audit --omit=dev: ${outcome.blocking.length} high/critical not allowed, ${outcome.allowed.length} allowed, ${outcome.other.length} lower`,
  );
  return outcome.blocking.length === 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();
