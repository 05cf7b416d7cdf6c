import { createInterface } from 'node:readline/promises';
import path from 'node:path';
import type { Core } from '../core/create-core';
import type { Backup, RestoreOutcome, RestorePreview, VerifyReport } from '../shared/backups';
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

export interface RestoreCommandOptions {
  yes?: boolean;
  passphraseEnv?: string;
  json?: boolean;
}

/** Asks one yes/no question on the terminal; anything but yes is no. */
export type Confirm = (question: string) => Promise<boolean>;

/** A terminal's yes/no, or null when there is no terminal to ask on. */
export function terminalConfirm(): Confirm | null {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return null;
  return async (question) => {
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
    } finally {
      prompt.close();
    }
  };
}

function formatPreview(file: string, preview: RestorePreview): string {
  const changes = preview.changes.map((c) => `  ${c.sentence ?? `${c.symbol} ${c.timeframe}`}\n`).join('');
  const tables = preview.tables.map((t) => `  ${t.name}: ${formatCount(t.current)} rows now, ${formatCount(t.archive)} in the backup\n`).join('');
  return (
    `Restoring ${file} replaces the whole workspace with the backup's.\n` +
    (changes ? `Bars:\n${changes}` : 'Bars: the same as now.\n') +
    (tables ? `Tables:\n${tables}` : '') +
    (preview.alsoRestored.length > 0 ? `Also restored: ${preview.alsoRestored.join('; ')}.\n` : '') +
    'A safety backup of the current workspace is taken first; restoring it undoes this restore.\n'
  );
}

/**
 * Runs `metalytics restore FILE`: verifies and previews the archive, asks before replacing the
 * workspace (unless --yes; never without a terminal to ask on), then restores with progress on stderr.
 */
export async function runRestore(
  core: Core,
  file: string,
  options: RestoreCommandOptions,
  output: CliOutput,
  env: NodeJS.ProcessEnv,
  confirm: Confirm | null,
): Promise<number> {
  const passphrase = passphraseFrom(options.passphraseEnv, env);
  const source = { path: file, ...(passphrase ? { passphrase } : {}) };
  const previewed = await invokeMethod(core, 'backups.preview', source);
  if (!previewed.ok) return reportFailure(output, previewed.error, options.json);
  if (!previewed.value.report.ok) {
    output.err(formatReport(file, previewed.value.report));
    return exitCodes.failure;
  }
  output.err(formatPreview(file, previewed.value));
  if (!options.yes) {
    if (confirm === null) throw new CliError('Restoring replaces the workspace: run it on a terminal to confirm, or pass --yes.', exitCodes.usage);
    if (!(await confirm('Replace the current workspace with this backup?'))) {
      output.err('Nothing was restored.\n');
      return exitCodes.cancelled;
    }
  }
  const progress = watchJobProgress(core, output, { kind: 'restore', label: 'Restoring', noun: 'the restore' });
  try {
    const restored = await invokeMethod(core, 'backups.restore', { ...source, wait: true });
    progress.finish();
    if (!restored.ok) return reportFailure(output, restored.error, options.json);
    const outcome = restored.value.restore as RestoreOutcome;
    if (options.json) {
      output.out(`${JSON.stringify(outcome, null, 2)}\n`);
      return exitCodes.ok;
    }
    output.out(
      `Restored ${file}\n${formatFields([
        ['database', outcome.database],
        ['rows', formatCount(outcome.tables.reduce((sum, t) => sum + t.rows, 0))],
        ['undo', outcome.safetyBackupId ? `restore the safety backup ${outcome.safetyBackupId}` : '—'],
      ])}`,
    );
    return exitCodes.ok;
  } finally {
    progress.dispose();
  }
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
