import type { ConfigurationErrorCode } from './error-codes';
import { RepositoryError } from './repository-error';

/**
 * The repository (or a store, a coalescer, the database URL) was set up wrongly. Raised by the
 * constructor, before any SQL. A single option out of range is the subclass `OptionError`.
 */
export class ConfigurationError extends RepositoryError {
  readonly code: ConfigurationErrorCode = 'INVALID_CONFIGURATION';

  /** `feature` needs a column the entity does not declare, e.g. soft delete a @DeleteDateColumn. */
  static needsColumn(
    entity: string,
    feature: string,
    decorator: 'DeleteDateColumn' | 'VersionColumn',
  ): ConfigurationError {
    return new ConfigurationError(`${entity}: ${feature} needs a @${decorator}`);
  }

  /** `feature` needs an optional peer dependency that is not installed. */
  static missingPackage(name: string, feature: string): ConfigurationError {
    return new ConfigurationError(`${feature} needs the package ${name}: npm install ${name}`);
  }
}
