/**
 * The tenant a test's repository resolves, switched per call as a service's request context
 * would: pass `resolve` as the repository's `tenant.resolve`, and run each call inside `as`.
 */
export function tenantSwitch(): {
  readonly resolve: () => string | undefined;
  readonly as: <R>(tenant: string, fn: () => Promise<R>) => Promise<R>;
} {
  let current: string | undefined;
  return {
    resolve: () => current,
    as: async (tenant, fn) => {
      current = tenant;
      try {
        return await fn();
      } finally {
        current = undefined;
      }
    },
  };
}
