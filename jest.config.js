/** Root jest: one project per workspace; `npm test` runs them all. */
const fs = require('fs');
const path = require('path');

const projects = ['shared', 'server', 'admin', 'miniapp']
  .map((name) => path.join(__dirname, 'tests', name, 'jest.config.js'))
  .filter((file) => fs.existsSync(file));

module.exports = { projects, testTimeout: 90000 };
