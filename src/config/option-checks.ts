import { OptionError } from '../errors';

/**
 * The checks every option of the library goes through, so that one wrong value fails the same way
 * wherever it is given: at construction for a constructor's options, before any SQL for a call's.
 * Each check returns the value when it is valid and throws `fail(option, expected, actual)`
 * otherwise. `option` names the option as the caller wrote it (`coalescer.maxBatchSize`,
 * `retry.jitter`). None accepts `undefined`: a caller applies its default first, or skips the
 * check for an option not given.
 */

/** Builds the error for a wrong option; an {@link OptionError} unless a family has its own. */
export type OptionFailure = (option: string, expected: string, actual: unknown) => Error;

const invalid: OptionFailure = OptionError.invalid;

/** `check(value)` for an option given, `undefined` for one not given (the default applies). */
export function given<V>(value: unknown, check: (value: unknown) => V): V | undefined {
  return value === undefined ? undefined : check(value);
}

/** A safe integer ≥ 1. */
export function positiveInteger(option: string, value: unknown, fail = invalid): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value;
  throw fail(option, 'a positive integer', value);
}

/** A safe integer ≥ 0. */
export function nonNegativeInteger(option: string, value: unknown, fail = invalid): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw fail(option, 'a non-negative integer', value);
}

/** A number > 0 (Infinity included: "never"). */
export function positiveNumber(option: string, value: unknown, fail = invalid): number {
  if (typeof value === 'number' && value > 0) return value;
  throw fail(option, 'a positive number', value);
}

/** A finite number ≥ `min`. */
export function finiteAtLeast(option: string, value: unknown, min: number, fail = invalid): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= min) return value;
  throw fail(option, `a finite number ≥ ${min}`, value);
}

/** A number in [0, 1]. */
export function fraction(option: string, value: unknown, fail = invalid): number {
  if (typeof value === 'number' && value >= 0 && value <= 1) return value;
  throw fail(option, 'a number in [0, 1]', value);
}

/** A jitter: `true` (= 1), `false` (= 0) or a number in [0, 1]; returned as the number. */
export function jitterFraction(option: string, value: unknown, fail = invalid): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' && value >= 0 && value <= 1) return value;
  throw fail(option, 'a boolean or a number in [0, 1]', value);
}

/** `true` or `false`: a mistyped `'false'` must not turn a feature on. */
export function booleanFlag(option: string, value: unknown, fail = invalid): boolean {
  if (typeof value === 'boolean') return value;
  throw fail(option, 'a boolean', value);
}

/** A function (a callback option), returned as given. */
export function callback<V>(option: string, value: V, fail = invalid): V {
  if (typeof value === 'function') return value;
  throw fail(option, 'a function', value);
}

/**
 * One of `allowed`: the keys of a closed set (`Object.keys(LOCK_STRATEGIES)`) or a short list of
 * literals (`[true, false, 'perRow']`).
 */
export function oneOf<V extends string | boolean>(
  option: string,
  value: unknown,
  allowed: readonly V[],
  fail = invalid,
): V {
  if ((allowed as readonly unknown[]).includes(value)) return value as V;
  throw fail(option, `one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`, value);
}

/** An environment variable holding a positive integer, in decimal digits (`'1e3'` is refused). */
export function positiveIntegerText(option: string, text: string, fail = invalid): number {
  const value = Number(text);
  if (/^\d+$/.test(text.trim()) && Number.isSafeInteger(value) && value >= 1) return value;
  throw fail(option, 'a positive integer', text);
}

const FLAGS: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['1', true],
  ['false', false],
  ['0', false],
]);

/** An environment variable holding a flag: `true`/`1` or `false`/`0`, in any case. */
export function flagText(option: string, text: string, fail = invalid): boolean {
  const value = FLAGS.get(text.trim().toLowerCase());
  if (value !== undefined) return value;
  throw fail(option, 'true, false, 1 or 0', text);
}
