import { sameValue } from './field-equality';

/** Settles one field changed on both sides; returns the value to write. */
export type FieldResolver = (
  field: string,
  ours: unknown,
  theirs: unknown,
  base: unknown,
) => unknown;

export interface MergeResult {
  /** What is left to write on top of `theirs`: our changes that it does not already hold. */
  readonly changes: Record<string, unknown>;
  /** Fields both sides changed to different values, unresolved (empty when `resolve` is given). */
  readonly conflicts: readonly string[];
}

/**
 * A three-way merge of our `changes` (computed from `base`) into `theirs`, the row as another
 * writer left it. Only the fields in `changes` are looked at: fields only they changed are already
 * in `theirs` and are kept by not writing them. For each of our fields:
 * - we did not actually change it (same as `base`): dropped, their value stands;
 * - they did not change it: our value is written;
 * - both changed it: settled by `resolve` when given (its value is written unless it is
 *   `undefined` or equals theirs), even when both arrived at the same value: two deposits of +10
 *   on 100 both make 110, and only the resolver knows that this means 120;
 * - without `resolve`, both changed it to the same value: nothing to write; to different values:
 *   a conflict, listed in `conflicts`.
 */
export function threeWayMerge(
  base: Readonly<Record<string, unknown>>,
  theirs: Readonly<Record<string, unknown>>,
  changes: Readonly<Record<string, unknown>>,
  resolve?: FieldResolver,
): MergeResult {
  const merged: Record<string, unknown> = {};
  const conflicts: string[] = [];
  for (const [field, ours] of Object.entries(changes)) {
    if (ours === undefined) continue; // validation omits undefined properties; so do we
    const original = base[field];
    const current = theirs[field];
    if (sameValue(ours, original)) continue;
    if (sameValue(current, original)) {
      merged[field] = ours;
    } else if (resolve) {
      const settled = resolve(field, ours, current, original);
      if (settled !== undefined && !sameValue(settled, current)) merged[field] = settled;
    } else if (!sameValue(ours, current)) {
      conflicts.push(field);
    }
  }
  return { changes: merged, conflicts };
}
