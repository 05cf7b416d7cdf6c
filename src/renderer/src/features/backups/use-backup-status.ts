import type { MethodOutput } from '../../../../shared/contract';
import { api } from '../../api/client';
import { createSharedQuery, useSharedQuery, type SharedQuerySnapshot } from '../../api/shared-query';

/** The age shown ticks in minutes; the answer itself changes only when a backup, drill or restore ends. */
const STATUS_REFRESH_MS = 60_000;

const backupStatus = createSharedQuery(api, 'backups.status', {}, { refreshMs: STATUS_REFRESH_MS, reloadOn: ['job.finished', 'settings.changed'] });

/** backups.status, one copy for the status bar and the Backups screen. */
export function useBackupStatus(): SharedQuerySnapshot<MethodOutput<'backups.status'>> & { reload(): void } {
  return { ...useSharedQuery(backupStatus), reload: backupStatus.reload };
}
