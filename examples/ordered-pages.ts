/**
 * Ordered pages: `npx ts-node --transpile-only examples/ordered-pages.ts`. Runs on an in-memory
 * SQLite database unless DATABASE_URL is set.
 *
 * Walks a table in `salary DESC` order twice: by keyset cursor (each page starts after the last
 * row of the one before, so page 100 costs what page 1 does) and by offset, and shows that a
 * tampered cursor is refused.
 */
import 'reflect-metadata';
import { IsInt, IsString } from 'class-validator';
import { Column, Entity, Index, PrimaryGeneratedColumn, type DataSource } from 'typeorm';
import { createDataSource } from '../ormconfig';
import { BaseRepository, FilterError, type ListPage } from 'typeorm-base-repository';

@Entity('pages_example_staff')
class Staff {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: String, length: 100 }) name!: string;
  // NOT NULL and indexed: the index serves `ORDER BY salary DESC, id DESC` on every dialect.
  @Index() @Column({ type: Number }) salary!: number;
}

class StaffDto {
  @IsString() name!: string;
  @IsInt() salary!: number;
}

class StaffRepository extends BaseRepository<Staff, StaffDto, Partial<StaffDto>> {
  constructor(dataSource: DataSource) {
    super(dataSource, Staff, { createDto: StaffDto, updateDto: StaffDto });
  }
}

async function main(): Promise<void> {
  const dataSource = createDataSource({ entities: [Staff], synchronize: true });
  await dataSource.initialize();
  await dataSource.getRepository(Staff).clear();
  const staff = new StaffRepository(dataSource);
  console.log(`Connected to ${dataSource.options.type}.`);

  // 1,000 people, many with the same salary: ties come by id, in the same direction.
  await staff.bulkCreate(
    Array.from({ length: 1_000 }, (_, i) => ({ name: `P${i}`, salary: 1_000 + (i % 37) * 10 })),
  );

  console.log('\n1. Keyset pages of 100, salary descending');
  const seen: number[] = [];
  let after: string | null = null;
  let pages = 0;
  do {
    const page: ListPage<Staff> = await staff.list({ orderBy: '-salary', limit: 100, after });
    seen.push(...page.items.map((s) => s.id));
    pages++;
    if (pages <= 2 || page.nextCursor === null) {
      const first = page.items[0];
      console.log(
        `  page ${pages}: ${page.items.length} rows, first ${first?.name} (${first?.salary})`,
      );
    }
    after = page.nextCursor;
  } while (after !== null);
  console.log(`  ${pages} pages, ${seen.length} rows, ${new Set(seen).size} distinct`);

  console.log('\n2. The same order by offset gives the same rows');
  const byOffset: number[] = [];
  for (let offset = 0; offset < 1_000; offset += 100) {
    const rows = await staff.list({ orderBy: '-salary', limit: 100, offset });
    byOffset.push(...rows.map((s) => s.id));
  }
  const same = byOffset.length === seen.length && byOffset.every((id, i) => id === seen[i]);
  console.log(`  identical: ${same}`);
  if (!same) throw new Error('keyset and offset pages differ');

  console.log('\n3. A cursor made for another order is refused before any SQL');
  const { nextCursor } = await staff.list({ orderBy: '-salary', limit: 10, after: null });
  try {
    await staff.list({ orderBy: 'salary', limit: 10, after: nextCursor });
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    console.log(`  ${error.code}: ${error.message}`);
  }

  await dataSource.destroy();
  console.log('\nDone.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
