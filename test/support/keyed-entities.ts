import { Allow } from 'class-validator';
import {
  Column,
  DeleteDateColumn,
  Entity,
  PrimaryColumn,
  Unique,
  VersionColumn,
  type DataSource,
} from 'typeorm';
import { BaseRepository, type RepositoryOptions } from '../../src';

/**
 * Entities whose keys are not a small auto-increment int: a UUID key, a bigint key, a composite
 * unique key, a `date` column, a nullable unique column, a decimal. DTOs allow every field, so
 * that the repository's own column checks are what a bad value meets.
 */

@Entity('uuid_things')
export class UuidThing {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: String, length: 40 })
  name!: string;

  @Column({ type: Number, nullable: true })
  qty!: number | null;

  @Column({ type: 'date', nullable: true })
  day!: string | null;

  @Column({ type: String, length: 40, nullable: true, unique: true })
  code!: string | null;

  @Column({ type: 'decimal', precision: 6, scale: 2, nullable: true })
  price!: string | null;

  @VersionColumn()
  version!: number;

  @DeleteDateColumn()
  deletedAt!: Date | null;
}

export class UuidThingDto {
  @Allow() id?: string;
  @Allow() name?: string;
  @Allow() qty?: number | null;
  @Allow() day?: string | null;
  @Allow() code?: string | null;
  @Allow() price?: string | number | null;
}

export class UuidThingRepository extends BaseRepository<UuidThing, UuidThingDto, UuidThingDto> {
  constructor(dataSource: DataSource, options?: Partial<RepositoryOptions<UuidThing>>) {
    super(dataSource, UuidThing, { createDto: UuidThingDto, updateDto: UuidThingDto, ...options });
  }
}

@Entity('big_things')
@Unique('uq_big_region_sku', ['region', 'sku'])
export class BigThing {
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: String, length: 20 })
  region!: string;

  @Column({ type: String, length: 20 })
  sku!: string;

  @Column({ type: Number, default: 0 })
  qty!: number;

  @DeleteDateColumn()
  deletedAt!: Date | null;
}

export class BigThingDto {
  @Allow() id?: string | number | bigint;
  @Allow() region?: string;
  @Allow() sku?: string;
  @Allow() qty?: number;
}

export class BigThingRepository extends BaseRepository<BigThing, BigThingDto, BigThingDto> {
  constructor(dataSource: DataSource, options?: Partial<RepositoryOptions<BigThing>>) {
    super(dataSource, BigThing, { createDto: BigThingDto, updateDto: BigThingDto, ...options });
  }
}
