import {
  BulkOperationError,
  ConfigurationError,
  ConflictError,
  ConstraintViolationError,
  DatabaseError,
  DriverError,
  InvalidDataError,
  LockingOptionError,
  OptimisticLockError,
  OptionError,
  RepositoryError,
  TransactionOptionError,
  TransientDatabaseError,
} from '../../src';

describe('error families', () => {
  it('every database error is a DriverError, the unclassified one a DatabaseError only', () => {
    const errors = [
      new ConflictError('dup'),
      new ConstraintViolationError('CHECK_VIOLATION', 'check'),
      new InvalidDataError('too long'),
      new TransientDatabaseError('DEADLOCK', 'not-applied', 'deadlock'),
      new DatabaseError('odd', 'XX999'),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(DriverError);
      expect(error).toBeInstanceOf(RepositoryError);
    }
    expect(errors.filter((e) => e instanceof DatabaseError)).toEqual([errors[4]]);
    expect(new OptimisticLockError('E', 1, 1, 2)).not.toBeInstanceOf(DriverError);
  });

  it('option errors are configuration errors that keep their class, name and code', () => {
    const cases = [
      [new OptionError('a', 'b', 1), OptionError, 'INVALID_CONFIGURATION'],
      [new LockingOptionError('a', 'b', 1), LockingOptionError, 'INVALID_LOCKING_OPTION'],
      [LockingOptionError.invalid('a', 'b', 1), LockingOptionError, 'INVALID_LOCKING_OPTION'],
      [
        TransactionOptionError.invalid('a', 'b', 1),
        TransactionOptionError,
        'INVALID_TRANSACTION_OPTION',
      ],
    ] as const;
    for (const [error, errorClass, code] of cases) {
      expect(error).toBeInstanceOf(errorClass);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error).toMatchObject({ code, name: errorClass.name, option: 'a', expected: 'b' });
      expect(error.message).toBe('a must be b, got 1');
    }
    expect(new ConfigurationError('x').code).toBe('INVALID_CONFIGURATION');
  });

  it('factories build the error their name says', () => {
    const conflict = OptimisticLockError.versionMismatch('Account', 7, 3, 4, 2);
    expect(conflict).toMatchObject({
      code: 'OPTIMISTIC_LOCK_CONFLICT',
      expectedVersion: 3,
      actualVersion: 4,
      attempts: 2,
    });
    expect(conflict.message).toBe('Account 7: expected version 3, found 4 after 2 attempts');
    expect(ConfigurationError.needsColumn('Item', 'soft delete', 'DeleteDateColumn').message).toBe(
      'Item: soft delete needs a @DeleteDateColumn',
    );
    const rolledBack = BulkOperationError.atomicFailed('Item', [
      { index: 1, code: 'X', message: 'm' },
    ]);
    expect(rolledBack.message).toBe('Item: bulk create rolled back, 1 row(s) failed');
  });
});
