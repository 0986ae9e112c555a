/**
 * A dialect from outside the package: CockroachDB speaks PostgreSQL's protocol and SQL (TypeORM's
 * `type: 'cockroachdb'` drives it with `pg`), but has no `xmax` system column
 * (cockroachdb/cockroach#50418), so an upsert cannot flag the rows it inserted. Importing this
 * file registers the dialect; every part but the syntax stays PostgreSQL's.
 */
import { PostgresAdapter, PostgresSyntax, registerDialect } from 'typeorm-base-repository';

/** PostgreSQL's syntax without the inserted-flag: an upsert reads the existing keys first. */
export class CockroachSyntax extends PostgresSyntax {
  override upsertInsertedFlag(): string | undefined {
    return undefined;
  }
}

export class CockroachAdapter extends PostgresAdapter {
  constructor() {
    super({ name: 'cockroachdb', syntax: new CockroachSyntax() });
  }
}

registerDialect('cockroachdb', () => new CockroachAdapter());
