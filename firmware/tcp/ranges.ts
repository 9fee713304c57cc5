// Sets of sequence ranges kept in typed arrays: `capacity` ranges per slot, unordered,
// never overlapping or touching. Used for the out-of-order data we hold (reassembly.ts)
// and for the data the peer says it holds (sack.ts).
import { seqGt, seqLe, seqLt } from './seq';

/** Adds [start, end) to slot s's set, merging it with every range it overlaps or touches;
 *  the merged range goes last, so the ranges stay in the order they last grew, the
 *  newest last. Returns false
 *  (and changes nothing) if it touches none and all `capacity` ranges are in use. */
export function addRange(counts: Uint8Array, starts: Int32Array, ends: Int32Array, capacity: number,
  s: number, start: number, end: number): boolean {
  const base = s * capacity;
  const count = counts[s];
  let lo = start;
  let hi = end;
  let touching = 0;
  for (let k = 0; k < count; k++) {
    if (seqLe(starts[base + k], hi) && seqLe(lo, ends[base + k])) touching++;
  }
  if (touching === 0 && count === capacity) return false;
  let kept = 0;
  for (let k = 0; k < count; k++) {
    const a = starts[base + k];
    const b = ends[base + k];
    if (seqLe(a, hi) && seqLe(lo, b)) {
      if (seqLt(a, lo)) lo = a; // overlapping or adjacent: absorb it
      if (seqGt(b, hi)) hi = b;
    } else {
      starts[base + kept] = a;
      ends[base + kept] = b;
      kept++;
    }
  }
  starts[base + kept] = lo;
  ends[base + kept] = hi;
  counts[s] = kept + 1;
  return true;
}

/** Removes range k of slot s; the ones after it move down, so the order (oldest first)
 *  is kept. */
export function removeRange(counts: Uint8Array, starts: Int32Array, ends: Int32Array, capacity: number,
  s: number, k: number): void {
  const base = s * capacity;
  const count = --counts[s];
  for (let i = base + k; i < base + count; i++) {
    starts[i] = starts[i + 1];
    ends[i] = ends[i + 1];
  }
}
