/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // ts-jest type-checks every test file: tsconfig.jest.json turns off isolatedModules, under which
  // it would only transpile.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }] },
  // The examples import the package by name, as a service does; here it is this checkout's source.
  moduleNameMapper: { '^typeorm-base-repository$': '<rootDir>/src' },
  setupFiles: ['reflect-metadata'],
  // Probes which servers are reachable once, before any worker starts (see test/support/global-setup.ts).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  // Integration suites share one PostgreSQL database and one MariaDB server; each worker gets its own schema.
  maxWorkers: 2,
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
