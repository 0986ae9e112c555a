/** A caller's value as an error message shows it: strings quoted, so `'5'` and `5` differ. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return String(value);
  } catch {
    // An object without a prototype (Object.create(null)) has no toString.
    return Object.prototype.toString.call(value);
  }
}
