// slotcp on its own XS host (xs-host/, built from the XS sources @agoric/xsnap ships):
// the bare engine as the board has it, on x86-64, on 32-bit x86 (qemu-i386) and on the
// ESP8266's lx106 core (qemu-system-xtensa). The same engine test bundles and packetdrill
// corpus as xs.test.ts must give Node's verdicts. A target whose tools are missing is
// skipped, saying which package to install; with CI=true it fails instead.
import assert from 'node:assert/strict';
import { XsHostToolMissing, checkXsHostTools, runOnXsHost, type XsHostTarget } from '../host/xs/xs-host-runner';
import { buildXsHost } from '../host/xs/xs-host-build';
import { bundleSourceForXs } from '../host/xs/xsnap-runner';
import { assertSameOutcomes, assertSameVerdicts, engineTestBundle, pktBundle, pktScripts, portableTests } from './support/xs-corpus';

const inCi = process.env.CI === 'true';
/** sack.test.ts alone takes ~150 s under qemu-i386 and ~5 min under qemu-system-xtensa
 *  (~20 s natively): the emulated targets run it only with XS_HOST_FULL=1. */
const full = process.env.XS_HOST_FULL === '1';
const emulatedTests = full ? portableTests : portableTests.filter((name) => name !== 'sack');

/** Skips the suite when the target's tools are missing (outside CI), then builds it. */
function requireTarget(context: Mocha.Context, target: XsHostTarget): void {
  try {
    checkXsHostTools(target);
  } catch (error) {
    if (!(error instanceof XsHostToolMissing) || inCi) throw error;
    console.log(`      skipped: ${error.message}`);
    context.skip();
  }
  buildXsHost(target);
}

function describeTarget(target: XsHostTarget, body: (target: XsHostTarget) => void): void {
  describe(`on ${target}`, function () {
    this.timeout(15 * 60_000);
    before(function () {
      requireTarget(this, target);
    });
    body(target);
  });
}

describe("slotcp's own XS host (xs-host/)", function () {
  describeTarget('x86_64', (target) => {
    it('reports an uncaught exception with its message and a non-zero status', async () => {
      const run = await runOnXsHost('print("before"); throw new TypeError("boom")', { target });
      assert.equal(run.status, 1);
      assert.deepEqual(run.prints, ['before']);
      assert.match(run.error, /uncaught exception: TypeError: boom/);
    });

    it('runs promise jobs and fails on an unhandled rejection', async () => {
      const ok = await runOnXsHost('Promise.resolve(2).then((v) => print("job " + v))', { target });
      assert.ok(ok.ok, ok.error);
      assert.deepEqual(ok.prints, ['job 2']);
      const rejected = await runOnXsHost('Promise.reject(new Error("nobody listens"))', { target });
      assert.equal(rejected.status, 2);
      assert.match(rejected.error, /unhandled rejection: Error: nobody listens/);
    });

    it('reads the heap counters without moving them, and gc() lowers them', async () => {
      const run = await runOnXsHost(`
        const a = currentHeapCount(), b = currentHeapCount();
        globalThis.junk = Array.from({ length: 1000 }, (_, i) => ({ i }));
        const grown = currentHeapCount(); globalThis.junk = undefined; gc();
        print(JSON.stringify([b - a, grown - a > 1000, currentHeapCount() < grown, currentChunksSize() > 0]))`, { target });
      assert.ok(run.ok, run.error);
      assert.deepEqual(JSON.parse(run.prints[0]), [0, true, true, true]);
    });

    it('kills a run that takes too long', async () => {
      const run = await runOnXsHost('for (;;) {}', { target, timeoutMs: 1000 });
      assert.equal(run.ok, false);
      assert.match(run.error, /timed out after 1000 ms/);
    });

    engineTests(target, portableTests);
    pktCorpus(target);
    nativeBytes(target);
  });

  // About 8x slower than native; the corpus takes ~5 s.
  describeTarget('i386', (target) => {
    it('reports an uncaught exception with its message and a non-zero status', async () => {
      const run = await runOnXsHost('throw new RangeError("on 32 bits")', { target });
      assert.equal(run.status, 1);
      assert.match(run.error, /uncaught exception: RangeError: on 32 bits/);
    });

    engineTests(target, emulatedTests);
    pktCorpus(target);
  });

  // The ESP8266's core: output and exit status through semihosting; a CPU exception
  // prints EXCCAUSE, EPC1 and EXCVADDR and exits with status 4. The corpus takes ~10 s.
  describeTarget('lx106', (target) => {
    it('prints through semihosting and exits with the exact status', async () => {
      const ok = await runOnXsHost('print("from lx106 " + (6 * 7)); Promise.resolve(1).then(() => print("job"))', { target });
      assert.ok(ok.ok, ok.error);
      assert.deepEqual(ok.prints, ['from lx106 42', 'job']);
      const thrown = await runOnXsHost('print("before"); throw new TypeError("boom")', { target });
      assert.equal(thrown.status, 1);
      assert.deepEqual(thrown.prints, ['before']);
      assert.match(thrown.error, /uncaught exception: TypeError: boom/);
      const rejected = await runOnXsHost('Promise.reject(new Error("nobody listens"))', { target });
      assert.equal(rejected.status, 2);
    });

    it('does 64-bit and floating-point arithmetic with the helpers it links', async () => {
      const run = await runOnXsHost(`print(JSON.stringify([(2 ** 40 + 7) % 1000, 1e15 / 7, Math.imul(0x7fffffff, 3),
        (0x12345678 * 0x9abcdef) >>> 0, Number("3.25") * 4, (1234567890123).toString(16), 7 / 3]))`, { target });
      assert.ok(run.ok, run.error);
      assert.equal(run.prints[0], JSON.stringify([(2 ** 40 + 7) % 1000, 1e15 / 7, Math.imul(0x7fffffff, 3),
        (0x12345678 * 0x9abcdef) >>> 0, Number('3.25') * 4, (1234567890123).toString(16), 7 / 3]));
    });

    engineTests(target, emulatedTests);
    pktCorpus(target);
  });
});

/** The named engine test files, one bundle each as in xs.test.ts. */
function engineTests(target: XsHostTarget, names: string[]): void {
  for (const name of names) {
    it(`runs ${name}.test.ts with the same verdicts as Node`, async () => {
      const code = await engineTestBundle([name]);
      const run = await runOnXsHost(code, { target });
      assert.ok(run.ok, run.error);
      assertSameOutcomes(run.prints, code);
    });
  }
}

/** The board's C byte primitives (slotcp_bytes.c), which the host registers as
 *  slotcpNativeBytes: against reference code, then as the engine tests' primitives. */
function nativeBytes(target: XsHostTarget): void {
  it('has C byte primitives that sum and copy as reference code (support/bytes-check.ts)', async () => {
    const code = await bundleSourceForXs(`
      import { checkBytePrimitives } from './host-test/support/bytes-check';
      declare const print: (text: string) => void;
      const native = (globalThis as any).slotcpNativeBytes;
      print('CASES ' + checkBytePrimitives(native, 5000));
      let thrown = '';
      try { native.sum(new Uint8Array(4), 2, 3, 0); } catch (e) { thrown = String(e); }
      print('RANGE ' + thrown);`);
    const run = await runOnXsHost(code, { target });
    assert.ok(run.ok, run.error);
    assert.match(run.prints[0], /^CASES \d{5,}$/);
    assert.match(run.prints[1], /^RANGE RangeError: .*range out of the buffer/);
  });

  it('runs the engine tests with the C byte primitives with the same verdicts as Node with jsBytes', async () => {
    // On XS the stacks get slotcpNativeBytes; Node, which has none, runs jsBytes.
    const code = 'globalThis.slotcpBytesUnderTest = globalThis.slotcpNativeBytes;\n'
      + 'if (globalThis.slotcpBytesUnderTest) print("NATIVE-BYTES");\n' + await engineTestBundle(portableTests);
    const run = await runOnXsHost(code, { target, timeoutMs: 10 * 60_000 });
    assert.ok(run.ok, run.error);
    assert.equal(run.prints[0], 'NATIVE-BYTES');
    assertSameOutcomes(run.prints, code);
  });
}

function pktCorpus(target: XsHostTarget, select?: (name: string) => boolean, label = 'the packetdrill corpus and the wrong scripts'): void {
  it(`runs ${label} with the same verdicts as Node`, async () => {
    const scripts = pktScripts(select);
    const code = await pktBundle(scripts);
    const run = await runOnXsHost(code, { target, timeoutMs: 10 * 60_000 });
    assert.ok(run.ok, run.error);
    assertSameVerdicts(run.prints, code, scripts);
  });
}
