// ring.ts on its own: exact bytes into and out of slot 1's rings across their wrap, and
// not one byte of the stack's buffer (the other slot's rings, the packet buffers, the
// SipHash keys) nor of the app's buffer changed beyond them.
import assert from 'node:assert/strict';
import { Core } from '../firmware/tcp/core';
import {
  cutAtRecordEnd, dropRecordMarks, markRecordEnd, recordStartBefore, rxDrop, rxPut, rxTake, toRecordEnd, txCopyOut, txDrop, txPut,
} from '../firmware/tcp/ring';
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

describe('ring.ts, end-of-record marks (MSG_EOR), slot 1', () => {
  /** Slot 1 with SND.UNA at `una` and records of these lengths written, each marked (the
   *  marks never read the ring's bytes, so the queue may be longer than the ring here). */
  function marked(una: number, records: number[]): Core {
    const c = core();
    const tcb = c.slots.tcb;
    tcb[ROW + Tcb.sndUna] = una;
    for (const length of records) {
      tcb[ROW + Tcb.txLength] += length;
      markRecordEnd(c.slots, 1);
    }
    return c;
  }
  /** The marks toRecordEnd finds, walking from SND.UNA to the end of the queue. */
  function marks(c: Core): number[] {
    const tcb = c.slots.tcb;
    const found: number[] = [];
    const end = (tcb[ROW + Tcb.sndUna] + tcb[ROW + Tcb.txLength]) | 0;
    for (let seq = tcb[ROW + Tcb.sndUna]; ((end - seq) | 0) > 0;) {
      const to = toRecordEnd(tcb, ROW, seq);
      if (to < 0) break;
      seq = (seq + to) | 0;
      found.push(seq);
    }
    return found;
  }

  it('a run of equal records keeps every mark, across the sequence wrap', () => {
    const c = marked(-10, [4, 4, 4, 4]);
    assert.deepEqual(marks(c), [-6, -2, 2, 6]);
    const tcb = c.slots.tcb;
    assert.equal(toRecordEnd(tcb, ROW, -5), 3, 'from inside a record, to its end');
    assert.equal(toRecordEnd(tcb, ROW, 6), -1, 'none past the latest');
    assert.equal(cutAtRecordEnd(tcb, ROW, -10, 3), 3, 'a segment short of the mark is left whole');
    assert.equal(cutAtRecordEnd(tcb, ROW, -10, 10), 4);
  });

  it('any two marks are kept; a third record of another length keeps only the last two', () => {
    assert.deepEqual(marks(marked(100, [3, 5])), [103, 108]);
    assert.deepEqual(marks(marked(100, [3, 5, 7])), [108, 115]);
    assert.deepEqual(marks(marked(100, [3, 5, 5, 2])), [113, 115], 'the run of fives gives way to the two-byte record');
    assert.deepEqual(marks(marked(100, [3, 0, 5])), [103, 108], 'a mark with no byte since the last changes nothing');
  });

  it('a write without the mark after a record: the next record\'s length counts from the last mark', () => {
    const c = marked(0, [4]);
    c.slots.tcb[ROW + Tcb.txLength] += 6; // a plain write
    c.slots.tcb[ROW + Tcb.txLength] += 4;
    markRecordEnd(c.slots, 1);
    assert.deepEqual(marks(c), [4, 14]);
  });

  it('the run holds at most 1023 marks: the oldest give way', () => {
    const c = marked(0, new Array(1100).fill(1));
    const found = marks(c);
    assert.equal(found.length, 1023);
    assert.deepEqual([found[0], found[1022]], [78, 1100]);
  });

  it('recordStartBefore: the last mark after `from` and before `seq`, else `from`', () => {
    const tcb = marked(0, [10, 10, 10]).slots.tcb; // marks 10, 20, 30
    assert.equal(recordStartBefore(tcb, ROW, 0, 30), 20);
    assert.equal(recordStartBefore(tcb, ROW, 0, 31), 30);
    assert.equal(recordStartBefore(tcb, ROW, 0, 25), 20);
    assert.equal(recordStartBefore(tcb, ROW, 0, 10), 0, 'none below the first');
    assert.equal(recordStartBefore(tcb, ROW, 20, 30), 20, 'a mark at `from` is no later start');
    const one = marked(0, [10]).slots.tcb;
    assert.equal(recordStartBefore(one, ROW, 0, 10), 0);
    assert.equal(recordStartBefore(one, ROW, 0, 11), 10);
    assert.equal(recordStartBefore(core().slots.tcb, ROW, 5, 50), 5, 'no marks');
  });

  it('dropRecordMarks: the run goes once SND.UNA reaches the latest mark, not before', () => {
    const c = marked(0, [10, 10]);
    const tcb = c.slots.tcb;
    tcb[ROW + Tcb.sndUna] = 19;
    dropRecordMarks(c.slots, 1);
    assert.deepEqual(marks(c), [20]);
    tcb[ROW + Tcb.sndUna] = 20;
    dropRecordMarks(c.slots, 1);
    assert.equal(tcb[ROW + Tcb.recordRun], 0);
    tcb[ROW + Tcb.txLength] = 5;
    markRecordEnd(c.slots, 1);
    assert.deepEqual(marks(c), [25], 'a new mark starts a new run');
  });
});
