import { SqliteBinding } from './sqlite-binding';

/** SQLite's binding, for a driver (node-sqlite3) that binds a bigint as NULL. */
export class NodeSqlite3Binding extends SqliteBinding {
  /**
   * A number where it is exact, else its decimal text: SQLite turns integer text into the integer
   * wherever an INTEGER column's affinity applies (a comparison with it, a value stored in it).
   */
  override bindableBigInt(value: bigint): unknown {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value.toString();
  }
}
