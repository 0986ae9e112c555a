/**
 * Quickstart: `npm start`. Runs on an in-memory SQLite database unless DATABASE_URL is set
 * (e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm start).
 */
import 'reflect-metadata';
import { IsEmail, IsInt, IsOptional, IsString, Length, Min } from 'class-validator';
import {
  Column,
  CreateDateColumn,
  DeleteDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
  type DataSource,
} from 'typeorm';
import { createDataSource } from '../ormconfig';
import {
  BaseRepository,
  FilterError,
  ValidationError,
  type RepositoryOptions,
} from 'typeorm-base-repository';

@Entity('quickstart_employees')
class Employee {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: String, length: 100 }) name!: string;
  @Column({ type: String, length: 200, unique: true }) email!: string;
  @Column({ type: String, length: 50 }) department!: string;
  @Column({ type: Number }) salary!: number;
  @VersionColumn() version!: number;
  @CreateDateColumn() createdAt!: Date;
  @UpdateDateColumn() updatedAt!: Date;
  @DeleteDateColumn() deletedAt!: Date | null;
}

class CreateEmployeeDto {
  @IsString() @Length(1, 100) name!: string;
  @IsEmail() email!: string;
  @IsString() department!: string;
  @IsInt() @Min(0) salary!: number;
}

class UpdateEmployeeDto {
  @IsOptional() @IsString() department?: string;
  @IsOptional() @IsInt() @Min(0) salary?: number;
}

class EmployeeRepository extends BaseRepository<Employee, CreateEmployeeDto, UpdateEmployeeDto> {
  constructor(dataSource: DataSource, options?: Partial<RepositoryOptions<Employee>>) {
    super(dataSource, Employee, {
      createDto: CreateEmployeeDto,
      updateDto: UpdateEmployeeDto,
      ...options,
    });
  }
}

const show = (e: Employee) => `#${e.id} ${e.name} (${e.department}, ${e.salary}, v${e.version})`;

async function main(): Promise<void> {
  const dataSource = createDataSource({ entities: [Employee], synchronize: true });
  await dataSource.initialize();
  console.log(`Connected to ${dataSource.options.type}.`);
  await dataSource.getRepository(Employee).clear();
  const employees = new EmployeeRepository(dataSource);
  employees.on('updated', (e) => console.log(`  event: updated #${e.id} → v${e.record.version}`));

  console.log('\n1. create');
  const people = [
    { name: 'Ada Lovelace', email: 'ada@example.com', department: 'engineering', salary: 120_000 },
    {
      name: 'Grace Hopper',
      email: 'grace@example.com',
      department: 'engineering',
      salary: 135_000,
    },
    { name: 'Alan Turing', email: 'alan@example.com', department: 'research', salary: 98_000 },
    {
      name: 'Edsger Dijkstra',
      email: 'edsger@example.com',
      department: 'research',
      salary: 45_000,
    },
  ];
  for (const p of people) console.log(`  created ${show(await employees.create(p))}`);

  console.log('\n2. validation: bad input is refused before any SQL runs');
  try {
    await employees.create({ name: '', email: 'nope', department: 'x', salary: -1 });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    console.log(`  ${error.code}: ${error.fields.map((f) => f.field).join(', ')}`);
  }

  console.log('\n3. find');
  const ada = await employees.findOne({ email: 'ada@example.com' });
  console.log(`  findOne(email)   → ${ada ? show(ada) : 'null'}`);
  console.log(`  findById(${ada!.id})      → ${show((await employees.findById(ada!.id))!)}`);

  console.log('\n4. filtered list');
  const underpaid = await employees.list({
    filters: { salary__lt: 100_000, department__in: ['research', 'sales'] },
    orderBy: '-salary',
  });
  console.log(`  salary__lt 100000, department__in [research, sales], orderBy -salary:`);
  for (const e of underpaid) console.log(`    ${show(e)}`);
  const n = await employees.count({
    $or: [{ name__istartswith: 'a' }, { name__icontains: 'hopper' }],
  });
  console.log(`  count({ $or: [name__istartswith 'a', name__icontains 'hopper'] }) → ${n}`);
  try {
    await employees.list({ filters: { nope__lt: 1 } as never });
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    console.log(`  unknown field → ${error.code} (${error.key})`);
  }

  console.log('\n5. update: version and updatedAt are bumped');
  const raised = await employees.update(underpaid[underpaid.length - 1]!.id, { salary: 60_000 });
  console.log(`  updated ${show(raised)}`);

  console.log('\n6. soft delete');
  await employees.delete(raised.id);
  console.log(`  deleted #${raised.id}; count() → ${await employees.count()}`);
  console.log(`  findById(${raised.id}) → ${await employees.findById(raised.id)}`);
  const kept = await employees.findById(raised.id, { withDeleted: true });
  console.log(`  with withDeleted: deletedAt = ${kept?.deletedAt?.toISOString()}`);
  await employees.restore(raised.id);
  console.log(`  restored; count() → ${await employees.count()}`);

  await dataSource.destroy();
  console.log('\nDone.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
