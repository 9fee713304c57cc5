// Preloaded (NODE_OPTIONS --require) by scripts/mutate.mjs into Stryker and its workers.
// @stryker-mutator/mocha-runner 10.0.0 requires Mocha's CLI internals without an extension
// (lib/cli/run-helpers, options, collect-files); Mocha 12 renamed them to .cjs, so those
// requires fail and the runner never registers (stryker-js pull request 6205, open).
// Letting CommonJS resolution try .cjs too finds them; nothing else here is extensionless.
'use strict';
const Module = require('node:module');
if (!Module._extensions['.cjs']) Module._extensions['.cjs'] = Module._extensions['.js'];
