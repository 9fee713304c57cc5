// npm run mutate [-- FILE...] [--force]: StrykerJS over firmware/tcp with stryker.config.json
// (README, Tests, Mutation testing). Stryker 10's CLI refuses Node older than 22, which this
// project's machines do not have; its API (the same run) works on Node 20.19+, so this
// script calls it (stryker.js itself: the package's index also loads the CLI, whose first
// act is the version check). FILE... narrows the run to those files; --force reruns every
// mutant; --name=value sets any other Stryker option (e.g. --incrementalFile=...).
// Then reports/mutation/summary.txt: scores and surviving mutants (mutation-summary.js).
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// Mocha 12 for @stryker-mutator/mocha-runner 10.0.0: see mocha12-cjs.cjs.
const shim = path.join(path.dirname(new URL(import.meta.url).pathname), 'mocha12-cjs.cjs');
process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --require ${shim}`.trim();
createRequire(import.meta.url)(shim);

const core = path.dirname(createRequire(import.meta.url).resolve('@stryker-mutator/core/package.json'));
const { Stryker } = await import(pathToFileURL(path.join(core, 'dist', 'src', 'stryker.js')).href);

const args = process.argv.slice(2);
const options = {};
const files = args.filter((a) => !a.startsWith('--'));
if (files.length > 0) options.mutate = files;
if (args.includes('--force')) options.force = true;
for (const a of args.filter((a) => a.startsWith('--') && a !== '--force')) {
  const [k, v] = a.slice(2).split('=');
  options[k] = v === undefined ? true : /^\d+$/.test(v) ? Number(v) : v;
}
const results = await new Stryker(options).runMutationTest();
// reports/mutation/summary.txt from the incremental file Stryker just wrote.
const { summarize } = createRequire(import.meta.url)('./mutation-summary.js');
summarize(options.incrementalFile);
process.exitCode = results.length > 0 ? 0 : 1;
