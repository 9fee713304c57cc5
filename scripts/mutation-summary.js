// Writes reports/mutation/summary.txt from Stryker's incremental files (each a mutation-
// testing JSON report, reports/mutation/incremental/*.json, one per source file): the score
// per file and overall, and every surviving or uncovered mutant as file:line:column, mutator
// and replacement. Run by npm run mutate; `node scripts/mutation-summary.js [report.json...]`
// to redo it alone.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

function summarize(inputs) {
const dir = path.join(root, 'reports', 'mutation', 'incremental');
if (!inputs || inputs.length === 0) {
  inputs = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => path.join(dir, f)) : [];
}
const output = path.join(root, 'reports', 'mutation', 'summary.txt');
const report = { files: {} };
for (const input of inputs) Object.assign(report.files, JSON.parse(fs.readFileSync(input, 'utf8')).files);

const detected = new Set(['Killed', 'Timeout']);
const undetected = new Set(['Survived', 'NoCoverage']);
const rows = [];
const open = [];
let all = { detected: 0, undetected: 0, ignored: 0, errors: 0 };
for (const [file, result] of Object.entries(report.files).sort()) {
  const n = { detected: 0, undetected: 0, ignored: 0, errors: 0 };
  const lines = result.source.split('\n');
  for (const m of result.mutants) {
    if (detected.has(m.status)) n.detected++;
    else if (undetected.has(m.status)) {
      n.undetected++;
      const { line, column } = m.location.start;
      const original = lines[line - 1].trim();
      open.push(`${file}:${line}:${column} ${m.status} ${m.mutatorName}: ${JSON.stringify(m.replacement ?? '')}\n    ${original}`);
    } else if (m.status === 'Ignored') n.ignored++;
    else n.errors++;
  }
  for (const k of Object.keys(all)) all[k] += n[k];
  rows.push([file, n]);
}
const score = (n) => (n.detected + n.undetected === 0 ? 'n/a' : `${((100 * n.detected) / (n.detected + n.undetected)).toFixed(2)}%`);
const pad = (s, w) => String(s).padEnd(w);
const lines = [
  `Mutation score (killed + timed out) / (killed + timed out + survived + no coverage); ignored`,
  `mutants (// Stryker disable, justified in README) and compile errors are not counted.`,
  ``,
  `${pad('file', 32)}${pad('score', 9)}${pad('detected', 10)}${pad('survived', 10)}${pad('ignored', 9)}compile errors`,
  ...rows.map(([f, n]) => `${pad(f, 32)}${pad(score(n), 9)}${pad(n.detected, 10)}${pad(n.undetected, 10)}${pad(n.ignored, 9)}${n.errors}`),
  `${pad('all', 32)}${pad(score(all), 9)}${pad(all.detected, 10)}${pad(all.undetected, 10)}${pad(all.ignored, 9)}${all.errors}`,
  ``,
  `Surviving mutants (${open.length}):`,
  ...open,
  ``,
];
fs.mkdirSync(path.dirname(output), { recursive: true });
fs.writeFileSync(output, lines.join('\n'));
process.stdout.write(lines.slice(0, rows.length + 6).join('\n') + `\nwritten to ${path.relative(process.cwd(), output)}\n`);
}

module.exports = { summarize };
if (require.main === module) summarize(process.argv.slice(2));
