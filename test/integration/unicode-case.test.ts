import { openDataSource, type TestDataSource } from '../support/data-sources';
import { matches, type Row } from '../support/filter-oracle';
import { Item, ItemRepository } from '../support/item';
import { itWhere, SQLITE_DRIVER, TARGETS } from '../support/servers';

// Place names as written, in capitals, and misspelt without their accents.
const PLACES = [
  'Zürich',
  'ZÜRICH',
  'Zurich',
  'Zu\u0308rich', // decomposed ü: no normalization, so not the precomposed ü
  'Straße',
  'STRASSE',
  'Strasse',
  'İstanbul',
  'Istanbul',
  'ıstanbul',
  'ISTANBUL',
  'Diyarbakır',
  'DİYARBAKIR',
  'Şanlıurfa',
  'ŞANLIURFA',
  'Αθήνα',
  'ΑΘΉΝΑ',
  'Αθηνα',
  'Ἀθῆναι',
  'Νάξος',
  'ΝΑΞΟΣ',
  'Москва',
  'МОСКВА',
  'Київ',
  'КИЇВ',
  'Kraków',
  'KRAKÓW',
  'KRAKOW',
  'Łódź',
  'ŁÓDŹ',
  'Lodz',
  'Ærøskøbing',
  'ÆRØSKØBING',
  'Aeroskobing',
  'São Paulo',
  'SÃO PAULO',
  'Sao Paulo',
  'Malmö',
  'MALMÖ',
  'Malmo',
  'Þórshöfn',
  'ÞÓRSHÖFN',
  'Reykjavík',
  'Ørland',
  'Orléans',
  'ORLÉANS',
  'Ελλάς',
  'ΕΛΛΆΣ',
  '東京',
  'Zermatt 🏔',
  'Oslo',
];

const TERMS = [
  ...['ü', 'Ü', 'u', 'zür', 'ZÜR', 'zur', 'u\u0308'],
  ...['straße', 'STRASSE', 'ß', 'ss', 'SS'],
  ...['i', 'I', 'ı', 'İ', 'ist', 'IST', 'ıst', 'İst', 'istanbul', 'ıstanbul', 'bakır', 'BAKIR'],
  ...['şanlı', 'ŞANLI', 'şanli'],
  ...['αθ', 'ΑΘ', 'ήν', 'ΉΝ', 'ην', 'ἀθ', 'ῆ', 'ξος', 'ξοσ', 'ΞΟΣ', 'ς', 'σ', 'Σ', 'άς', 'ΆΣ'],
  ...['моск', 'МОСК', 'ква', 'ї', 'Ї', 'киї'],
  ...['ó', 'Ó', 'o', 'O', 'ö', 'Ö', 'ów', 'krak', 'ł', 'Ł', 'ź', 'Ź'],
  ...['æ', 'Æ', 'ø', 'Ø', 'ærø', 'ÆRØ', 'ae'],
  ...['ã', 'Ã', 'são', 'SÃO', 'sao', 'a', 'A'],
  ...['þ', 'Þ', 'í', 'é', 'É', 'e'],
  ...['東', '🏔', ' '],
];

// node-sqlite3 cannot define the SQL function SQLite's Unicode folding needs: it folds ASCII
// only (docs/filters.md), as test/integration/sqlite-drivers.test.ts shows.
const FOLDING = TARGETS.filter((t) => t !== 'sqlite' || SQLITE_DRIVER !== 'sqlite3');

describe.each(FOLDING)('case-insensitive matching of non-ASCII text on %s', (target) => {
  let db: TestDataSource;
  let repo: ItemRepository;
  const rows = PLACES.map((name, i) => Object.assign(new Item(), { id: i + 1, name }));

  beforeAll(async () => {
    db = await openDataSource(target, [Item]);
    await db.dataSource.getRepository(Item).insert(rows);
    repo = new ItemRepository(db.dataSource);
  });
  afterAll(() => db.dataSource.destroy());

  it('stores the names unchanged', async () => {
    expect((await repo.list()).map((r) => r.name)).toEqual(PLACES);
  });

  it.each(['icontains', 'istartswith', 'iendswith'])(
    '%s folds case by code point and keeps accents, as the reference evaluator does',
    async (op) => {
      const mismatches: string[] = [];
      for (const term of TERMS) {
        const filters = { [`name__${op}`]: term };
        const expected = rows
          .filter((r) => matches(r as unknown as Row, filters, { caseInsensitiveEquality: false }))
          .map((r) => r.name);
        const actual = (await repo.list({ filters })).map((r) => r.name);
        if (JSON.stringify(actual) !== JSON.stringify(expected)) {
          mismatches.push(`${term}: got ${actual.join('|')}; expected ${expected.join('|')}`);
        }
      }
      expect(mismatches).toEqual([]);
    },
  );

  it('spot checks of the documented semantics', async () => {
    const names = async (filters: Record<string, unknown>) =>
      (await repo.list({ filters })).map((r) => r.name);
    expect(await names({ name__icontains: 'ö' })).toEqual([
      'Malmö',
      'MALMÖ',
      'Þórshöfn',
      'ÞÓRSHÖFN',
    ]);
    expect(await names({ name__icontains: 'ıstanbul' })).toEqual(['ıstanbul']);
    expect(await names({ name__icontains: 'istanbul' })).toEqual([
      'İstanbul',
      'Istanbul',
      'ISTANBUL',
    ]);
    expect(await names({ name__icontains: 'straße' })).toEqual(['Straße']);
    expect(await names({ name__iendswith: 'ξος' })).toEqual(['Νάξος']);
    expect(await names({ name__istartswith: 'ΑΘΉ' })).toEqual(['Αθήνα', 'ΑΘΉΝΑ']);
  });

  itWhere(target === 'sqlite')(
    'on SQLite, still folds after the DataSource is initialized again on a new connection',
    async () => {
      const before = (db.dataSource.driver as { databaseConnection?: unknown }).databaseConnection;
      await db.dataSource.destroy();
      await db.dataSource.initialize();
      await db.dataSource.synchronize();
      expect(
        (db.dataSource.driver as { databaseConnection?: unknown }).databaseConnection,
      ).not.toBe(before);
      await db.dataSource.getRepository(Item).insert(rows);
      const found = await repo.list({ filters: { name__icontains: 'ÿ' } });
      expect(found).toEqual([]);
      expect((await repo.list({ filters: { name__icontains: 'ZÜR' } })).map((r) => r.name)).toEqual(
        ['Zürich', 'ZÜRICH'],
      );
    },
  );
});
