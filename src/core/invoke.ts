import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { isMethodName, methods, methodNames, type MethodName } from '../shared/contract';
import { AppError, fail, INTERNAL_ERROR_MESSAGE, ok, type ErrorPayload, type Result } from '../shared/errors';
import { readVariable, type Environment } from './config/environment';
import type { CompleteHandlerMap, HandlerMap } from './handlers';
import type { Logger } from './ports';

/**
 * Merges each module's handlers, refusing a duplicate name, a name the contract does not
 * list, or a contract method nobody handles: a mismatch is a programming error caught at start.
 */
export function mergeHandlers(groups: Record<string, HandlerMap>): CompleteHandlerMap {
  const merged: Record<string, unknown> = {};
  const owner: Record<string, string> = {};
  for (const [group, handlers] of Object.entries(groups)) {
    for (const [name, handler] of Object.entries(handlers)) {
      if (!isMethodName(name)) throw new Error(`Handler "${name}" in ${group} has no contract entry`);
      if (owner[name]) throw new Error(`Handler "${name}" is registered by both ${owner[name]} and ${group}`);
      owner[name] = group;
      merged[name] = handler;
    }
  }
  const missing = methodNames.filter((name) => !merged[name]);
  if (missing.length > 0) throw new Error(`Contract methods without a handler: ${missing.join(', ')}`);
  return merged as CompleteHandlerMap;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** The one place that turns anything thrown into a contract error. */
export function toErrorPayload(error: unknown, logger?: Logger, method?: string): ErrorPayload {
  if (error instanceof AppError) return error.toPayload();
  if (error instanceof z.ZodError) {
    return { code: 'VALIDATION', message: describeIssues(error), details: { issues: error.issues } };
  }
  logger?.error('unexpected error', { method, error: error instanceof Error ? error.stack ?? error.message : String(error) });
  return { code: 'INTERNAL', message: INTERNAL_ERROR_MESSAGE };
}

export type Invoke = (name: string, input: unknown) => Promise<Result<unknown>>;

export interface InvokeOptions {
  /**
   * Checks every reply against the contract. That costs as much as the work itself on large
   * replies (bars.query sends up to 100,000 bars), so only development and tests pay for it;
   * the handlers produce the contract's shape themselves.
   */
  validateOutput: boolean;
}

/**
 * Whether a shell checks replies: under vitest and `npm run dev` (electron-vite sets NODE_ENV),
 * not in `npm start`, the packaged app or `metalytics serve`. Shells pass their process environment.
 */
export function shouldValidateOutput(environment: Environment): boolean {
  return readVariable(environment, 'NODE_ENV') === 'development' || readVariable(environment, 'VITEST') !== undefined;
}

/**
 * Why `value` is not a reply the contract allows, or null. Production sends the value as the
 * handler made it, so a reply the schema would change (strip a key, fill a default, transform)
 * is refused too: it would reach clients unchanged once the check is off.
 */
function replyProblem(output: z.ZodType, value: unknown): string | null {
  const checked = output.safeParse(value);
  if (!checked.success) return describeIssues(checked.error);
  if (!isDeepStrictEqual(checked.data, value)) return 'the contract schema would change the reply (an unknown key, a default or a transform)';
  return null;
}

/**
 * Validates input against the contract and runs the handler, so every transport (IPC, HTTP,
 * CLI) gets the same guarantees from one loop; with `validateOutput` it checks the reply too.
 */
export function createInvoke(handlers: CompleteHandlerMap, logger: Logger, options: InvokeOptions): Invoke {
  return async (name, rawInput) => {
    if (!isMethodName(name)) {
      return fail({ code: 'NOT_FOUND', message: `Unknown method "${name}"` });
    }
    const method = methods[name as MethodName];
    const parsed = method.input.safeParse(rawInput ?? undefined);
    if (!parsed.success) {
      return fail({ code: 'VALIDATION', message: `Invalid input for ${name}: ${describeIssues(parsed.error)}` });
    }
    try {
      const handler = handlers[name as MethodName] as (input: unknown) => unknown;
      const value = await handler(parsed.data);
      const problem = options.validateOutput ? replyProblem(method.output, value) : null;
      if (problem !== null) {
        logger.error('handler returned output outside the contract', { method: name, issues: problem });
        return fail({ code: 'INTERNAL', message: `${name} produced an invalid reply` });
      }
      return ok(value);
    } catch (error) {
      return fail(toErrorPayload(error, logger, name));
    }
  };
}
