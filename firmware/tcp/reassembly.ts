// Out-of-order data within the window, kept without extra memory: the bytes go straight
// to their place in the slot's receive ring (beyond the unread data, where the window
// says they belong), and a few sequence ranges per slot remember which places are
// filled. When the hole before them is filled, RCV.NXT jumps over them. So a lost
// segment costs one retransmission, not everything sent after it (the smoltcp
// "assembler" idea, with a fixed number of ranges).
import { Flag, Slots, Tcb } from './slots';
import { addRange, removeRange } from './ranges';
import { seqDiff, seqGt, seqLt } from './seq';

/** Ranges kept per slot; a segment that would need a fifth is dropped (and re-sent). */
export const OUT_OF_ORDER_RANGES = 4;

/** Records [start, end) as held, merging it with the ranges it touches (the result is
 *  the newest range, which the first SACK block reports). Returns false if it touches
 *  none and every range is in use. */
export function holdRange(slots: Slots, s: number, start: number, end: number): boolean {
  return addRange(slots.tcb, s * Tcb.ROW + Tcb.heldCount, OUT_OF_ORDER_RANGES, start, end);
}

/** Moves RCV.NXT over every held range it has reached; returns the bytes it moved. */
export function releaseHeld(slots: Slots, s: number): number {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  let moved = 0;
  for (let k = 0; k < tcb[row + Tcb.heldCount];) {
    const rcvNxt = tcb[row + Tcb.rcvNxt];
    if (seqGt(tcb[row + Tcb.heldStart + k], rcvNxt)) {
      k++;
      continue;
    }
    const end = tcb[row + Tcb.heldEnd + k];
    if (seqGt(end, rcvNxt)) {
      moved += seqDiff(end, rcvNxt);
      tcb[row + Tcb.rcvNxt] = end;
    }
    removeRange(tcb, row + Tcb.heldCount, OUT_OF_ORDER_RANGES, k);
    k = 0; // RCV.NXT moved: ranges passed over before may now be reached
  }
  return moved;
}

/** D-SACK (RFC 2883 §4): if the data [start, end) of an arriving segment (start < end)
 *  duplicates data we already have, records the duplicated part for the next segment sent
 *  to report as its first SACK block, and returns true. Only one contiguous part is
 *  reported, the lowest: [start, RCV.NXT) if the segment starts below RCV.NXT, else its
 *  overlap with the lowest held range it overlaps (as FreeBSD reports it). Call before
 *  the segment's data is taken in. A later duplicate replaces an unsent one. */
export function noteDuplicate(slots: Slots, s: number, start: number, end: number): boolean {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const rcvNxt = tcb[row + Tcb.rcvNxt];
  let lo = start;
  let hi = start;
  if (seqLt(start, rcvNxt)) {
    hi = seqLt(end, rcvNxt) ? end : rcvNxt;
  } else {
    for (let k = 0; k < tcb[row + Tcb.heldCount]; k++) {
      const a = tcb[row + Tcb.heldStart + k];
      const b = tcb[row + Tcb.heldEnd + k];
      if (!seqLt(a, end) || !seqLt(start, b)) continue; // no overlap
      const from = seqGt(a, start) ? a : start;
      if (hi !== lo && !seqLt(from, lo)) continue; // a lower part is already found
      lo = from;
      hi = seqLt(b, end) ? b : end;
    }
  }
  if (hi === lo) return false;
  tcb[row + Tcb.dsackStart] = lo;
  tcb[row + Tcb.dsackEnd] = hi;
  tcb[row + Tcb.flags] |= Flag.Dsack;
  return true;
}
