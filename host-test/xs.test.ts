// The engine on the real XS engine (Moddable's, built by @agoric/xsnap): the engine's
// scenario tests and the packetdrill corpus are bundled once and run both on XS and on
// Node, and must give identical verdicts; XS's exact heap counter shows that
// connections and segments allocate nothing once the stack is built.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { XsSession, bundleSourceForXs, runOnXs } from '../host/xs/xsnap-runner';

const root = path.join(__dirname, '..', '..');

/** Engine test files that use nothing but the core (no Node APIs beyond assert). */
const portableTests = [
  'engine-open', 'engine-close', 'engine-data', 'engine-rfc5961', 'engine-timers', 'engine-timewait',
  'seed', 'socket', 'ecma419', 'wire', 'siphash', 'sack',
];

/** Runs a bundle on Node in a fresh context with XS's globals, collecting print(). */
function runOnNode(code: string): string[] {
  const prints: string[] = [];
  vm.runInNewContext(code, { print: (text: string) => prints.push(String(text)), TextEncoder, TextDecoder });
  return prints;
}

function tagged(prints: string[], tag: string): unknown {
  const line = prints.find((p) => p.startsWith(`${tag} `));
  assert.ok(line, `no ${tag} line in: ${prints.join('\n').slice(0, 2000)}`);
  return JSON.parse(line.slice(tag.length + 1));
}

interface Outcome {
  title: string;
  status: string;
  error?: string;
}

describe('XS engine', function () {
  this.timeout(120000);

  for (const name of portableTests) {
    it(`runs ${name}.test.ts with the same verdicts as Node`, async () => {
      const code = await bundleSourceForXs([
        "import './host-test/xs/install-globals';",
        `import './host-test/${name}.test';`,
        "import './host-test/xs/report';",
      ].join('\n'));
      const onXs = await runOnXs(code);
      assert.ok(onXs.ok, onXs.ok ? '' : onXs.error);
      const xs = tagged(onXs.prints, 'XS-OUTCOMES') as Outcome[];
      const node = tagged(runOnNode(code), 'XS-OUTCOMES') as Outcome[];
      assert.ok(xs.length > 0);
      assert.deepEqual(xs, node);
      const failed = xs.filter((o) => o.status !== 'passed');
      assert.deepEqual(failed, [], `failed on XS: ${JSON.stringify(failed, null, 1)}`);
    });
  }

  it('runs the packetdrill corpus and the wrong scripts with the same verdicts as Node', async () => {
    const collect = (dir: string) => readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.pkt')).sort()
      .map((f) => [`${dir}/${f}`, readFileSync(path.join(root, dir, f), 'utf8')]);
    const scripts = [...collect('host-test/pkt'), ...collect('host-test/pkt-fail')];
    const code = await bundleSourceForXs(`
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
    const onXs = await runOnXs(code);
    assert.ok(onXs.ok, onXs.ok ? '' : onXs.error);
    const xs = tagged(onXs.prints, 'XS-PKT') as [string, string][];
    assert.deepEqual(xs, tagged(runOnNode(code), 'XS-PKT'));
    assert.equal(xs.length, scripts.length);
    for (const [name, verdict] of xs) {
      if (name.startsWith('host-test/pkt/')) assert.equal(verdict, 'pass', name);
      else assert.notEqual(verdict, 'pass', name);
    }
  });

  it('allocates nothing per connection, per segment or per flooding SYN once the stack is built', async () => {
    const worker = await XsSession.start();
    try {
      const setup = await bundleSourceForXs(`
        import { ChurnDriver } from './host-test/support/churn';
        (globalThis as any).ChurnDriver = ChurnDriver;
      `);
      assert.ok((await worker.evaluate(setup)).ok);
      const run = async (code: string) => {
        const r = await worker.evaluate(code);
        if (!r.ok) assert.fail(r.error);
        return r.meter.heapCount;
      };
      await run(`globalThis.churn = new ChurnDriver({ slots: 4, timeWaitCapacity: 8, mss: 1460, rxBytes: 4096, txBytes: 4096 });
        churn.churn(100)`);
      await run(`globalThis.stream = new ChurnDriver({ mss: 1460, rxBytes: 8192, txBytes: 4096 }, 1460);
        globalThis.handle = stream.openForStreaming(5000); stream.streamSegment(handle)`);
      // currentHeapCount counts live and not-yet-collected slots and chunks, so work run
      // right after a full collection shows any allocation, garbage included. Every
      // evaluation itself leaves a little behind: measure an empty one first.
      const grows = async (code: string) => {
        const before = await run('gc()');
        return (await run(code)) - before;
      };
      const perEvaluation = await grows('');
      assert.equal(await grows(''), perEvaluation, 'the empty evaluation is repeatable');
      assert.equal(await grows('if (churn.churn(2000, 3000) !== 2000) throw new Error("churn failed")'), perEvaluation,
        '2,000 whole connections allocate nothing');
      assert.equal(await grows('for (let i = 0; i < 2000; i++) if (!stream.streamSegment(handle)) throw new Error("stream failed")'),
        perEvaluation, '2,000 segments of 1460 bytes allocate nothing');
      assert.equal(await grows('if (churn.flood(5000, 100000) !== 5000) throw new Error("flood failed")'), perEvaluation,
        '5,000 spoofed SYNs (SYN cookies) allocate nothing');
    } finally {
      await worker.close();
    }
  });
});
