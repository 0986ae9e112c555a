import { IsEmail, IsInt, IsOptional, IsString } from 'class-validator';
import {
  Column,
  CreateDateColumn,
  DeleteDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

/**
 * The employee-like entity the single-row suites measure with. Each suite gets its own table, so
 * that one suite's rows and indexes never skew another's figures.
 */
export function benchEmployeeEntity(table: string, options: { uniqueEmail?: boolean } = {}) {
  @Entity(table)
  class BenchEmployee {
    @PrimaryGeneratedColumn() id!: number;
    @Column({ type: String, length: 100 }) name!: string;
    @Column({ type: String, length: 200, unique: options.uniqueEmail ?? false }) email!: string;
    @Column({ type: String, length: 50 }) department!: string;
    @Column({ type: Number }) salary!: number;
    @VersionColumn() version!: number;
    @CreateDateColumn() createdAt!: Date;
    @UpdateDateColumn() updatedAt!: Date;
    @DeleteDateColumn() deletedAt!: Date | null;
  }
  return BenchEmployee;
}

export class BenchCreateDto {
  @IsString() name!: string;
  @IsEmail() email!: string;
  @IsString() department!: string;
  @IsInt() salary!: number;
}

export class BenchUpdateDto {
  @IsOptional() @IsInt() salary?: number;
}

const DEPARTMENTS = ['eng', 'ops', 'sales', 'research'];

/**
 * The `i`-th employee a single-row suite writes; `tag` keeps the emails of two cases apart.
 * Negative `i` (a warm-up call) spells like its absolute value.
 */
export function benchEmployeeRow(i: number, tag = 'e'): BenchCreateDto {
  const k = Math.abs(i);
  return {
    name: `Employee ${k}`,
    email: `${tag}${k}@example.com`,
    department: DEPARTMENTS[k % 4]!,
    salary: 30_000 + (k % 100) * 1000,
  };
}
