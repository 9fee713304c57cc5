// The bundles that show slotcp behaves the same on an XS engine as on Node: the engine
// test files that use nothing but the core, and the packetdrill corpus with the scripts
// that must fail. Shared by xs.test.ts (xsnap-worker) and xs-host.test.ts (slotcp's own
// XS host); each runs a bundle on XS and on Node and compares the printed verdicts.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { bundleSourceForXs } from '../../host/xs/xsnap-runner';

const root = path.join(__dirname, '..', '..', '..');

/** Engine test files that use nothing but the core (no Node APIs beyond assert). */
export const portableTests = [
  'engine-open', 'engine-close', 'engine-data', 'engine-rfc5961', 'engine-timers', 'engine-timewait', 'engine-output', 'engine-connection', 'engine-app-api',
  'socket', 'ecma419', 'wire', 'siphash', 'sack', 'sack-scoreboard',
];

export interface Outcome {
  title: string;
  status: string;
  error?: string;
}

/** Runs a bundle on Node in a fresh context with XS's globals, collecting print(). */
export function runOnNode(code: string): string[] {
  const prints: string[] = [];
  vm.runInNewContext(code, { print: (text: string) => prints.push(String(text)), TextEncoder, TextDecoder });
  return prints;
}

/** The JSON after `tag ` on the printed line that starts with it. */
export function tagged(prints: string[], tag: string): unknown {
  const line = prints.find((p) => p.startsWith(`${tag} `));
  assert.ok(line, `no ${tag} line in: ${prints.join('\n').slice(0, 2000)}`);
  return JSON.parse(line.slice(tag.length + 1));
}

/** A bundle running the named engine test files with the mocha shim; it prints
 *  `XS-OUTCOMES [...]`. */
export function engineTestBundle(names: string[]): Promise<string> {
  return bundleSourceForXs([
    "import './host-test/xs/install-globals';",
    ...names.map((name) => `import './host-test/${name}.test';`),
    "import './host-test/xs/report';",
  ].join('\n'));
}

/** Checks the outcomes printed by an engine test bundle on XS against Node's. */
export function assertSameOutcomes(xsPrints: string[], code: string): Outcome[] {
  const xs = tagged(xsPrints, 'XS-OUTCOMES') as Outcome[];
  const node = tagged(runOnNode(code), 'XS-OUTCOMES') as Outcome[];
  assert.ok(xs.length > 0);
  assert.deepEqual(xs, node);
  const failed = xs.filter((o) => o.status !== 'passed');
  assert.deepEqual(failed, [], `failed on XS: ${JSON.stringify(failed, null, 1)}`);
  return xs;
}

/** The packetdrill scripts that must pass (host-test/pkt) and fail (host-test/pkt-fail),
 *  as [name, text], sorted; `select` keeps a subset by name. */
export function pktScripts(select: (name: string) => boolean = () => true): [string, string][] {
  const collect = (dir: string) => readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.pkt')).sort()
    .map((f): [string, string] => [`${dir}/${f}`, readFileSync(path.join(root, dir, f), 'utf8')]);
  return [...collect('host-test/pkt'), ...collect('host-test/pkt-fail')].filter(([name]) => select(name));
}

/** A bundle running the scripts; it prints `XS-PKT [[name, verdict], ...]`. */
export function pktBundle(scripts: [string, string][]): Promise<string> {
  return bundleSourceForXs(`
    import { parseScript } from './host/pkt/parse';
    import { runScript } from './host/pkt/run';
    declare const print: (text: string) => void;
    const scripts: [string, string][] = ${JSON.stringify(scripts)};
    const verdicts = scripts.map(([name, text]) => {
      try {
        runScript(parseScript(text, name), name);
        return [name, 'pass'];
      } catch (err) {
        return [name, String((err as Error).message)];
      }
    });
    print('XS-PKT ' + JSON.stringify(verdicts));
  `);
}

/** Checks the verdicts printed by a pkt bundle on XS against Node's and the directories'. */
export function assertSameVerdicts(xsPrints: string[], code: string, scripts: [string, string][]): void {
  const xs = tagged(xsPrints, 'XS-PKT') as [string, string][];
  assert.deepEqual(xs, tagged(runOnNode(code), 'XS-PKT'));
  assert.equal(xs.length, scripts.length);
  for (const [name, verdict] of xs) {
    if (name.startsWith('host-test/pkt/')) assert.equal(verdict, 'pass', name);
    else assert.notEqual(verdict, 'pass', name);
  }
}
