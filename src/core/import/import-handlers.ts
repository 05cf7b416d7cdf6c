import type { CoreContext } from '../context';
import type { HandlerMap } from '../handlers';
import { importCsv, previewImport } from './import-service';

export function importHandlers(ctx: CoreContext): HandlerMap {
  return {
    'import.preview': (input) => previewImport(ctx, input),
    'import.csv': (input) => importCsv(ctx, input),
  };
}
