/**
 * Runs Doyensec's Electronegativity over the app's sources (src: main, preload, renderer) and
 * the built app (out/, from `electron-vite build`), and fails on any finding that
 * security/electronegativity-allowlist.json does not explain, or on a file it could not
 * parse (that file was not audited). Run with tsx after a build:
 *   tsx scripts/electron-audit.ts
 */
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const allowlistFile = path.join(root, 'security', 'electronegativity-allowlist.json');
/** Audited folders, relative to the repository. */
const inputs = ['src', 'out'];

const allowedFindingSchema = z
  .object({
    check: z.string().regex(/^[A-Z_]+$/),
    /** Path from the repository root, as the finding reports it. */
    file: z.string().min(1),
    /** A piece of the flagged code, so a second finding of the same check in the same file is new; empty for whole-file checks. */
    match: z.string(),
    reason: z.string().min(20),
  })
  .strict();
export type AuditAllowance = z.infer<typeof allowedFindingSchema>;
const allowlistFileSchema = z.object({ about: z.string(), allowed: z.array(allowedFindingSchema) }).strict();

export interface Finding {
  check: string;
  file: string;
  line: number;
  sample: string;
  severity: string;
  confidence: string;
  description: string;
}

export function compareFindings(findings: Finding[], allowlist: AuditAllowance[]) {
  const allows = (entry: AuditAllowance, finding: Finding) =>
    entry.check === finding.check && entry.file === finding.file && finding.sample.includes(entry.match);
  return {
    unexplained: findings.filter((finding) => !allowlist.some((entry) => allows(entry, finding))),
    explained: findings.filter((finding) => allowlist.some((entry) => allows(entry, finding))),
    stale: allowlist.filter((entry) => !findings.some((finding) => allows(entry, finding))),
  };
}

/** What Electronegativity's programmatic `run` resolves with (it ships no types). */
interface ElectronegativityResult {
  errors: { file: string; message: string; tolerable: boolean }[];
  issues: {
    id: string;
    file: string;
    location: { line: number; column: number };
    sample?: string;
    severity: { name: string };
    confidence: { name: string };
    description: string;
  }[];
}
type Electronegativity = (options: Record<string, unknown>) => Promise<ElectronegativityResult>;

function loadElectronegativity(): Electronegativity | undefined {
  try {
    return createRequire(path.join(root, 'package.json'))('@doyensec/electronegativity') as Electronegativity;
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  const run = loadElectronegativity();
  if (!run) {
    console.log('electron audit: @doyensec/electronegativity is not installed');
    // A developer without the package is told so; the gate must never pass without the audit.
    return process.env.CI ? 1 : 0;
  }
  const { allowed } = allowlistFileSchema.parse(JSON.parse(readFileSync(allowlistFile, 'utf8')));
  const electronVersion = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> })
    .devDependencies.electron?.replace(/^[^\d]*/, '');
  const findings: Finding[] = [];
  let unparsed = 0;
  for (const input of inputs) {
    const folder = path.join(root, input);
    if (!existsSync(folder)) {
      console.log(`electron audit: ${input}/ is missing (run \`npx electron-vite build\` first)`);
      return 1;
    }
    const result = await run({
      input: folder,
      isRelative: true,
      electronVersion,
      // This check asks the network for Electron's release list; Electron's version is kept
      // current by the dependency updates and `npm audit`, and the gate must work offline.
      excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
    });
    for (const error of result.errors.filter((entry) => !entry.tolerable)) {
      unparsed += 1;
      console.log(`electron audit: could not parse ${input}/${error.file}: ${error.message}`);
    }
    for (const issue of result.issues) {
      findings.push({
        check: issue.id,
        // Whole-app checks report "N/A"; they are allowed per audited folder.
        file: issue.file === 'N/A' ? `${input}/` : path.posix.join(input, issue.file.split(path.sep).join('/')),
        line: issue.location.line,
        sample: issue.sample ?? '',
        severity: issue.severity.name,
        confidence: issue.confidence.name,
        description: issue.description,
      });
    }
  }
  const { unexplained, explained, stale } = compareFindings(findings, allowed);
  for (const finding of explained) console.log(`electron audit: allowed ${finding.check} in ${finding.file}:${finding.line}`);
  for (const entry of stale) console.log(`electron audit: no longer found, remove from the allowlist: ${entry.check} in ${entry.file}`);
  for (const finding of unexplained) {
    console.log(
      `electron audit: NEW ${finding.severity}/${finding.confidence} ${finding.check} in ${finding.file}:${finding.line}: ${finding.description} ${finding.sample.slice(0, 160)}`,
    );
  }
  console.log(`electron audit: ${unexplained.length} new, ${explained.length} allowed, ${unparsed} files not parsed`);
  return unexplained.length === 0 && unparsed === 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = await main();
