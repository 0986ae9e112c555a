// The packages the TypeORM 0.3 pass takes from this folder instead of the checkout's own
// node_modules: TypeORM and the drivers it loads, one copy of each for the library, the tests and
// TypeORM alike. jest.config.js maps them for the suites, resolve.js for the processes they fork.
module.exports = ['typeorm', 'pg', 'mysql2', 'sqlite3'];
