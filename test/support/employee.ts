import { IsBoolean, IsEmail, IsInt, IsOptional, IsString, Length, Min } from 'class-validator';
import {
  Check,
  Column,
  CreateDateColumn,
  DeleteDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
  type DataSource,
} from 'typeorm';
import { BaseRepository, type RepositoryOptions } from '../../src';

@Entity('employees')
@Check('chk_salary_non_negative', 'salary >= 0')
export class Employee {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: String, length: 100 })
  name!: string;

  @Column({ type: String, length: 200, unique: true })
  email!: string;

  @Column({ type: String, length: 50, nullable: true })
  department!: string | null;

  @Column({ type: Number, nullable: true })
  salary!: number | null;

  @Column({ type: Boolean, default: true })
  active!: boolean;

  @Column({ type: String, length: 40, nullable: true })
  tenantId!: string | null;

  @VersionColumn()
  version!: number;

  @CreateDateColumn()
  createdAt!: Date;

  @UpdateDateColumn()
  updatedAt!: Date;

  @DeleteDateColumn()
  deletedAt!: Date | null;
}

export class CreateEmployeeDto {
  @IsString()
  @Length(1, 100)
  name!: string;

  @IsEmail()
  email!: string;

  @IsOptional()
  @IsString()
  department?: string | null;

  @IsOptional()
  @IsInt()
  salary?: number | null;

  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @IsOptional()
  @IsString()
  tenantId?: string;
}

export class UpdateEmployeeDto {
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;

  @IsOptional()
  @IsEmail()
  email?: string;

  @IsOptional()
  @IsString()
  department?: string | null;

  @IsOptional()
  @IsInt()
  @Min(0)
  salary?: number | null;

  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

/** The `i`-th employee a test creates, with non-ASCII text; `extra` overrides its fields. */
export function person(i: number, extra: Partial<CreateEmployeeDto> = {}): CreateEmployeeDto {
  return { name: `Pérson ${i} 名`, email: `p${i}@example.com`, salary: 1000 + i, ...extra };
}

export class EmployeeRepository extends BaseRepository<
  Employee,
  CreateEmployeeDto,
  UpdateEmployeeDto
> {
  constructor(dataSource: DataSource, options?: Partial<RepositoryOptions<Employee>>) {
    super(dataSource, Employee, {
      createDto: CreateEmployeeDto,
      updateDto: UpdateEmployeeDto,
      ...options,
    });
  }
}

/**
 * TypeORM does not create @Check constraints on MySQL/MariaDB; tests that rely on the salary check
 * add it by hand there.
 */
export async function ensureSalaryCheck(dataSource: DataSource): Promise<void> {
  if (dataSource.options.type !== 'mysql' && dataSource.options.type !== 'mariadb') return;
  await dataSource.query(
    'ALTER TABLE employees ADD CONSTRAINT chk_salary_non_negative CHECK (salary >= 0)',
  );
}

/** The employees table as stored, soft-deleted rows included, read with TypeORM directly. */
export function storedEmployees(dataSource: DataSource): Promise<Employee[]> {
  return dataSource.getRepository(Employee).find({ withDeleted: true, order: { id: 'ASC' } });
}
