import { IsInt, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { Column, CreateDateColumn, Entity, PrimaryColumn, type DataSource } from 'typeorm';
import { BaseRepository, type RepositoryOptions } from '../../src';

/**
 * An order queued through write-behind: a UUID key the producer chooses (a generated one needs a
 * PostgreSQL extension that concurrent test schemas would race to install), a unique code, a NOT NULL
 * quantity the DTO lets through as null (so the database refuses it), a bigint and a non-ASCII note.
 */
@Entity('wb_orders')
export class WbOrder {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: String, length: 60, unique: true })
  code!: string;

  @Column({ type: Number })
  qty!: number;

  @Column({ type: 'bigint', nullable: true })
  amount!: string | null;

  @Column({ type: String, length: 100, nullable: true })
  note!: string | null;

  @CreateDateColumn()
  createdAt!: Date;
}

export class CreateWbOrderDto {
  @IsUUID()
  id!: string;

  @IsString()
  @Length(1, 60)
  code!: string;

  @IsOptional()
  @IsInt()
  qty?: number | null;

  @IsOptional()
  @IsString()
  amount?: string | null;

  @IsOptional()
  @IsString()
  note?: string | null;
}

export class WbOrderRepository extends BaseRepository<WbOrder, CreateWbOrderDto> {
  constructor(dataSource: DataSource, options?: Partial<RepositoryOptions<WbOrder>>) {
    super(dataSource, WbOrder, {
      createDto: CreateWbOrderDto,
      updateDto: CreateWbOrderDto,
      ...options,
    });
  }
}

/** The order number `i` of a crash run: every 200th is refused (NOT NULL) or repeats a code. */
export function orderOf(i: number): CreateWbOrderDto {
  return {
    id: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
    code: i % 200 === 71 ? `o-${i - 1}` : `o-${i}`,
    qty: i % 200 === 17 ? null : (i % 7) + 1,
    amount: String(9_007_199_254_740_993n + BigInt(i)),
    note: i % 3 === 0 ? null : `Bestellung ${i} — 注文`,
  };
}
