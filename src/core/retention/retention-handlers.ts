import type { CoreContext } from '../context';
import type { HandlerMap } from '../handlers';
import { notYet } from '../backups/backups-handlers';

export function retentionHandlers(_ctx: CoreContext): HandlerMap {
  return {
    'retention.estimate': () => notYet('retention.estimate'),
    'retention.apply': () => notYet('retention.apply'),
  };
}
