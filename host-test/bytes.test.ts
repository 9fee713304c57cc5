// The byte primitives (firmware/tcp/bytes.ts): every implementation Node can run (the
// portable jsBytes and the host runner's nodeBytes) against reference code on edge cases
// (support/bytes-check.ts) and on fast-check's random inputs, and the engine with
// nodeBytes against the engine with jsBytes. The C primitives (slotcp_bytes.c) get the
// same checks in test-native/ and on the XS host (xs-host.test.ts).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BytePrimitives, jsBytes } from '../firmware/tcp/bytes';
import { finishChecksum } from '../firmware/tcp/checksum';
import { nodeBytes } from '../host/bytes-node';
import { checkBytePrimitives, foldSum, referenceSum } from './support/bytes-check';
import { ChurnDriver, churnConfig, streamConfig } from './support/churn';

const implementations: [string, BytePrimitives][] = [['jsBytes', jsBytes], ['nodeBytes', nodeBytes]];

describe('byte primitives', () => {
  for (const [name, impl] of implementations) {
    describe(name, () => {
      it('sums and copies as the reference on edge cases: every alignment, odd lengths, zero length, overlap', () => {
        assert.ok(checkBytePrimitives(impl, 2000) > 10000);
      });

      it('sums as the reference and as jsBytes on random input (fast-check)', () => {
        fc.assert(fc.property(
          fc.uint8Array({ minLength: 0, maxLength: 3000 }), fc.nat(), fc.nat(), fc.nat({ max: 0xffffffff }),
          (bytes, a, b, initial) => {
            const offset = bytes.length === 0 ? 0 : a % (bytes.length + 1);
            const length = b % (bytes.length - offset + 1);
            const sum = impl.sum(bytes, offset, length, initial);
            assert.equal(foldSum(sum), referenceSum(bytes, offset, length, initial));
            assert.equal(finishChecksum(sum), finishChecksum(jsBytes.sum(bytes, offset, length, initial)));
          }), { numRuns: 500 });
      });

      it('copies as the reference on random input, across arrays and within one (fast-check)', () => {
        fc.assert(fc.property(
          fc.uint8Array({ minLength: 1, maxLength: 2000 }), fc.nat(), fc.nat(), fc.nat(), fc.boolean(),
          (bytes, a, b, c, within) => {
            const length = a % (bytes.length + 1);
            const fromOffset = b % (bytes.length - length + 1);
            const toOffset = c % (bytes.length - length + 1);
            const expected = bytes.slice();
            expected.set(bytes.slice(fromOffset, fromOffset + length), toOffset);
            const from = bytes.slice();
            const to = within ? from : bytes.slice();
            impl.copy(from, fromOffset, to, toOffset, length);
            assert.deepEqual(to, expected);
            if (!within) assert.deepEqual(from, bytes, 'the source is left alone');
          }), { numRuns: 500 });
      });
    });
  }

  it('gives the engine the same packets and reads with nodeBytes as with jsBytes', () => {
    const runs = implementations.map(([, impl]) => {
      (globalThis as { slotcpBytesUnderTest?: BytePrimitives }).slotcpBytesUnderTest = impl;
      try {
        const churn = new ChurnDriver(churnConfig);
        const connections = churn.churn(300);
        const stream = new ChurnDriver(streamConfig, 1460);
        const handle = stream.openForStreaming(5000);
        let streamed = 0;
        for (let i = 0; i < 300; i++) if (stream.streamSegment(handle)) streamed++;
        return { connections, streamed, churn: churn.stack.counters.snapshot(), stream: stream.stack.counters.snapshot() };
      } finally {
        delete (globalThis as { slotcpBytesUnderTest?: BytePrimitives }).slotcpBytesUnderTest;
      }
    });
    assert.equal(runs[0].connections, 300);
    assert.equal(runs[0].streamed, 300);
    assert.deepEqual(runs[1], runs[0]);
  });
});
