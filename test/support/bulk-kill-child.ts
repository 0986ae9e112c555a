/**
 * A service whose bulkCreate has its connections killed by the parent: it writes 20,000 rows in
 * windows of 500 and reports to the parent over IPC what the call said. It runs with Node's
 * default unhandled-rejection mode, so a library promise left unhandled makes it exit with 1.
 */
import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { BulkWriteIncompleteError, RepositoryError } from '../../src';
import { Employee, EmployeeRepository } from './employee';

async function main(): Promise<void> {
  const options = JSON.parse(process.env.CHILD_DATA_SOURCE!) as DataSourceOptions;
  const dataSource = new DataSource({ ...options, entities: [Employee] } as DataSourceOptions);
  await dataSource.initialize();
  const repo = new EmployeeRepository(dataSource);
  const rows = Array.from({ length: 20_000 }, (_, i) => ({
    name: `Person ${i}`,
    email: `p${i}@example.com`,
    salary: i,
  }));
  let told = false;
  const report: Record<string, unknown> = {};
  try {
    const result = await repo.bulkCreate(rows, {
      batchSize: 500,
      onProgress: () => {
        if (!told) process.send!({ kind: 'writing' });
        told = true;
      },
    });
    Object.assign(report, { finished: true, successCount: result.successCount });
  } catch (error) {
    Object.assign(report, {
      finished: false,
      name: (error as Error).name,
      code: error instanceof RepositoryError ? error.code : undefined,
      outcome: (error as { outcome?: string }).outcome,
      message: (error as Error).message,
    });
    if (error instanceof BulkWriteIncompleteError) report.progress = error.progress;
  }
  process.send!({ kind: 'done', report });
  await dataSource.destroy().catch(() => undefined);
  // Unhandled rejections still pending surface before the exit the parent waits for.
  setTimeout(() => process.disconnect(), 300);
}

void main();
