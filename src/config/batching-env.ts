import { flagText, positiveIntegerText } from './option-checks';

type Env = Readonly<Record<string, string | undefined>>;

/** The seed drainer's two variables, read once for write coalescing and write-behind alike. */
export interface BatchingEnv {
  /** `BATCHED_CREATE_ENABLED`: `true`/`1`, `false`/`0`, in any case. */
  readonly enabled?: boolean;
  /** `INSERT_BATCH_SIZE`: a positive integer. */
  readonly batchSize?: number;
}

/**
 * `BATCHED_CREATE_ENABLED` and `INSERT_BATCH_SIZE` from `env`. Unset or empty variables are left
 * out; anything else is an `OptionError` naming the variable.
 */
export function batchingFromEnv(env: Env): BatchingEnv {
  const out: { enabled?: boolean; batchSize?: number } = {};
  const enabled = env.BATCHED_CREATE_ENABLED;
  if (enabled !== undefined && enabled !== '') {
    out.enabled = flagText('BATCHED_CREATE_ENABLED', enabled);
  }
  const size = env.INSERT_BATCH_SIZE;
  if (size !== undefined && size !== '') {
    out.batchSize = positiveIntegerText('INSERT_BATCH_SIZE', size);
  }
  return out;
}
