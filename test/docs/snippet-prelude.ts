/**
 * What a guide's code fragment may take as given: the imports a reader writes at the top of a
 * file, the entities and repositories of the guides (shapes only: fragments are type-checked,
 * never run), and the variables they talk about. A fragment gets every name exported here that it
 * does not declare or import itself. Keep the entities as the guides describe them.
 */
import type { DataSource } from 'typeorm';
import { BaseRepository, type RepositoryOptions } from '../../src';

export * from '../../src';
export { AsyncLocalStorage } from 'node:async_hooks';
export { DataSource } from 'typeorm';
export {
  Column,
  CreateDateColumn,
  DeleteDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
export { IsEmail, IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';

/** docs/getting-started.md's entity, with its snake_case column names. */
export declare class Employee {
  id: number;
  name: string;
  email: string;
  department: string;
  salary: number | null;
  hiredAt: Date | null;
  tenantId: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}
export declare class CreateEmployeeDto {
  name: string;
  email: string;
  department?: string;
  salary?: number;
  hiredAt?: Date;
}
export declare class UpdateEmployeeDto {
  department?: string;
  salary?: number;
}
export declare class EmployeeRepository extends BaseRepository<
  Employee,
  CreateEmployeeDto,
  UpdateEmployeeDto
> {
  constructor(dataSource: DataSource, options?: Partial<RepositoryOptions<Employee>>);
}

export declare class Customer {
  id: number;
  email: string;
  name: string;
  lastLogin: Date | null;
}
export declare class CreateCustomerDto {
  email: string;
  name: string;
}
export declare class CustomerRepository extends BaseRepository<
  Customer,
  CreateCustomerDto,
  Partial<CreateCustomerDto>
> {
  constructor(dataSource: DataSource, options?: Partial<RepositoryOptions<Customer>>);
}

export declare class Account {
  id: number;
  owner: string;
  balance: number;
  version: number;
}
export declare class CreateAccountDto {
  owner: string;
  balance: number;
}
export declare class AccountRepository extends BaseRepository<
  Account,
  CreateAccountDto,
  Partial<CreateAccountDto>
> {
  constructor(dataSource: DataSource, options?: Partial<RepositoryOptions<Account>>);
}

export declare class Transfer {
  id: number;
  fromId: number;
  toId: number;
  amount: number;
}
export declare class TransferRepository extends BaseRepository<
  Transfer,
  Omit<Transfer, 'id'>,
  Partial<Omit<Transfer, 'id'>>
> {}

export declare class Product {
  id: number;
  name: string;
  priceCents: number;
}
export declare class ProductRepository extends BaseRepository<
  Product,
  Omit<Product, 'id'>,
  Partial<Omit<Product, 'id'>>
> {
  constructor(dataSource: DataSource, options?: Partial<RepositoryOptions<Product>>);
}

export declare class Order {
  id: number;
  reference: string;
  amountCents: number;
}
export declare class OrderRepository extends BaseRepository<
  Order,
  Omit<Order, 'id'>,
  Partial<Omit<Order, 'id'>>
> {
  constructor(dataSource: DataSource, options?: Partial<RepositoryOptions<Order>>);
}

export declare const dataSource: DataSource;
/** docs/write-behind.md's drainer. */
export declare const drainer: import('../../src').WriteBehindDrainer;
export declare const repo: EmployeeRepository;
export declare const employees: EmployeeRepository;
export declare const customers: CustomerRepository;
export declare const accounts: AccountRepository;
export declare const transfers: TransferRepository;
export declare const products: ProductRepository;
export declare const orders: OrderRepository;
/** The rows of a bulk call. */
export declare const rows: CreateCustomerDto[];
export declare const id: number;
export declare const fromId: number;
export declare const toId: number;
export declare const email: string;
export declare const cutoff: Date;
export declare function handle(items: readonly unknown[]): void;
export declare function work(tx: AccountRepository): Promise<void>;
export declare const dto: UpdateEmployeeDto;
export declare const expectedVersion: number;
/** An HTTP handler's answer. */
export declare function reply(status: number, message?: string): void;
