/**
 * The backup and data-retention preferences kept in settings; apart from backups.ts so that
 * the settings schema can hold them without importing the backups contract.
 */
import { z } from 'zod';

/** How many backups the keep rules leave after each successful one, as restic's `--keep-*`. */
export const keepRulesSchema = z.object({
  daily: z.number().int().min(0).max(3_650).default(7),
  weekly: z.number().int().min(0).max(520).default(4),
  monthly: z.number().int().min(0).max(1_200).default(12),
});
export type KeepRules = z.infer<typeof keepRulesSchema>;

/** The user's backup preferences, kept in settings (`settings.backups`). */
export const backupSettingsSchema = z.object({
  /** Where backups are written; absent = the data folder's `backups` folder. Set from the desktop or the CLI only. */
  folder: z.string().min(1).max(4096).optional(),
  keep: keepRulesSchema.default({ daily: 7, weekly: 4, monthly: 12 }),
  /** Days a safety backup (before a restore or a migration) is kept. */
  safetyDays: z.number().int().min(1).max(3_650).default(30),
});
export type BackupSettings = z.infer<typeof backupSettingsSchema>;

/** Raw 1m bars older than this are rolled up into stored 1h bars and deleted (`settings.retention`). */
export const retentionSettingsSchema = z.object({
  /** Null = minute bars are kept forever. */
  minuteBarsDays: z.number().int().min(1).max(36_500).nullable().default(null),
});
export type RetentionSettings = z.infer<typeof retentionSettingsSchema>;

