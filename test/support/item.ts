import { Column, Entity, PrimaryColumn, type DataSource } from 'typeorm';
import { BaseRepository } from '../../src';

/** A table of nullable columns of every value kind, for the filter property test. */
@Entity('items')
export class Item {
  @PrimaryColumn({ type: Number })
  id!: number;

  @Column({ type: String, length: 40, nullable: true })
  name!: string | null;

  @Column({ type: Number, nullable: true })
  qty!: number | null;

  @Column({ type: Boolean, nullable: true })
  flag!: boolean | null;

  @Column({ type: Date, nullable: true })
  at!: Date | null;
}

class NoDto {}

export class ItemRepository extends BaseRepository<Item> {
  constructor(dataSource: DataSource) {
    super(dataSource, Item, { createDto: NoDto, updateDto: NoDto });
  }
}
