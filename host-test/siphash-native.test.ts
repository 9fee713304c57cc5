// The SipHash primitive of every BytePrimitives set (firmware/tcp/bytes.ts) gives what the
// portable sipHash24 gives: Node's (nodeBytes) here, and the boards' C (slotcp_bytes.c,
// which the XS host registers in slotcpNativeBytes) on the XS host, natively and on the
// lx106 core. The portable one is checked against the published vectors in
// siphash.test.ts, the C one also in test-native/test_bytes.c.
import assert from 'node:assert/strict';
import { jsBytes } from '../firmware/tcp/bytes';
import { sipHash24 } from '../firmware/tcp/siphash';
import { nodeBytes } from '../host/bytes-node';
import { XsHostToolMissing, checkXsHostTools, runOnXsHost, type XsHostTarget } from '../host/xs/xs-host-runner';
import { buildXsHost } from '../host/xs/xs-host-build';
import { bundleSourceForXs } from '../host/xs/xsnap-runner';

const inCi = process.env.CI === 'true';

/** XS source that compares `globalThis.slotcpNativeBytes.sipHash24` with the portable
 *  one on random keys, messages (lengths 0..80, 0..7 bytes into a buffer), key and result
 *  places, and with key, message and result in one buffer as the stack has them; prints
 *  the number of cases, or the first difference. Then tries ranges outside the buffers. */
const comparison = `
  import { sipHash24 } from './firmware/tcp/siphash';
  declare const print: (text: string) => void;
  const native = (globalThis as any).slotcpNativeBytes.sipHash24;
  let seed = 99;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) | 0) >>> 24;
  const buffer = new Uint8Array(200);
  const a = new Uint8Array(8);
  const b = new Uint8Array(8);
  let cases = 0;
  let failure = '';
  for (let round = 0; round < 40 && failure === ''; round++) {
    for (let length = 0; length <= 80 && failure === ''; length++) {
      for (let i = 0; i < buffer.length; i++) buffer[i] = random();
      const offset = 100 + (round & 7);
      const keyAt = round & 15;
      native(buffer, keyAt, buffer, offset, length, a, 0);
      sipHash24(buffer, keyAt, buffer, offset, length, b, 0);
      cases++;
      if (a.join() !== b.join()) failure = 'length ' + length + ' offset ' + offset + ': ' + a.join() + ' vs ' + b.join();
      // One buffer for all three, the result over the start of the message.
      const copy = buffer.slice();
      native(buffer, 0, buffer, 20, length, buffer, 20);
      sipHash24(copy, 0, copy, 20, length, copy, 20);
      cases++;
      if (failure === '' && buffer.join() !== copy.join()) failure = 'shared buffer, length ' + length;
    }
  }
  print(failure === '' ? 'CASES ' + cases : 'FAIL ' + failure);
  for (const args of [[buffer, 190, buffer, 0, 4, a, 0], [buffer, 0, buffer, 150, 51, a, 0], [buffer, 0, buffer, 0, 4, a, 1], [buffer, 0, buffer, -1, 4, a, 0]]) {
    let thrown = 'nothing';
    try { native(...args); } catch (e) { thrown = String(e); }
    print('RANGE ' + thrown);
  }
`;

describe('the SipHash byte primitive', function () {
  it('is the portable sipHash24 in jsBytes and in nodeBytes', () => {
    assert.equal(jsBytes.sipHash24, sipHash24);
    assert.equal(nodeBytes.sipHash24, sipHash24);
  });

  for (const target of ['x86_64', 'lx106'] as XsHostTarget[]) {
    it(`in C on the ${target} XS host (slotcpNativeBytes) gives the portable one's bytes and refuses ranges outside the buffers`, async function () {
      this.timeout(15 * 60_000);
      try {
        checkXsHostTools(target);
      } catch (error) {
        if (!(error instanceof XsHostToolMissing) || inCi) throw error;
        console.log(`      skipped: ${error.message}`);
        this.skip();
      }
      buildXsHost(target);
      const run = await runOnXsHost(await bundleSourceForXs(comparison), { target, timeoutMs: 10 * 60_000 });
      assert.ok(run.ok, run.error);
      assert.equal(run.prints[0], `CASES ${2 * 40 * 81}`);
      assert.equal(run.prints.length, 5);
      for (const line of run.prints.slice(1)) assert.match(line, /^RANGE RangeError: .*range out of the buffer/);
    });
  }
});
