// npm run mutate [-- FILE...] [--force] [--name=value...]: StrykerJS over firmware/tcp with
// stryker.config.json (README, Tests, Mutation testing).
//
// One Stryker run per source file, one after another, each with its own incremental file,
// reports/mutation/incremental/NAME.json (committed: the results, and what makes a rerun
// after a small change quick): a whole run takes hours on this project's 2-core machines,
// and per file, each finished file's results are kept even when the run is cut short.
// FILE... runs only those files; --force reruns every mutant; --name=value sets another
// Stryker option. Then reports/mutation/summary.txt: scores and surviving mutants.
//
// Stryker 10's CLI refuses Node older than 22, which this project's machines do not have;
// its API (the same run) works on Node 20.19+, so this script calls stryker.js itself (the
// package's index also loads the CLI, whose first act is the version check).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const files = args.filter((a) => !a.startsWith('--'));
const flags = args.filter((a) => a.startsWith('--'));

if (flags.includes('--one')) {
  // A child: one Stryker run over files[0].
  // Mocha 12 for @stryker-mutator/mocha-runner 10.0.0: see mocha12-cjs.cjs.
  const shim = path.join(here, 'mocha12-cjs.cjs');
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --require ${shim}`.trim();
  require(shim);
  const core = path.dirname(require.resolve('@stryker-mutator/core/package.json'));
  const { Stryker } = await import(pathToFileURL(path.join(core, 'dist', 'src', 'stryker.js')).href);
  const name = path.basename(files[0], '.ts');
  const options = {
    mutate: [files[0]],
    incrementalFile: `reports/mutation/incremental/${name}.json`,
    htmlReporter: { fileName: `reports/mutation/html/${name}.html` },
  };
  for (const a of flags.filter((f) => f !== '--one')) {
    const [k, v] = a.slice(2).split('=');
    options[k] = v === undefined ? true : /^\d+$/.test(v) ? Number(v) : v;
  }
  // A failed run throws; a file with nothing to mutate (platform.ts: interfaces only) gives
  // no results and is not a failure.
  const results = await new Stryker(options).runMutationTest();
  if (results.length === 0) console.log(`npm run mutate: ${files[0]} has no mutants`);
} else {
  // The files of firmware/tcp, the engine's state machine and timers first.
  const first = ['timewait', 'timers', 'output', 'input'].map((n) => `firmware/tcp/${n}.ts`);
  const all = readdirSync(path.join(root, 'firmware', 'tcp')).filter((f) => f.endsWith('.ts')).sort()
    .map((f) => `firmware/tcp/${f}`);
  const todo = files.length > 0 ? files : [...first, ...all.filter((f) => !first.includes(f))];
  let failed = 0;
  for (const file of todo) {
    const started = Date.now();
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--one', file, ...flags], { cwd: root, stdio: 'inherit' });
    console.log(`npm run mutate: ${file}: ${r.status === 0 ? 'done' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s`);
    if (r.status !== 0) failed++;
  }
  require('./mutation-summary.js').summarize();
  process.exitCode = failed > 0 ? 1 : 0;
}
