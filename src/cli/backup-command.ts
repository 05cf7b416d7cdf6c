import path from 'node:path';
import type { Core } from '../core/create-core';
import type { Backup, VerifyReport } from '../shared/backups';
import { CliError, exitCodes } from './exit-codes';
import { formatCount, formatFields, formatTable, formatTime, reportFailure, type CliOutput } from './format';
import { invokeMethod } from './invoke-method';
import { watchJobProgress } from './job-watch';

export interface BackupCommandOptions {
  out?: string;
  /** The environment variable holding the passphrase: never the passphrase itself, which the process list would show. */
  passphraseEnv?: string;
  json?: boolean;
}

export interface VerifyCommandOptions {
  passphraseEnv?: string;
  json?: boolean;
}

export interface BackupsListOptions {
  json?: boolean;
}

export interface BackupsFolderOptions {
  /** Back to the data folder's `backups` folder. */
  default?: boolean;
  json?: boolean;
}

function passphraseFrom(variable: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (variable === undefined) return undefined;
  const value = env[variable];
  if (!value) throw new CliError(`--passphrase-env ${variable}: that environment variable is not set or empty.`, exitCodes.usage);
  return value;
}

const formatBytes = (bytes: number | null) => (bytes === null ? '—' : `${formatCount(Math.round(bytes / 1024))} KiB`);

/** Runs `metalytics backup`: writes and verifies an archive, progress on stderr; returns the exit code. */
export async function runBackup(core: Core, options: BackupCommandOptions, output: CliOutput, env: NodeJS.ProcessEnv): Promise<number> {
  const passphrase = passphraseFrom(options.passphraseEnv, env);
  const progress = watchJobProgress(core, output, { kind: 'backup', label: 'Backing up', noun: 'the backup' });
  try {
    const created = await invokeMethod(core, 'backups.create', { wait: true, ...(options.out ? { path: options.out } : {}), ...(passphrase ? { passphrase } : {}) });
    progress.finish();
    if (!created.ok) return reportFailure(output, created.error, options.json);
    const backup = created.value.backup as Backup;
    if (options.json) {
      output.out(`${JSON.stringify(backup, null, 2)}\n`);
      return exitCodes.ok;
    }
    output.out(
      `Backed up and verified to ${backup.path}\n${formatFields([
        ['size', formatBytes(backup.sizeBytes)],
        ['sha256', backup.sha256 ?? '—'],
        ['schema', backup.schemaVersion],
        ['secrets', backup.encrypted ? 'included, sealed with the passphrase' : 'not included (no passphrase)'],
      ])}`,
    );
    return exitCodes.ok;
  } finally {
    progress.dispose();
  }
}

function formatReport(file: string, report: VerifyReport): string {
  if (report.ok && report.manifest) {
    const { manifest } = report;
    const rows = manifest.tables.reduce((sum, table) => sum + table.rows, 0);
    return `${file} is a good backup\n${formatFields([
      ['created', `${formatTime(manifest.createdAt)} UTC`],
      ['app / schema', `${manifest.appVersion} / ${manifest.schemaVersion}`],
      ['database', `${manifest.database}, ${formatCount(manifest.tables.length)} tables, ${formatCount(rows)} rows`],
      ['parts', formatCount(manifest.parts.length)],
      ['secrets', manifest.secrets ? `sealed: ${manifest.secrets.names.join(', ') || 'none were set'}` : 'not included'],
    ])}`;
  }
  return `${file} failed verification:\n${report.problems
    .map((p) => `  ${p.message}${p.expected !== null ? ` Expected ${p.expected}` : ''}${p.found !== null ? `, found ${p.found}` : ''}\n`)
    .join('')}`;
}

/** Runs `metalytics verify FILE`; exit 0 only for a good archive. */
export async function runVerify(core: Core, file: string, options: VerifyCommandOptions, output: CliOutput, env: NodeJS.ProcessEnv): Promise<number> {
  const passphrase = passphraseFrom(options.passphraseEnv, env);
  const verified = await invokeMethod(core, 'backups.verify', { path: file, ...(passphrase ? { passphrase } : {}) });
  if (!verified.ok) return reportFailure(output, verified.error, options.json);
  const report = verified.value;
  if (options.json) output.out(`${JSON.stringify(report, null, 2)}\n`);
  else if (report.ok) output.out(formatReport(file, report));
  else output.err(formatReport(file, report));
  if (report.ok) return exitCodes.ok;
  if (options.json) output.err(`${report.problems[0]?.message ?? 'The backup failed verification.'}\n`);
  return exitCodes.failure;
}

/** Runs `metalytics backups list`. */
export async function runBackupsList(core: Core, options: BackupsListOptions, output: CliOutput): Promise<number> {
  const listed = await invokeMethod(core, 'backups.list', {});
  if (!listed.ok) return reportFailure(output, listed.error, options.json);
  const { backups } = listed.value;
  if (options.json) {
    output.out(`${JSON.stringify(backups, null, 2)}\n`);
    return exitCodes.ok;
  }
  if (backups.length === 0) {
    output.out('No backups yet; make one with `metalytics backup`.\n');
    return exitCodes.ok;
  }
  output.out(
    formatTable(
      ['created (UTC)', 'kind', 'status', 'size', 'schema', 'file'],
      backups.map((b) => [formatTime(b.createdAt), b.kind, b.status, formatBytes(b.sizeBytes), b.schemaVersion, b.path]),
      new Set([3]),
    ),
  );
  return exitCodes.ok;
}

/**
 * Runs `metalytics backups folder [PATH]`: prints where new backups go, or makes PATH (relative
 * to the working directory) or, with --default, the data folder's `backups` folder the place.
 */
export async function runBackupsFolder(core: Core, folder: string | undefined, options: BackupsFolderOptions, output: CliOutput): Promise<number> {
  if (folder !== undefined && options.default) throw new CliError('Give a folder or --default, not both.', exitCodes.usage);
  const answered =
    folder === undefined && !options.default
      ? await invokeMethod(core, 'backups.status', {})
      : await invokeMethod(core, 'backups.setFolder', { folder: options.default ? null : path.resolve(folder!) });
  if (!answered.ok) return reportFailure(output, answered.error, options.json);
  const resolved = answered.value.folder;
  if (options.json) output.out(`${JSON.stringify({ folder: resolved })}\n`);
  else output.out(folder === undefined && !options.default ? `${resolved}\n` : `New backups go to ${resolved}; earlier ones stay where they are.\n`);
  return exitCodes.ok;
}
