// npm test: the quick tests (tests/suites.js says which are slow, for npm run test:slow).
module.exports = require("./tests/suites").quick;
