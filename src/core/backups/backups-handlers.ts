import path from 'node:path';
import type { CoreContext } from '../context';
import type { EventBus } from '../events';
import type { HandlerMap } from '../handlers';
import { runIds } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import { deleteBackup, startBackup, verifyBackup } from './backups';
import { backupsStatus, pinBackup, setBackupFolder } from './backup-catalogue';
import { previewRestore } from './restore/preview';
import { startRestore } from './restore-workspace';
import { verifyArchive } from './verify';

/** backup.progress is the backup runs' job.progress under the name the Backups screen listens to; once per core. */
export function forwardBackupProgress(events: EventBus): void {
  events.subscribe((message) => {
    if (message.name === 'job.progress' && message.payload.kind === 'backup') events.emit('backup.progress', message.payload);
  });
}

export function backupsHandlers(ctx: CoreContext): HandlerMap {
  return {
    'backups.create': async ({ path: target, passphrase, wait }) => {
      const started = await startBackup(ctx, { path: target, passphrase, kind: 'manual' });
      const ids = { ...runIds(started.runId), backupId: started.backupId };
      if (wait) return { ...ids, backup: await started.finished };
      // The ending is reported by job.finished and the backup's row; nobody awaits it here.
      started.finished.catch(() => undefined);
      return { ...ids, backup: null };
    },
    'backups.list': async ({ limit }) => ({ backups: await ctx.storage.backups.list(limit) }),
    'backups.verify': async ({ id, path: file, passphrase }) =>
      id !== undefined
        ? verifyBackup(ctx, id, passphrase)
        : verifyArchive(path.resolve(file as string), { passphrase, sqliteNativeBinding: ctx.ports.config.sqliteNativeBinding }),
    'backups.delete': async ({ id }) => ({ id, deleted: await deleteBackup(ctx, id) }),
    'backups.preview': async ({ id, path: file, passphrase }) => {
      if (id === undefined) return previewRestore(ctx, { path: path.resolve(file as string), passphrase });
      const backup = await ctx.storage.backups.get(id);
      if (!backup) throw new AppError('NOT_FOUND', `No backup ${id}.`);
      return previewRestore(ctx, { path: backup.path, passphrase });
    },
    'backups.restore': async ({ id, path: file, passphrase, wait }) => {
      const started = await startRestore(ctx, { id, path: file, passphrase });
      if (wait) return { ...runIds(started.runId), restore: await started.finished };
      // The ending is reported by job.finished; nobody awaits it here.
      started.finished.catch(() => undefined);
      return { ...runIds(started.runId), restore: null };
    },
    'backups.status': () => backupsStatus(ctx),
    'backups.pin': ({ id, pinned }) => pinBackup(ctx, id, pinned),
    'backups.setFolder': async ({ folder }) => ({ folder: await setBackupFolder(ctx, folder) }),
  };
}
