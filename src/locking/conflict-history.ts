/** One version conflict: an update expected `expected` but the row was at `actual`. */
export interface ConflictRecord {
  readonly entity: string;
  readonly id: unknown;
  readonly expected: number;
  readonly actual: number;
  readonly timestamp: Date;
}

/**
 * The latest `capacity` conflicts, in a ring buffer: pushing is O(1) and never grows memory past
 * `capacity` records. The buffer is filled as conflicts arrive, so an idle one holds nothing.
 */
export class ConflictHistory {
  readonly #slots: ConflictRecord[] = [];
  /** Where the next record goes. */
  #next = 0;

  constructor(readonly capacity: number) {}

  push(record: ConflictRecord): void {
    if (this.capacity === 0) return;
    this.#slots[this.#next] = record;
    this.#next = (this.#next + 1) % this.capacity;
  }

  /** Up to `limit` records, newest first. */
  latest(limit: number = this.capacity): ConflictRecord[] {
    const slots = this.#slots;
    const n = Math.min(limit, slots.length);
    const out = new Array<ConflictRecord>(n);
    for (let i = 0; i < n; i++) {
      // While not yet full, #next equals the length, so this walks back from the end.
      out[i] = slots[(this.#next - 1 - i + this.capacity) % this.capacity]!;
    }
    return out;
  }
}
