import type { Core } from '../core/create-core';
import type { MethodInput, MethodName, MethodOutput } from '../shared/contract';
import type { Result } from '../shared/errors';

/** `core.invoke` typed by method; sound because each handler is typed to return its method's output, and tests check every reply against the contract. */
export function invokeMethod<M extends MethodName>(core: Core, name: M, input: MethodInput<M>): Promise<Result<MethodOutput<M>>> {
  return core.invoke(name, input) as Promise<Result<MethodOutput<M>>>;
}
