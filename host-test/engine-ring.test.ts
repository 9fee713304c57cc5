// ring.ts on its own: exact bytes into and out of slot 1's rings across their wrap, and
// not one byte of the stack's buffer (the other slot's rings, the packet buffers, the
// SipHash keys) nor of the app's buffer changed beyond them.
import assert from 'node:assert/strict';
import { Core } from '../firmware/tcp/core';
import { rxDrop, rxPut, rxTake, txCopyOut, txDrop, txPut } from '../firmware/tcp/ring';
import { Tcb } from '../firmware/tcp/slots';
import { Bench } from './support/net';

const SIZE = 64; // both rings, the smallest the config allows
const ROW = 1 * Tcb.ROW; // slot 1

/** A stack's core with two slots of 64-byte rings, its whole buffer filled with 0xaa. */
function core(): Core {
  const c = (new Bench({ slots: 2, rxBytes: SIZE, txBytes: SIZE, mss: 64 }).stack as unknown as { core: Core }).core;
  c.memory.fill(0xaa);
  return c;
}

const run = (first: number, count: number): number[] => Array.from({ length: count }, (_, k) => first + k);

describe('ring.ts, slot 1', () => {
  it('rxPut writes a packet\'s bytes past the unread ones and a gap, wrapping, and nothing else', () => {
    const c = core();
    const ring = c.slots.rxBase + SIZE;
    c.slots.tcb[ROW + Tcb.rxStart] = 50;
    c.slots.tcb[ROW + Tcb.rxLength] = 6;
    const packet = Uint8Array.from(run(0, 40));
    c.packet = packet;
    const expected = c.memory.slice();
    rxPut(c, 1, 2, 3, 20); // at 50 + 6 + 2 = 58: 6 bytes to the end, 14 from the start
    expected.set(run(3, 6), ring + 58);
    expected.set(run(9, 14), ring);
    assert.deepEqual(c.memory, expected);
  });

  it('rxPut from the stack\'s own input buffer (a packet received in place) copies the same bytes', () => {
    const c = core();
    const ring = c.slots.rxBase + SIZE;
    c.slots.tcb[ROW + Tcb.rxStart] = 60;
    c.input.set(run(100, 30), 0);
    c.packet = c.input;
    const expected = c.memory.slice();
    rxPut(c, 1, 0, 5, 10);
    expected.set(run(105, 4), ring + 60);
    expected.set(run(109, 6), ring);
    assert.deepEqual(c.memory, expected);
  });

  it('rxTake copies the unread bytes across the wrap, no more, and rxDrop moves the start round', () => {
    const c = core();
    const ring = c.slots.rxBase + SIZE;
    c.memory.set(run(1, 4), ring + 60);
    c.memory.set(run(5, 5), ring);
    c.slots.tcb[ROW + Tcb.rxStart] = 60;
    c.slots.tcb[ROW + Tcb.rxLength] = 9;
    const before = c.memory.slice();
    const into = new Uint8Array(24).fill(0xee);
    assert.equal(rxTake(c, 1, into, 2, 22), 9);
    assert.deepEqual([...into], [0xee, 0xee, ...run(1, 9), ...new Array(13).fill(0xee)]);
    into.fill(0xee);
    assert.equal(rxTake(c, 1, into, 0, 3), 3);
    assert.deepEqual([...into.subarray(0, 4)], [1, 2, 3, 0xee]);
    assert.deepEqual(c.memory, before, 'taking leaves the ring');
    rxDrop(c.slots, 1, 6);
    assert.deepEqual([c.slots.tcb[ROW + Tcb.rxStart], c.slots.tcb[ROW + Tcb.rxLength]], [2, 3]);
  });

  it('txPut appends across the wrap as room allows, and nothing else', () => {
    const c = core();
    const ring = c.slots.txBase + SIZE;
    c.slots.tcb[ROW + Tcb.txStart] = 12;
    c.slots.tcb[ROW + Tcb.txLength] = 51; // the end at 63: room for 13
    const expected = c.memory.slice();
    assert.equal(txPut(c, 1, Uint8Array.from(run(0, 30)), 4, 20), 13);
    expected[ring + 63] = 4;
    expected.set(run(5, 12), ring);
    assert.deepEqual(c.memory, expected);
    assert.equal(c.slots.tcb[ROW + Tcb.txLength], 64);
    txDrop(c.slots, 1, 60);
    assert.deepEqual([c.slots.tcb[ROW + Tcb.txStart], c.slots.tcb[ROW + Tcb.txLength]], [8, 4]);
  });

  it('txCopyOut copies exactly the segment\'s bytes into the packet, across the wrap or short of it', () => {
    const c = core();
    const ring = c.slots.txBase + SIZE;
    c.memory.set(run(1, 4), ring + 60);
    c.memory.set(run(5, 60), ring);
    c.slots.tcb[ROW + Tcb.txStart] = 58;
    const out = c.out.byteOffset;
    const expected = c.memory.slice();
    txCopyOut(c, 1, 2, 40, 10); // from 60: 4 bytes to the end, 6 from the start
    expected.set(run(1, 10), out + 40);
    assert.deepEqual(c.memory, expected);
    txCopyOut(c, 1, 3, 50, 1); // one byte, well short of the end
    expected[out + 50] = 2;
    assert.deepEqual(c.memory, expected);
  });
});
