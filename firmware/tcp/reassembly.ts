// Out-of-order data within the window, kept without extra memory: the bytes go straight
// to their place in the slot's receive ring (beyond the unread data, where the window
// says they belong), and a few sequence ranges per slot remember which places are
// filled. When the hole before them is filled, RCV.NXT jumps over them. So a lost
// segment costs one retransmission, not everything sent after it (the smoltcp
// "assembler" idea, with a fixed number of ranges).
import type { Slots } from './slots';
import { seqDiff, seqGt, seqLe, seqLt } from './seq';

/** Ranges kept per slot; a segment that would need a fifth is dropped (and re-sent). */
export const OUT_OF_ORDER_RANGES = 4;

/** Records [start, end) as held, merging it with the ranges it touches. Returns false if
 *  it touches none and every range is in use. */
export function holdRange(slots: Slots, s: number, start: number, end: number): boolean {
  const base = s * OUT_OF_ORDER_RANGES;
  const count = slots.heldCount[s];
  let lo = start;
  let hi = end;
  let kept = 0;
  for (let k = 0; k < count; k++) {
    const a = slots.heldStart[base + k];
    const b = slots.heldEnd[base + k];
    if (seqLe(a, hi) && seqLe(lo, b)) {
      if (seqLt(a, lo)) lo = a; // overlapping or adjacent: absorb it
      if (seqGt(b, hi)) hi = b;
    } else {
      slots.heldStart[base + kept] = a;
      slots.heldEnd[base + kept] = b;
      kept++;
    }
  }
  if (kept === OUT_OF_ORDER_RANGES) return false;
  slots.heldStart[base + kept] = lo;
  slots.heldEnd[base + kept] = hi;
  slots.heldCount[s] = kept + 1;
  return true;
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
    const last = --slots.heldCount[s];
    slots.heldStart[base + k] = slots.heldStart[base + last];
    slots.heldEnd[base + k] = slots.heldEnd[base + last];
    k = 0; // RCV.NXT moved: ranges passed over before may now be reached
  }
  return moved;
}
