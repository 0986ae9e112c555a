import { RepositoryError } from './repository-error';

/**
 * A `withTransaction` call whose `propagation` the call chain does not allow: `'mandatory'`
 * with no transaction open, `'never'` inside one, or `'requires-new'` inside one on a DataSource
 * with a single connection (SQLite), where the new transaction would wait for the open one
 * forever; raised before any SQL of the call runs. Also the error of a transaction that rolled
 * back at its end because a call that joined it had failed (`propagation: 'required'`).
 */
export class TransactionPropagationError extends RepositoryError {
  readonly code = 'TRANSACTION_PROPAGATION';

  constructor(
    readonly propagation: 'required' | 'mandatory' | 'never' | 'requires-new',
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }

  /**
   * A call that joined the transaction failed and its caller went on: what it wrote was not
   * undone, so the transaction rolled back instead of committing. The call's error is the `cause`.
   */
  static joinedCallFailed(cause: unknown): TransactionPropagationError {
    return new TransactionPropagationError(
      'required',
      'the transaction was rolled back: a call that joined it failed (use ' +
        `propagation 'nested' for a part that may fail alone): ${String(cause)}`,
      { cause },
    );
  }

  /** `'mandatory'`, and no transaction of the DataSource is open in the call chain. */
  static noneOpen(dataSource: string): TransactionPropagationError {
    return new TransactionPropagationError(
      'mandatory',
      `propagation 'mandatory': no transaction of ${dataSource} is open in this call chain`,
    );
  }

  /** `'never'`, inside an open transaction of the DataSource. */
  static alreadyOpen(dataSource: string): TransactionPropagationError {
    return new TransactionPropagationError(
      'never',
      `propagation 'never': a transaction of ${dataSource} is open in this call chain`,
    );
  }

  /** `'requires-new'` inside an open transaction, on a DataSource with one connection. */
  static oneConnection(dataSource: string): TransactionPropagationError {
    return new TransactionPropagationError(
      'requires-new',
      `propagation 'requires-new': ${dataSource} has one connection, held by the open transaction`,
    );
  }
}
