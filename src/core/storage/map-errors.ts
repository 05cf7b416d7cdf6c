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
