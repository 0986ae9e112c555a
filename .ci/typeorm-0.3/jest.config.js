// The project's suites, from this checkout, against TypeORM 0.3 and the drivers installed beside
// this file: every import of them, the library's, the tests' and TypeORM's own, resolves here, so
// that one copy of each runs. The tests are still type-checked against TypeORM 1.x's types
// (ts-jest resolves types from the checkout); transpiling only keeps this pass fast.
const path = require('node:path');
const root = path.resolve(__dirname, '../..');
const base = require(path.join(root, 'jest.config.js'));
const here = (name) => path.join(__dirname, 'node_modules', name);

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: root,
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(root, 'tsconfig.json') }],
  },
  moduleNameMapper: {
    ...base.moduleNameMapper,
    '^(typeorm|pg|mysql2|sqlite3)$': here('$1'),
    '^(typeorm|pg|mysql2)/(.*)$': here('$1/$2'),
  },
};
