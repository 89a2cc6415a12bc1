// npm run test:slow: the slow tests (tests/suites.js).
module.exports = require("./suites").slow;
