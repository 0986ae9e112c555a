// Loaded through NODE_OPTIONS=--require by run: in every Node process of the TypeORM 0.3 pass
// (the child processes some suites fork, which Jest's module map does not reach), the packages of
// packages.js resolve from this folder, as jest.config.js has them resolve in the suites.
const Module = require('node:module');
const packages = new Set(require('./packages'));

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, isMain, options) {
  if (packages.has(request.split('/')[0])) {
    return resolve.call(this, request, parent, isMain, { paths: [__dirname] });
  }
  return resolve.call(this, request, parent, isMain, options);
};
