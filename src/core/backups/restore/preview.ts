import type { RestorePreview } from '../../../shared/backups';
import { AppError } from '../../../shared/errors';
import type { CoreContext } from '../../context';

/** What restoring the archive would replace, per instrument and timeframe; changes nothing. */
export async function previewRestore(_ctx: Pick<CoreContext, 'storage' | 'ports'>, _archive: { path: string; passphrase?: string }): Promise<RestorePreview> {
  throw new AppError('UNAVAILABLE', 'backups.preview is not available in this build yet.');
}
