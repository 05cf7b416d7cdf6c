import type { CoreContext } from '../context';
import type { HandlerMap } from '../handlers';
import { materializeFeatures, queryFeatures } from './materialize';

/** Feature sets materialised into `feature_store`. */
export function featuresHandlers(ctx: CoreContext): HandlerMap {
  return {
    'features.materialize': (input) => materializeFeatures(ctx, input),
    'features.query': (input) => queryFeatures(ctx, input),
  };
}
