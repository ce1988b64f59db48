const base = require('../jest.base')('server');
// Each test file gets its own database; on MySQL that is a fresh schema per file.
module.exports = base;
