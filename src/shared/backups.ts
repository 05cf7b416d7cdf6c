/**
 * Backups as they cross the contract: the archive's manifest (also stored with each backup's
 * row), what `backups.*` answer, and their events.
 */
import { z } from 'zod';
import { backupSettingsSchema } from './backup-settings';
import { databaseModeSchema, epochMsSchema, runIdFields } from './domain';

/** One piece of the archive, stored compressed; `bytes` and `sha256` are of its content before compression. */
export const archivePartSchema = z.object({
  name: z.string(),
  kind: z.enum(['database', 'table', 'model', 'settings', 'secrets']),
  /** Where its compressed bytes start in the archive file, and how many there are. */
  offset: z.number().int().nonnegative(),
  storedBytes: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ArchivePart = z.infer<typeof archivePartSchema>;

/** Row count and content checksum of one table, computed the same way on every engine (see table-digest.ts). */
export const tableDigestSchema = z.object({
  name: z.string(),
  rows: z.number().int().nonnegative(),
  checksum: z.string().regex(/^[0-9a-f]{64}$/),
});
export type TableDigestSummary = z.infer<typeof tableDigestSchema>;

/** How the secrets part was sealed: AES-256-GCM under a key scrypt derives from the passphrase. */
export const sealedSecretsSchema = z.object({
  kdf: z.literal('scrypt'),
  cost: z.number().int().positive(),
  blockSize: z.number().int().positive(),
  parallelization: z.number().int().positive(),
  salt: z.string(),
  iv: z.string(),
  authTag: z.string(),
  /** Which secrets are inside, never their values. */
  names: z.array(z.string()),
});
export type SealedSecrets = z.infer<typeof sealedSecretsSchema>;

export const archiveManifestSchema = z.object({
  formatVersion: z.number().int().positive(),
  appVersion: z.string(),
  /** The last migration applied to the database that was backed up. */
  schemaVersion: z.string(),
  createdAt: epochMsSchema,
  database: databaseModeSchema,
  tables: z.array(tableDigestSchema),
  parts: z.array(archivePartSchema),
  /** Null when the backup was made without a passphrase: then it holds no secret at all. */
  secrets: sealedSecretsSchema.nullable(),
});
export type ArchiveManifest = z.infer<typeof archiveManifestSchema>;

/** One thing verification found wrong; `part` and `table` say where, `expected` and `found` what. */
export const verifyProblemSchema = z.object({
  part: z.string().nullable(),
  table: z.string().nullable(),
  message: z.string(),
  expected: z.string().nullable(),
  found: z.string().nullable(),
});
export type VerifyProblem = z.infer<typeof verifyProblemSchema>;

export const verifyReportSchema = z.object({
  ok: z.boolean(),
  /** Null when the archive could not be read far enough to find its manifest. */
  manifest: archiveManifestSchema.nullable(),
  problems: z.array(verifyProblemSchema),
});
export type VerifyReport = z.infer<typeof verifyReportSchema>;

export const backupKinds = ['manual', 'scheduled', 'safety'] as const;
export const backupStatuses = ['running', 'verified', 'failed'] as const;

export const backupSchema = z.object({
  id: z.string(),
  createdAt: epochMsSchema,
  finishedAt: epochMsSchema.nullable(),
  kind: z.enum(backupKinds),
  /** `verified` only once the written archive passed verification; a failed one is never listed as good. */
  status: z.enum(backupStatuses),
  path: z.string(),
  sizeBytes: z.number().int().nullable(),
  sha256: z.string().nullable(),
  schemaVersion: z.string(),
  appVersion: z.string(),
  encrypted: z.boolean(),
  verifiedAt: epochMsSchema.nullable(),
  error: z.string().nullable(),
  /** Pinned backups are never pruned by the keep rules. */
  pinned: z.boolean(),
});
export type Backup = z.infer<typeof backupSchema>;

/** One instrument's stored bars of one timeframe: what a restore would replace and with what. */
export const seriesExtentSchema = z.object({ first: epochMsSchema, last: epochMsSchema, count: z.number().int().nonnegative() });
export const restoreChangeSchema = z.object({
  symbol: z.string(),
  timeframe: z.string(),
  /** Null when the series is absent there. */
  current: seriesExtentSchema.nullable(),
  archive: seriesExtentSchema.nullable(),
  /** e.g. "you lose 3 days of XAUUSD 1m bars" or "you gain 2014–2017 of BTCUSD 1d"; null when identical. */
  sentence: z.string().nullable(),
});
export type RestoreChange = z.infer<typeof restoreChangeSchema>;

export const restorePreviewSchema = z.object({
  report: verifyReportSchema,
  /** Per series, only those that differ. */
  changes: z.array(restoreChangeSchema),
  /** Rows per table now and in the archive, for the tables that differ. */
  tables: z.array(z.object({ name: z.string(), current: z.number().int(), archive: z.number().int() })),
  /** The archive's models, settings and secrets, in words ("12 model files; settings; no secrets"). */
  alsoRestored: z.array(z.string()),
});
export type RestorePreview = z.infer<typeof restorePreviewSchema>;

/** A restore drill: the latest verified backup restored into a scratch place and queried. */
export const restoreDrillSchema = z.object({
  id: z.string(),
  backupId: z.string(),
  at: epochMsSchema,
  ok: z.boolean(),
  durationMs: z.number().int().nonnegative(),
  /** The known queries and their answers: bars and last close per symbol and timeframe. */
  checks: z.array(z.object({ symbol: z.string(), timeframe: z.string(), bars: z.number().int(), lastClose: z.number().nullable() })),
  error: z.string().nullable(),
});
export type RestoreDrill = z.infer<typeof restoreDrillSchema>;

export const restoreOutcomeSchema = z.object({
  /** The backup (or archive) restored. */
  from: z.string(),
  /** The backup of the state before, which undoes this restore when restored. */
  safetyBackupId: z.string().nullable(),
  database: databaseModeSchema,
  tables: z.array(z.object({ name: z.string(), rows: z.number().int() })),
  finishedAt: epochMsSchema,
});
export type RestoreOutcome = z.infer<typeof restoreOutcomeSchema>;

/** Retention's estimate for one instrument: what rolling up its old minute bars would do. */
export const retentionEstimateSchema = z.object({
  symbol: z.string(),
  minuteBars: z.number().int().nonnegative(),
  hourBars: z.number().int().nonnegative(),
  before: epochMsSchema,
  bytesFreed: z.number().int().nonnegative(),
});

/** A listed backup by id, or (from the CLI only) an archive file by path, with its passphrase if it holds secrets. */
const backupSourceInput = z
  .object({ id: z.string().min(1).optional(), path: z.string().min(1).max(4096).optional(), passphrase: z.string().min(1).max(1024).optional() })
  .strict()
  .refine((r) => (r.id === undefined) !== (r.path === undefined), { message: 'Give the backup `id` or the archive `path`, once' });

export const backupMethods = {
  /**
   * Writes and verifies a backup as a job of kind `backup` (progress as job.progress and
   * backup.progress); answers with the run at once, or with the finished backup given `wait`.
   */
  'backups.create': {
    input: z
      .object({
        /** The archive to write; absent = a new file in the data folder's `backups` folder. */
        path: z.string().min(1).max(4096).optional(),
        /** With one, the secrets are included, sealed with it; without, they are left out. */
        passphrase: z.string().min(8).max(1024).optional(),
        wait: z.boolean().default(false),
      })
      .strict()
      .default({ wait: false }),
    output: z.object({ ...runIdFields, backupId: z.string(), backup: backupSchema.nullable() }),
  },
  /** Newest first. */
  'backups.list': {
    input: z.object({ limit: z.number().int().min(1).max(1000).default(100) }).strict().default({ limit: 100 }),
    output: z.object({ backups: z.array(backupSchema) }),
  },
  /** Verifies a listed backup (by id) or any archive file (by path); the backup's row records the outcome. */
  'backups.verify': {
    input: backupSourceInput,
    output: verifyReportSchema,
  },
  /** Deletes the archive file and its row. */
  'backups.delete': {
    input: z.object({ id: z.string().min(1) }).strict(),
    output: z.object({ id: z.string(), deleted: z.boolean() }),
  },
  /** Verifies an archive and says what restoring it would replace, per instrument and timeframe; changes nothing. */
  'backups.preview': {
    input: backupSourceInput,
    output: restorePreviewSchema,
  },
  /**
   * Verifies, takes a safety backup of the current state, restores into a new database and
   * switches over, as a job of kind `restore`. Restoring the outcome's `safetyBackupId` undoes it.
   */
  'backups.restore': {
    input: z
      .object({
        id: z.string().min(1).optional(),
        path: z.string().min(1).max(4096).optional(),
        passphrase: z.string().min(1).max(1024).optional(),
        wait: z.boolean().default(false),
      })
      .strict()
      .refine((r) => (r.id === undefined) !== (r.path === undefined), { message: 'Give the backup `id` or the archive `path`, once' }),
    output: z.object({ ...runIdFields, restore: restoreOutcomeSchema.nullable() }),
  },
  /** Pins a backup so that the keep rules never prune it, or unpins it. */
  'backups.pin': {
    input: z.object({ id: z.string().min(1), pinned: z.boolean() }).strict(),
    output: backupSchema,
  },
  /**
   * Makes `folder` (a full path) where new backups are written, or the data folder's `backups`
   * folder again with null. A path, so only the CLI and the desktop's folder chooser may name
   * one (see requestedBackupPath); archives already written stay where they are, still listed.
   */
  'backups.setFolder': {
    input: z.object({ folder: z.string().min(1).max(4096).nullable() }).strict(),
    output: z.object({ folder: z.string() }),
  },
  /** What the status bar and the Backups screen show about the backups as a whole. */
  'backups.status': {
    input: z.object({}).strict().default({}),
    output: z.object({
      lastGood: backupSchema.nullable(),
      /** The interval the enabled backup schedules promise (the shortest); null when none is scheduled. */
      promisedIntervalMs: z.number().int().positive().nullable(),
      /** True when the last good backup is older than the schedule promises (or missing while one is scheduled). */
      overdue: z.boolean(),
      lastDrill: restoreDrillSchema.nullable(),
      lastRestore: restoreOutcomeSchema.nullable(),
      /** The folder backups are written to, resolved. */
      folder: z.string(),
      settings: backupSettingsSchema,
    }),
  },
  /** Minute bars the retention setting would roll up and delete now, per instrument, with the space freed. */
  'retention.estimate': {
    input: z.object({ minuteBarsDays: z.number().int().min(1).max(36_500).optional() }).strict().default({}),
    output: z.object({ before: epochMsSchema.nullable(), instruments: z.array(retentionEstimateSchema), bytesFreed: z.number().int().nonnegative() }),
  },
  /** Rolls up and deletes now, as a job of kind `retention`. */
  'retention.apply': {
    input: z.object({ wait: z.boolean().default(false) }).strict().default({ wait: false }),
    output: z.object({ ...runIdFields, instruments: z.array(retentionEstimateSchema).nullable() }),
  },
} as const;

/**
 * The archive file (or, for `backups.setFolder`, the folder) a backups request names, if any,
 * before the input is validated: only the CLI may name one. Over HTTP and from the window a
 * backup is written to the backup folder and verified by its id, so no caller can make the app
 * write or read an arbitrary file; the desktop sets the folder from its own folder chooser.
 */
export function requestedBackupPath(method: string, input: unknown): string | null {
  const field = method === 'backups.setFolder' ? 'folder' : 'path';
  if (!['backups.create', 'backups.verify', 'backups.preview', 'backups.restore', 'backups.setFolder'].includes(method)) return null;
  if (typeof input !== 'object' || input === null) return null;
  const named = (input as Record<string, unknown>)[field];
  return typeof named === 'string' ? named : null;
}
