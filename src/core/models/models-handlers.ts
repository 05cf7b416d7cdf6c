import { modelMethods } from '../../shared/models';
import { AppError } from '../../shared/errors';
import type { CoreContext } from '../context';
import type { HandlerMap } from '../handlers';

/** Placeholder while the models service is assembled; every method answers UNAVAILABLE. */
export function modelsHandlers(_ctx: CoreContext): HandlerMap {
  const unavailable = () => {
    throw new AppError('UNAVAILABLE', 'Models are being built');
  };
  return Object.fromEntries(Object.keys(modelMethods).map((name) => [name, unavailable])) as HandlerMap;
}
