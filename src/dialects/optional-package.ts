import { ConfigurationError } from '../errors';

/** Node's error code for a module it cannot resolve (not one of the library's codes). */
const NODE_MODULE_NOT_FOUND = 'MODULE_NOT_FOUND';

/**
 * A package the library uses for one feature only (`pg-copy-streams` for COPY, say), loaded when
 * the feature first runs, so that a service that never uses it need not install it. These
 * packages are optional peer dependencies.
 *
 * @param feature what needs it, for the error: `bulk loads by COPY on PostgreSQL`
 * @throws ConfigurationError naming the package to install, when it is not installed
 */
export function optionalPackage<T>(name: string, feature: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as T;
  } catch (error) {
    const missing =
      (error as NodeJS.ErrnoException).code === NODE_MODULE_NOT_FOUND &&
      String((error as Error).message).includes(`'${name}'`);
    if (!missing) throw error;
    throw ConfigurationError.missingPackage(name, feature);
  }
}
