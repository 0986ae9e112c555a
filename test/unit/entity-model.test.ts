import { Column, DataSource, Entity, EntitySchema, PrimaryGeneratedColumn } from 'typeorm';
import { BaseRepository, ConfigurationError } from '../../src';

@Entity('listed')
class Listed {
  @PrimaryGeneratedColumn() id!: number;
}

class Unlisted {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: String }) secret = 'the body of this class';
}

const dtos = { createDto: class {}, updateDto: class {} };

describe('an entity the DataSource does not list', () => {
  let dataSource: DataSource;
  beforeAll(async () => {
    dataSource = await new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [Listed],
    }).initialize();
  });
  afterAll(() => dataSource.destroy());

  it.each([
    ['a class', Unlisted, 'Unlisted'],
    ['a table name', 'unlisted_table', '"unlisted_table"'],
    ['an EntitySchema', new EntitySchema({ name: 'Schemed', columns: {} }), 'Schemed'],
  ])('%s is named in the ConfigurationError, not printed', (_, target, name) => {
    const error = (() => {
      try {
        new BaseRepository(dataSource, target as never, dtos);
      } catch (e) {
        return e as Error;
      }
      throw new Error('constructed');
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toBe(
      `${name} is not an entity of this DataSource: list it in "entities"`,
    );
  });
});
