import type { EntityManager, ObjectLiteral } from 'typeorm';
import type { RepositoryContext } from '../repository/repository-context';
import { ambientManager } from '../transactions/ambient-transaction';
import { boundContext } from './manager-binding';

/**
 * Which context a repository's call runs on: the one it is bound to in this call chain
 * (`withManager`, `transaction()`), else its context on the transaction `withTransaction` has
 * open for the DataSource in this call chain (made once per transaction), else its own.
 */
export class CallContext<T extends ObjectLiteral> {
  readonly #joined = new WeakMap<EntityManager, RepositoryContext<T>>();

  constructor(private readonly own: RepositoryContext<T>) {}

  of(repository: object): RepositoryContext<T> {
    const bound = boundContext<RepositoryContext<T>>(repository);
    if (bound) return bound;
    const ambient = ambientManager(this.own.dataSource);
    if (!ambient) return this.own;
    let joined = this.#joined.get(ambient);
    if (!joined) this.#joined.set(ambient, (joined = this.own.withManager(ambient)));
    return joined;
  }
}
