#!/usr/bin/env node
// The `slotcp` command: runs the compiled CLI from dist/ (built by `npm ci` via prepare).
'use strict';
const path = require('path');
const fs = require('fs');
const cli = path.join(__dirname, '..', 'dist', 'host', 'cli.js');
if (!fs.existsSync(cli)) {
  console.error('slotcp: not built yet; run `npm run build` (or `npm ci`) in ' + path.join(__dirname, '..'));
  process.exit(2);
}
require(cli).main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err) => {
  console.error(`slotcp: ${err && err.message ? err.message : err}`);
  process.exitCode = 1;
});
