import type { MetalyticsApi } from '../../../shared/api';
import type { MethodInput, MethodName, MethodOutput } from '../../../shared/contract';
import type { Result } from '../../../shared/errors';
import { unwrap } from './api-error';
import { createWebClient, takeAccessToken } from './web-client';

/** The Electron preload provides the API; a plain browser (headless `metalytics serve`) builds it over HTTP. */
export const api: MetalyticsApi =
  window.metalytics ?? createWebClient({ token: takeAccessToken(window.location, window.history, window.sessionStorage) });

/** Calls a contract method and returns its value, or throws an ApiError with the contract code. */
export async function call<M extends MethodName>(name: M, input?: MethodInput<M>): Promise<MethodOutput<M>> {
  const method = api.methods[name] as (input?: MethodInput<M>) => Promise<Result<MethodOutput<M>>>;
  return unwrap(await method(input));
}
