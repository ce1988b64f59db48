module.exports = require('../jest.base')('shared');
