// The SACK scoreboard (firmware/tcp/sack.ts) function by function, on slot 1 of a bare
// Slots (slot 0 in front of it, as another connection's row): which blocks it takes,
// which range a full board drops, what SND.UNA moving forgets, and the exact answers of
// RFC 6675's IsLost, NextSeg, the hole ends and the lost-resend rule. Words past the
// range count are left as they were by removeRange and by a timeout's reset of the count;
// several cases put leftovers there to show they are never read.
import assert from 'node:assert/strict';
import { Slots, Tcb } from '../firmware/tcp/slots';
import { Seg, newSegment } from '../firmware/tcp/wire';
import {
  SACK_RANGES, forgetAcked, highestSacked, holeEnd, lossIndicated, nextHole, pipe,
  recordSackBlocks, resendLost, sackedBelow,
} from '../firmware/tcp/sack';

const S = 1;
const ROW = S * Tcb.ROW;
const MSS = 1000;

function board(una: number, max: number): Slots {
  const slots = new Slots(2, 0, 0, 0, 0);
  slots.tcb[ROW + Tcb.sndUna] = una;
  slots.tcb[ROW + Tcb.sndMax] = max;
  slots.tcb[ROW + Tcb.mss] = MSS;
  return slots;
}

/** A segment carrying these SACK blocks, with `leftover` pairs after them (words a
 *  longer earlier segment left in the reused array) and a zero payload length. */
function sackSegment(blocks: [number, number][], leftover: [number, number][] = []): Int32Array {
  const seg = newSegment();
  seg[Seg.dataLength] = 0;
  seg[Seg.sackCount] = blocks.length;
  [...blocks, ...leftover].forEach(([l, r], k) => {
    seg[Seg.sackBlocks + 2 * k] = l;
    seg[Seg.sackBlocks + 2 * k + 1] = r;
  });
  return seg;
}

function record(slots: Slots, ...blocks: [number, number][]): void {
  recordSackBlocks(slots, S, sackSegment(blocks), 0);
}

/** The scoreboard's ranges in their stored order (the newest last). */
function ranges(slots: Slots, s = S): [number, number][] {
  const row = s * Tcb.ROW;
  const out: [number, number][] = [];
  for (let k = 0; k < slots.tcb[row + Tcb.sackedCount]; k++) {
    out.push([slots.tcb[row + Tcb.sackedStart + k], slots.tcb[row + Tcb.sackedEnd + k]]);
  }
  return out;
}

/** Writes range k directly, past the count: a leftover. */
function leftover(slots: Slots, k: number, start: number, end: number): void {
  slots.tcb[ROW + Tcb.sackedStart + k] = start;
  slots.tcb[ROW + Tcb.sackedEnd + k] = end;
}

describe('SACK scoreboard (sack.ts)', () => {
  it('records every block the segment carries and nothing after them', () => {
    const slots = board(1000, 10000);
    recordSackBlocks(slots, S, sackSegment([[3000, 3100], [2000, 2100]], [[5000, 5100]]), 0);
    assert.deepEqual(ranges(slots), [[3000, 3100], [2000, 2100]]);
  });

  it('on a full board drops the lowest range, wherever it is stored, for a new block', () => {
    const slots = board(1000, 10000);
    record(slots, [2000, 2100], [1100, 1200], [3000, 3100], [4000, 4100]);
    assert.equal(SACK_RANGES, 4);
    assert.deepEqual(ranges(slots), [[2000, 2100], [1100, 1200], [3000, 3100], [4000, 4100]]);
    record(slots, [5000, 5100]);
    assert.deepEqual(ranges(slots), [[2000, 2100], [3000, 3100], [4000, 4100], [5000, 5100]]);
    assert.deepEqual(ranges(slots, 0), [], 'slot 0 untouched');
    assert.equal(slots.tcb[Tcb.sackedCount], 0);

    const falling = board(1000, 10000); // each range lower than the one before, but the last
    record(falling, [3000, 3100], [2000, 2100], [1100, 1200], [4000, 4100]);
    record(falling, [5000, 5100]);
    assert.deepEqual(ranges(falling), [[3000, 3100], [2000, 2100], [4000, 4100], [5000, 5100]]);
  });

  it('forgets the ranges SND.UNA passed or entered and keeps the others in order', () => {
    const slots = board(1000, 10000);
    record(slots, [1500, 1600], [1050, 1100], [1300, 1400], [1150, 1250]);
    slots.tcb[ROW + Tcb.sndUna] = 1200;
    forgetAcked(slots, S);
    assert.deepEqual(ranges(slots), [[1500, 1600], [1300, 1400]]);
  });

  it('takes the highest SACKed byte from the ranges in use only', () => {
    const slots = board(1000, 10000);
    assert.equal(highestSacked(slots, S), 1000, 'SND.UNA when nothing is SACKed');
    record(slots, [1100, 1200], [1300, 1400]);
    leftover(slots, 2, 5000, 6000);
    assert.equal(highestSacked(slots, S), 1400);
  });

  it('counts the SACKed bytes below a sequence number, cutting the range it falls in', () => {
    const slots = board(1000, 10000);
    record(slots, [1300, 1400], [1100, 1200], [1500, 1600]);
    leftover(slots, 3, 1010, 1090);
    assert.equal(sackedBelow(slots, S, 1350), 150);
    assert.equal(sackedBelow(slots, S, 1300), 100);
    assert.equal(sackedBelow(slots, S, 1600), 300);
    assert.equal(sackedBelow(slots, S, 1100), 0);
  });

  it('IsLost(SND.UNA): three separate ranges above it, however small, mean lost', () => {
    const slots = board(1000, 10000);
    slots.tcb.fill(1250, 0, Tcb.ROW); // slot 0 busy with other numbers
    record(slots, [1100, 1200], [1300, 1400], [1500, 1600]);
    assert.equal(lossIndicated(slots, S), true);
  });

  it('IsLost(SND.UNA): two ranges of exactly two segments are not enough, and leftovers do not count', () => {
    const slots = board(1000, 10000);
    record(slots, [2000, 3000], [4000, 5000]);
    leftover(slots, 2, 6000, 6001);
    assert.equal(lossIndicated(slots, S), false);
    record(slots, [5500, 5501]);
    assert.equal(lossIndicated(slots, S), true, 'a third range');
  });

  it('NextSeg: a hole not taken as lost is resent only under rule 3 (anyHole)', () => {
    const slots = board(1000, 10000);
    record(slots, [2000, 2100]);
    leftover(slots, 1, 1000, 1500);
    assert.equal(nextHole(slots, S, false), 2100, 'none lost: the highest SACKed byte');
    assert.equal(nextHole(slots, S, true), 1000, 'rule 3: the first hole, at SND.UNA');
    assert.equal(holeEnd(slots, S, 1000), 2000);
    assert.equal(pipe(slots, S), 1000 + 7900);
  });

  it('a hole ends at the next range in use, not at a leftover', () => {
    const slots = board(1000, 10000);
    record(slots, [2000, 2100]);
    leftover(slots, 1, 1500, 1600);
    assert.equal(holeEnd(slots, S, 1000), 2000);
  });

  it('resends are lost when more than two segments sent after them are SACKed, counted from the mark', () => {
    const slots = board(500, 20000);
    slots.tcb[ROW + Tcb.resendMark] = 1000;
    record(slots, [5000, 5500], [7000, 8000]);
    leftover(slots, 2, 10000, 12000);
    assert.equal(resendLost(slots, S), false, '1500 bytes after the mark');

    const more = board(500, 20000);
    more.tcb[ROW + Tcb.resendMark] = 1000;
    record(more, [5000, 5500], [7000, 9000]);
    assert.equal(resendLost(more, S), true, '2500 bytes after the mark');

    const below = board(500, 20000);
    below.tcb[ROW + Tcb.resendMark] = 1000;
    record(below, [600, 800], [2000, 4100]);
    assert.equal(resendLost(below, S), true, '2100 bytes after the mark; the range below it counts nothing');
  });
});
