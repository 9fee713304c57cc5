// Fails when firmware/ names a Node-only API that XS on the board lacks. The firmware
// type-check (no Node types) catches most uses; this catches the ones hidden behind `any`.
'use strict';
const fs = require('fs');
const path = require('path');

const forbidden = [
  [/\bBuffer\b/, 'Buffer'],
  [/\bprocess\./, 'process'],
  [/\brequire\s*\(/, 'require()'],
  [/\b(setTimeout|setInterval|setImmediate|clearTimeout|clearInterval)\s*\(/, 'Node timers'],
  [/\bconsole\./, 'console'],
  [/from\s+['"]node:/, 'node: imports'],
  [/from\s+['"](fs|os|path|dgram|child_process|crypto|events|util)['"]/, 'Node built-in modules'],
  // Moddable has a module named "net" too: only the portable core may not import it.
  [/from\s+['"]net['"]/, 'Node built-in modules', /firmware\/(tcp|apps)\//],
  [/\b__dirname\b|\b__filename\b/, '__dirname/__filename'],
  // Moddable preloads these modules and then freezes their variables and objects: state
  // that changes at run time must live in objects made at run time (or on globalThis).
  [/^(let|var)\s/, 'a module variable (frozen once preloaded)', /firmware\/(?!main\.ts)/],
];

function* walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (/\.(ts|js)$/.test(entry.name)) yield full;
  }
}

// firmware/ and the example apps, which run on XS too.
const roots = ['firmware', 'examples'].map((dir) => path.join(__dirname, '..', dir));
const problems = [];
for (const file of roots.flatMap((root) => [...walk(root)])) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    const code = line.replace(/\/\/.*$/, '');
    for (const [pattern, name, only] of forbidden) {
      if (only && !only.test(file)) continue;
      if (pattern.test(code)) problems.push(`${path.relative(process.cwd(), file)}:${i + 1}: ${name}: ${line.trim()}`);
    }
  });
}
if (problems.length) {
  console.error('firmware/ and examples/ must run on XS; these lines use Node-only APIs:\n' + problems.join('\n'));
  process.exit(1);
}
console.log('check-portable: firmware/ and examples/ use no Node-only APIs');
