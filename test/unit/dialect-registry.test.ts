import { DataSource } from 'typeorm';
import {
  adapterFor,
  ConfigurationError,
  dataSourceOptionsFromUrl,
  POSTGRES_CAPABILITIES,
  PostgresAdapter,
  PostgresErrors,
  PostgresSyntax,
  registerDialect,
  SqliteAdapter,
  useDialect,
} from '../../src';

/** A PostgreSQL dialect with one part of its own, as a user outside the package writes one. */
class NoFlagSyntax extends PostgresSyntax {
  override upsertInsertedFlag(): string | undefined {
    return undefined;
  }
}
class NoFlagAdapter extends PostgresAdapter {
  constructor() {
    super({ name: 'no-flag', syntax: new NoFlagSyntax() });
  }
}

/** Not initialized: the registry never connects, and TypeORM's 'cockroachdb' driver is pg. */
const cockroach = () =>
  new DataSource({
    type: 'cockroachdb',
    url: 'postgresql://127.0.0.1:1/x',
    timeTravelQueries: false,
  });

async function sqlite(): Promise<DataSource> {
  return new DataSource({ ...dataSourceOptionsFromUrl('sqlite::memory:', {}) }).initialize();
}

describe('registerDialect', () => {
  it('refuses a DataSource type nothing is registered for, naming registerDialect', () => {
    expect(() => adapterFor(cockroach())).toThrow(ConfigurationError);
    expect(() => adapterFor(cockroach())).toThrow(/registerDialect\('cockroachdb'/);
  });

  it('builds the dialect registered for the TypeORM type, from the DataSource it is given', () => {
    const dataSource = cockroach();
    const given: DataSource[] = [];
    registerDialect('cockroachdb', (ds) => (given.push(ds), new NoFlagAdapter()));
    const adapter = adapterFor(dataSource);
    expect(adapter).toBeInstanceOf(NoFlagAdapter);
    expect(given).toEqual([dataSource]);
    // The one part it replaced is its own; every other part is PostgreSQL's.
    expect(adapter.syntax.upsertInsertedFlag()).toBeUndefined();
    expect(adapter.syntax.placeholder(0)).toBe('$1');
    expect(adapter.errors).toBeInstanceOf(PostgresErrors);
    expect(adapter.capabilities).toBe(POSTGRES_CAPABILITIES);
  });

  it('wins over the built-in dialect of its type; one adapter per initialized DataSource', async () => {
    const dataSource = await sqlite();
    try {
      const builtIn = adapterFor(dataSource);
      expect(builtIn.name).toBe('sqlite');
      registerDialect('better-sqlite3', () => new SqliteAdapter(undefined, { name: 'mine' }));
      const mine = adapterFor(dataSource);
      expect(mine.name).toBe('mine');
      expect(adapterFor(dataSource)).toBe(mine);
      registerDialect('better-sqlite3', () => new SqliteAdapter(undefined, { name: 'again' }));
      expect(adapterFor(dataSource).name).toBe('again');
    } finally {
      await dataSource.destroy();
    }
  });

  it('refuses a bad type or factory, and a factory that builds no DialectAdapter', () => {
    expect(() => registerDialect('', () => new NoFlagAdapter())).toThrow(ConfigurationError);
    expect(() => registerDialect('x', 'nope' as never)).toThrow(ConfigurationError);
    registerDialect('cockroachdb', () => ({}) as never);
    expect(() => adapterFor(cockroach())).toThrow(/built no DialectAdapter/);
  });

  it('refuses limits that are not positive when a dialect is built', () => {
    const capabilities = { ...POSTGRES_CAPABILITIES, maxBindParameters: 0 };
    expect(() => new PostgresAdapter({ capabilities })).toThrow(ConfigurationError);
    expect(() => new PostgresAdapter({ capabilities })).toThrow(/maxBindParameters/);
  });
});

describe('useDialect', () => {
  it('gives one DataSource a registered dialect; others of its type keep theirs', async () => {
    registerDialect('sqlite-mine', () => new SqliteAdapter(undefined, { name: 'mine' }));
    const [chosen, other] = [await sqlite(), await sqlite()];
    try {
      const untouched = adapterFor(other);
      expect(adapterFor(chosen).name).toBe(untouched.name);
      useDialect(chosen, 'sqlite-mine');
      expect(adapterFor(chosen).name).toBe('mine');
      expect(adapterFor(other)).toBe(untouched);
    } finally {
      await Promise.all([chosen.destroy(), other.destroy()]);
    }
  });

  it('refuses a dialect that is not registered', () => {
    expect(() => useDialect(cockroach(), 'nowhere')).toThrow(ConfigurationError);
  });
});
