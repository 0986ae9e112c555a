import type { ObjectLiteral } from 'typeorm';
import type { RepositoryContext } from '../repository/repository-context';
import { CreateSink } from './create-sink';
import type { WriteCoalescer } from './write-coalescer';

/** Options of one `createBatched` call. */
export interface CreateBatchedOptions {
  /**
   * Write this entry at once by the single-row path (`create`), never waiting for a batch: for a
   * row the caller needs immediately, or one known to conflict.
   * @default false
   */
  readonly forceIndividual?: boolean;
}

/** One sink per repository context (repository and manager), so managers never share a batch. */
const sinks = new WeakMap<object, object>();

/** What `createBatched` falls back to: the repository's own `create`. */
export interface SingleRowCreate<T, C> {
  create(dto: C): Promise<T>;
}

/**
 * `repo.createBatched(dto)`: validated and tenant-stamped now, as `create` would, then written
 * with the other entries of its group. `repo.create` is the single-row path for calls that skip
 * coalescing: forced, inside a transaction, or with the coalescer disabled or closed.
 */
export function createBatched<T extends ObjectLiteral, C>(
  context: RepositoryContext<T>,
  dto: C,
  options: CreateBatchedOptions,
  repo: SingleRowCreate<T, C>,
  coalescer: WriteCoalescer,
): Promise<T> {
  // A transaction's connection is the caller's; its rows must not be written by anyone else.
  const reason = options.forceIndividual
    ? 'forced'
    : context.inTransaction
      ? 'transaction'
      : coalescer.bypassReason;
  if (reason) return coalescer.passThrough(reason, () => repo.create(dto));
  try {
    const values = context.validated('create', dto);
    // A compiled DTO check is synchronous: the entry is queued without a promise of its own.
    if (!(values instanceof Promise)) return submit(coalescer, context, values);
    return coalescer.track(values.then((checked) => submit(coalescer, context, checked)));
  } catch (error) {
    return Promise.reject(error); // bad input or tenant: the caller's promise rejects, as create's
  }
}

/** Queues validated values with the call's tenant, stamped now. Throws for a tenant at fault. */
function submit<T extends ObjectLiteral>(
  coalescer: WriteCoalescer,
  context: RepositoryContext<T>,
  values: Record<string, unknown>,
): Promise<T> {
  // The tenant of the call, not of whoever happens to be running when the batch is flushed.
  const tenant = context.tenant.current();
  context.tenant.stamp(values, tenant);
  const signature = Object.keys(values).sort().join('\u0000');
  return coalescer.submit(sinkOf(context), tenant ?? '', signature, { values, tenant });
}

function sinkOf<T extends ObjectLiteral>(context: RepositoryContext<T>): CreateSink<T> {
  let sink = sinks.get(context) as CreateSink<T> | undefined;
  if (!sink) {
    sink = new CreateSink(context);
    sinks.set(context, sink);
  }
  return sink;
}
