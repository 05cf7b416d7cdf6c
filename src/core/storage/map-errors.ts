/** The error and what it wraps: drizzle reports a driver error as the `cause` of its own. */
export function* causes(error: unknown): Generator<Error> {
  for (let current = error; current instanceof Error; current = current.cause) yield current;
}

/** The first string `code` along the cause chain that `accept` takes, e.g. a SQLSTATE or SQLITE_ code. */
export function codeOf(error: unknown, accept: (code: string) => boolean = () => true): string | undefined {
  for (const e of causes(error)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && accept(code)) return code;
  }
  return undefined;
}

/**
 * Wraps every method of a repository so its failures reach callers as contract errors:
 * one place instead of a try/catch in each query. `translate` is the dialect's mapping.
 */
export function mapErrors<T extends object>(repository: T, translate: (error: unknown) => unknown): T {
  return new Proxy(repository, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        try {
          return await (value as (...a: unknown[]) => unknown).apply(target, args);
        } catch (error) {
          throw translate(error);
        }
      };
    },
  });
}
