// The harness that runs code on the real XS engine (host/xs/xsnap-runner.ts).
import assert from 'node:assert/strict';
import path from 'node:path';
import { bundleForXs, runOnXs, XsSession, type XsEvaluation, type XsMeter } from '../host/xs/xsnap-runner';
import { internetChecksum, SAMPLE } from './fixtures/xs/checksum';

const repoRoot = path.resolve(__dirname, '..', '..');

function meterOf(run: XsEvaluation): XsMeter {
  if (!run.ok) assert.fail(run.error);
  return run.meter;
}

async function withSession(test: (session: XsSession) => Promise<void>): Promise<void> {
  const session = await XsSession.start();
  try {
    await test(session);
  } finally {
    await session.close();
  }
}

describe('runOnXs', () => {
  it('returns the lines the code prints', async () => {
    const run = await runOnXs('print("hello", 42); print("second")');
    assert.ok(run.ok);
    assert.deepEqual(run.prints, ['hello 42', 'second']);
  });

  it('runs typed arrays and DataView', async () => {
    const run = await runOnXs(`
      const bytes = new Uint8Array([1, 2, 3, 250]);
      const view = new DataView(bytes.buffer);
      const words = new Uint32Array([0xffffffff, 7]);
      words[0] += 1;
      const floats = new Float64Array([0.5, -1.25]);
      view.setUint16(0, 0xbeef, true);
      print([bytes.join(), view.getUint32(0).toString(16), words.join(), floats[0] + floats[1]].join(' '));
    `);
    assert.ok(run.ok);
    assert.deepEqual(run.prints, ['239,190,3,250 efbe03fa 0,7 -0.75']);
  });

  it('delivers issueCommand payloads and answers them with an empty buffer', async () => {
    const run = await runOnXs(`
      const reply = issueCommand(new TextEncoder().encode("ping \u00fc").buffer);
      issueCommand(new TextEncoder().encode("second").buffer);
      print(reply.byteLength);
    `);
    assert.ok(run.ok);
    assert.deepEqual(run.messages, ['ping \u00fc', 'second']);
    assert.deepEqual(run.prints, ['0']);
  });

  it('reports an uncaught exception as a failed run', async () => {
    const run = await runOnXs('print("before"); throw new Error("boom")');
    assert.equal(run.ok, false);
    assert.equal(run.ok ? undefined : run.error, 'Error: boom');
    assert.deepEqual(run.prints, ['before']);
  });

  it('reports an unhandled promise rejection as a failed run', async () => {
    const run = await runOnXs('Promise.reject(new Error("late"))');
    assert.equal(run.ok, false);
    assert.match(run.ok ? '' : run.error, /Error: late/);
  });

  it('meters compute and heap deterministically', async () => {
    const code = 'let total = 0; for (let i = 0; i < 1000; i++) total += i; print(total)';
    const first = meterOf(await runOnXs(code));
    const second = meterOf(await runOnXs(code));
    assert.ok(Number.isInteger(first.compute) && first.compute > 0, `compute ${first.compute}`);
    assert.equal(second.compute, first.compute);
    assert.equal(second.heapCount, first.heapCount);
  });

  it('bundles a TypeScript entry with its imports and runs it', async () => {
    const bundle = await bundleForXs(path.join(repoRoot, 'host-test/fixtures/xs/main.ts'));
    const run = await runOnXs(bundle);
    assert.ok(run.ok, run.ok ? '' : run.error);
    assert.deepEqual(run.prints, [`checksum ${internetChecksum(new Uint8Array(SAMPLE))}`]);
  });

  it('kills a worker that runs past the timeout', async () => {
    await assert.rejects(runOnXs('for (;;) {}', { timeoutMs: 300 }), /timed out after 300 ms/);
  });

  it('aborts an evaluation over the compute limit', async () => {
    await assert.rejects(runOnXs('for (;;) {}', { computeLimit: 100_000 }), /too much computation/);
  });
});

describe('XsSession', () => {
  it('keeps globals between evaluations and survives an exception', () =>
    withSession(async (session) => {
      meterOf(await session.evaluate('globalThis.counter = 41'));
      assert.equal((await session.evaluate('throw new TypeError("nope")')).ok, false);
      assert.deepEqual((await session.evaluate('print(++counter)')).prints, ['42']);
    }));

  // The recipe for allocation checks: every evaluation retains a slot or so of its own,
  // so compare evaluations of one text that starts with gc() (which sweeps the garbage of
  // the evaluations before), the loop count set beforehand: n = 0 twice, then n = 10,000.
  // The first difference is the evaluations' own drift; whatever the second exceeds it
  // by, the loop allocated.
  async function slotsAllocatedBy(session: XsSession, step: string): Promise<number> {
    meterOf(await session.evaluate(`globalThis.step = ${step}`));
    const heapAfter = async (n: number) => {
      meterOf(await session.evaluate(`globalThis.n = ${n}`));
      return meterOf(await session.evaluate('gc(); step(n)')).heapCount;
    };
    const idle = await heapAfter(0);
    const idleAgain = await heapAfter(0);
    const busy = await heapAfter(10_000);
    return busy - idleAgain - (idleAgain - idle);
  }

  it('shows no heap growth for a loop that only writes into a typed array', () =>
    withSession(async (session) => {
      meterOf(await session.evaluate('globalThis.words = new Uint32Array(16)'));
      assert.equal(await slotsAllocatedBy(session, '(n) => { for (let i = 0; i < n; i++) words[i & 15] = i; }'), 0);
    }));

  it('counts the slots of the objects a loop allocates', () =>
    withSession(async (session) => {
      // An object with one property takes two slots.
      assert.equal(await slotsAllocatedBy(session, '(n) => { for (let i = 0; i < n; i++) { const o = { i }; } }'), 20_000);
    }));
});
