// The project's suites, from this checkout, against TypeORM 0.3 and the drivers installed beside
// this file (packages.js): every import of them, the library's, the tests' and TypeORM's own,
// resolves here, so that one copy of each runs. The tests are type-checked against TypeORM 1.x's
// types in the main pass; here they are only transpiled (tsconfig.json's isolatedModules).
const path = require('node:path');
const root = path.resolve(__dirname, '../..');
const base = require(path.join(root, 'jest.config.js'));
const packages = require('./packages').join('|');
const modules = path.join(__dirname, 'node_modules');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: root,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(root, 'tsconfig.json') }] },
  moduleNameMapper: {
    ...base.moduleNameMapper,
    [`^(${packages})$`]: `${modules}/$1`,
    [`^(${packages})/(.*)$`]: `${modules}/$1/$2`,
  },
};
