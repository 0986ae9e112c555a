import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which repositories are bound to another EntityManager (a transaction's) in the current async
 * call chain, each with the context it runs on there. A repository reads its binding on every
 * call, so binding never copies the object: a user subclass keeps its `#private` fields, its
 * own state and its methods, which a clone (`Object.create` + `Object.assign`) would lose.
 */
const BINDINGS = new AsyncLocalStorage<ReadonlyMap<object, unknown>>();

/** The context `repository` is bound to in this call chain, if any. */
export function boundContext<C>(repository: object): C | undefined {
  return BINDINGS.getStore()?.get(repository) as C | undefined;
}

/** Runs `work` with `repository` bound to `context`; bindings made further out are kept. */
export function runBound<R>(repository: object, context: unknown, work: () => R): R {
  const bindings = new Map(BINDINGS.getStore()).set(repository, context);
  return BINDINGS.run(bindings, work);
}

/**
 * `repository` as a value bound to `context`: every method called on it runs bound, with `this`
 * the repository itself (so its private fields are there), and a method that returns the
 * repository returns the bound view instead. Properties read and written pass through.
 */
export function boundView<R extends object>(repository: R, context: unknown): R {
  const methods = new WeakMap<(...args: unknown[]) => unknown, (...args: unknown[]) => unknown>();
  const view: R = new Proxy(repository, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || property === 'constructor') return value;
      const method = value as (...args: unknown[]) => unknown;
      let bound = methods.get(method);
      if (!bound) {
        bound = (...args: unknown[]) => {
          const result = runBound(target, context, () => method.apply(target, args));
          return result === target ? view : result;
        };
        methods.set(method, bound);
      }
      return bound;
    },
  });
  return view;
}
