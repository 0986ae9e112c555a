import { IsInt, IsOptional, IsString, Length } from 'class-validator';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, type DataSource } from 'typeorm';
import { BaseRepository, type RepositoryOptions } from '../../src';

/**
 * An order queued through write-behind: a client-side UUID key, a unique code, a NOT NULL
 * quantity the DTO lets through as null (so the database refuses it), a bigint and a non-ASCII note.
 */
@Entity('wb_orders')
export class WbOrder {
  @PrimaryGeneratedColumn('uuid')
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
    code: i % 200 === 71 ? `o-${i - 1}` : `o-${i}`,
    qty: i % 200 === 17 ? null : (i % 7) + 1,
    amount: String(9_007_199_254_740_993n + BigInt(i)),
    note: i % 3 === 0 ? null : `Bestellung ${i} — 注文`,
  };
}
