/**
 * Marks the end of a switch over a union: it compiles only while every member has its case, so
 * adding a member (an operator, a value domain, a filter node) fails to compile until each switch
 * handles it.
 */
export function unreachable(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}
