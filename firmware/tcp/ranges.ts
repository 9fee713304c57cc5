// Sets of sequence ranges kept in a slot's control block (slots.ts): a count field, then
// `capacity` starts and `capacity` ends, unordered, never overlapping or touching. Used for
// the out-of-order data we hold (reassembly.ts) and for the data the peer says it holds
// (sack.ts). `count` is the index of the count field in tcb (row + Tcb.heldCount, say);
// the starts follow it, the ends follow the starts.
import { seqGt, seqLe, seqLt } from './seq';

/** Adds [start, end) to the set, merging it with every range it overlaps or touches; the
 *  merged range goes last, so the ranges stay in the order they last grew, the newest
 *  last. Returns false (and changes nothing) if it touches none and all `capacity` ranges
 *  are in use. */
export function addRange(tcb: Int32Array, count: number, capacity: number, start: number, end: number): boolean {
  const starts = count + 1;
  const ends = starts + capacity;
  const n = tcb[count];
  let lo = start;
  let hi = end;
  let touching = 0;
  for (let k = 0; k < n; k++) {
    if (seqLe(tcb[starts + k], hi) && seqLe(lo, tcb[ends + k])) touching++;
  }
  if (touching === 0 && n === capacity) return false;
  let kept = 0;
  for (let k = 0; k < n; k++) {
    const a = tcb[starts + k];
    const b = tcb[ends + k];
    if (seqLe(a, hi) && seqLe(lo, b)) {
      if (seqLt(a, lo)) lo = a; // overlapping or adjacent: absorb it
      if (seqGt(b, hi)) hi = b;
    } else {
      tcb[starts + kept] = a;
      tcb[ends + kept] = b;
      kept++;
    }
  }
  tcb[starts + kept] = lo;
  tcb[ends + kept] = hi;
  tcb[count] = kept + 1;
  return true;
}

/** Removes range k; the ones after it move down, so the order (oldest first) is kept. */
export function removeRange(tcb: Int32Array, count: number, capacity: number, k: number): void {
  const starts = count + 1;
  const ends = starts + capacity;
  const n = --tcb[count];
  for (let i = k; i < n; i++) {
    tcb[starts + i] = tcb[starts + i + 1];
    tcb[ends + i] = tcb[ends + i + 1];
  }
}
