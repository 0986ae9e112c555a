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
