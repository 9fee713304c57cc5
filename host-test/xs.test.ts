// The engine on the real XS engine (Moddable's, built by @agoric/xsnap): the engine's
// scenario tests and the packetdrill corpus are bundled once and run both on XS and on
// Node, and must give identical verdicts; XS's exact heap counter shows that
// connections and segments allocate nothing once the stack is built.
import assert from 'node:assert/strict';
import { XsSession, bundleSourceForXs, runOnXs } from '../host/xs/xsnap-runner';
import { assertSameOutcomes, assertSameVerdicts, engineTestBundle, pktBundle, pktScripts, portableTests } from './support/xs-corpus';

describe('XS engine', function () {
  this.timeout(120000);

  for (const name of portableTests) {
    it(`runs ${name}.test.ts with the same verdicts as Node`, async () => {
      const code = await engineTestBundle([name]);
      const onXs = await runOnXs(code);
      assert.ok(onXs.ok, onXs.ok ? '' : onXs.error);
      assertSameOutcomes(onXs.prints, code);
    });
  }

  it('runs the packetdrill corpus and the wrong scripts with the same verdicts as Node', async () => {
    const scripts = pktScripts();
    const code = await pktBundle(scripts);
    const onXs = await runOnXs(code);
    assert.ok(onXs.ok, onXs.ok ? '' : onXs.error);
    assertSameVerdicts(onXs.prints, code, scripts);
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
