// Out-of-order data within the window, kept without extra memory: the bytes go straight
// to their place in the slot's receive ring (beyond the unread data, where the window
// says they belong), and a few sequence ranges per slot remember which places are
// filled. When the hole before them is filled, RCV.NXT jumps over them. So a lost
// segment costs one retransmission, not everything sent after it (the smoltcp
// "assembler" idea, with a fixed number of ranges).
import type { Slots } from './slots';
import { addRange, removeRange } from './ranges';
import { seqDiff, seqGt } from './seq';

/** Ranges kept per slot; a segment that would need a fifth is dropped (and re-sent). */
export const OUT_OF_ORDER_RANGES = 4;

/** Records [start, end) as held, merging it with the ranges it touches (the result is
 *  the newest range, which the first SACK block reports). Returns false if it touches
 *  none and every range is in use. */
export function holdRange(slots: Slots, s: number, start: number, end: number): boolean {
  return addRange(slots.heldCount, slots.heldStart, slots.heldEnd, OUT_OF_ORDER_RANGES, s, start, end);
}

/** Moves RCV.NXT over every held range it has reached; returns the bytes it moved. */
export function releaseHeld(slots: Slots, s: number): number {
  const base = s * OUT_OF_ORDER_RANGES;
  let moved = 0;
  for (let k = 0; k < slots.heldCount[s];) {
    const rcvNxt = slots.rcvNxt[s];
    if (seqGt(slots.heldStart[base + k], rcvNxt)) {
      k++;
      continue;
    }
    const end = slots.heldEnd[base + k];
    if (seqGt(end, rcvNxt)) {
      moved += seqDiff(end, rcvNxt);
      slots.rcvNxt[s] = end;
    }
    removeRange(slots.heldCount, slots.heldStart, slots.heldEnd, OUT_OF_ORDER_RANGES, s, k);
    k = 0; // RCV.NXT moved: ranges passed over before may now be reached
  }
  return moved;
}
