/** Root jest: one project per workspace; `npm test` runs them all. */
const fs = require('fs');
const path = require('path');

const projects = ['shared', 'server', 'admin', 'miniapp']
  .map((name) => path.join(__dirname, 'tests', name, 'jest.config.js'))
  .filter((file) => fs.existsSync(file));

// Two workers on this 2-core machine: the suites wait on their databases and child processes as much as they compute,
// and every test file has a database of its own.
module.exports = { projects, testTimeout: 90000, maxWorkers: 2 };
