/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  setupFiles: ['reflect-metadata'],
  // Probes which servers are reachable once, before any worker starts (see test/support/global-setup.ts).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  // Integration suites share one PostgreSQL database and one MariaDB server; each worker gets its own schema.
  maxWorkers: 2,
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
