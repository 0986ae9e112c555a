import { IsInt, IsOptional, IsString } from 'class-validator';
import {
  Column,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type DataSource,
} from 'typeorm';
import { BaseRepository } from '../../src';
import { Employee } from './employee';

/** Has a NOT NULL foreign key, to provoke not-null and foreign-key violations on every dialect. */
@Entity('assignments')
export class Assignment {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: Number })
  employeeId!: number;

  @ManyToOne(() => Employee, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'employeeId' })
  employee?: Employee;

  @Column({ type: String, length: 50 })
  project!: string;
}

/** Deliberately lax, so that the database rather than the DTO rejects bad rows. */
export class AssignmentDto {
  @IsOptional()
  @IsInt()
  employeeId?: number;

  @IsString()
  project!: string;
}

export class AssignmentRepository extends BaseRepository<Assignment, AssignmentDto, AssignmentDto> {
  constructor(dataSource: DataSource) {
    super(dataSource, Assignment, { createDto: AssignmentDto, updateDto: AssignmentDto });
  }
}
