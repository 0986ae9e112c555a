/** Distinct column signatures remembered per entity, so that odd input cannot grow memory. */
export const MAX_TRACKED_SIGNATURES = 1000;

/**
 * The distinct column signatures seen per entity (the seed's SchemaVariationAlert): above one,
 * callers of an entity send different sets of fields, so their entries cannot share a statement.
 */
export class SignatureVariations {
  /** Times an entity that already had a signature showed a new one. */
  alerts = 0;
  readonly #seen = new Map<string, Set<string>>();

  /** Remembers the signature an entry of `entity` had. */
  observe(entity: string, signature: string): void {
    let seen = this.#seen.get(entity);
    if (!seen) {
      seen = new Set();
      this.#seen.set(entity, seen);
    }
    if (seen.has(signature) || seen.size >= MAX_TRACKED_SIGNATURES) return;
    if (seen.size > 0) this.alerts++;
    seen.add(signature);
  }

  /** Distinct signatures per entity, at most {@link MAX_TRACKED_SIGNATURES} each. */
  perEntity(): Record<string, number> {
    return Object.fromEntries([...this.#seen].map(([entity, seen]) => [entity, seen.size]));
  }
}
