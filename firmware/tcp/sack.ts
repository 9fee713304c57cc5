// The send side of SACK (RFC 2018, recovery after RFC 6675): a scoreboard of the ranges
// above SND.UNA the peer reports holding, kept in a few fixed ranges per slot. During
// recovery the holes below the highest SACKed byte are taken as lost and resent first,
// one segment per ACK's worth of room, and the data in flight ("pipe") counts only what
// can still be in the network. A full scoreboard ignores new blocks: SACK is advice, and
// losing some only costs retransmissions the peer did not need.
import type { Segment } from './wire';
import type { Slots } from './slots';
import { addRange, removeRange } from './ranges';
import { seqDiff, seqGt, seqLe, seqLt } from './seq';

/** Scoreboard ranges per slot. */
export const SACK_RANGES = 4;

/** Adds the segment's SACK blocks that lie within (SND.UNA, SND.MAX] to the scoreboard;
 *  blocks that are malformed, old (a D-SACK, RFC 2883) or beyond what was sent are
 *  ignored. */
export function recordSackBlocks(slots: Slots, s: number, seg: Segment): void {
  const una = slots.sndUna[s];
  const max = slots.sndMax[s];
  for (let k = 0; k < seg.sackCount; k++) {
    const left = seg.sackBlocks[2 * k];
    const right = seg.sackBlocks[2 * k + 1];
    if (!seqLt(left, right) || !seqLt(una, left) || seqGt(right, max)) continue;
    addRange(slots.sackedCount, slots.sackedStart, slots.sackedEnd, SACK_RANGES, s, left, right);
  }
}

/** SND.UNA moved: every range that reaches down to it goes. A range it passed is
 *  acknowledged; one it entered contradicts the ACK (the byte at SND.UNA would be SACKed
 *  but not acknowledged), and keeping it would hide that byte from recovery. */
export function forgetAcked(slots: Slots, s: number): void {
  const base = s * SACK_RANGES;
  const una = slots.sndUna[s];
  for (let k = 0; k < slots.sackedCount[s];) {
    if (seqLe(slots.sackedStart[base + k], una)) {
      removeRange(slots.sackedCount, slots.sackedStart, slots.sackedEnd, SACK_RANGES, s, k);
      continue;
    }
    k++;
  }
}

/** The highest SACKed sequence number, or SND.UNA when nothing is SACKed. */
export function highestSacked(slots: Slots, s: number): number {
  const base = s * SACK_RANGES;
  let high = slots.sndUna[s];
  for (let k = 0; k < slots.sackedCount[s]; k++) {
    if (seqGt(slots.sackedEnd[base + k], high)) high = slots.sackedEnd[base + k];
  }
  return high;
}

export function sackedBytes(slots: Slots, s: number): number {
  const base = s * SACK_RANGES;
  let bytes = 0;
  for (let k = 0; k < slots.sackedCount[s]; k++) bytes += seqDiff(slots.sackedEnd[base + k], slots.sackedStart[base + k]);
  return bytes;
}

/** SACKed bytes below `seq`. */
function sackedBelow(slots: Slots, s: number, seq: number): number {
  const base = s * SACK_RANGES;
  let bytes = 0;
  for (let k = 0; k < slots.sackedCount[s]; k++) {
    const start = slots.sackedStart[base + k];
    if (!seqLt(start, seq)) continue;
    const end = slots.sackedEnd[base + k];
    bytes += seqDiff(seqLt(end, seq) ? end : seq, start);
  }
  return bytes;
}

/** RFC 6675 "pipe" in bytes, with every hole below the highest SACKed byte taken as lost:
 *  what was sent above that byte, plus what of the holes was resent (up to HighRxt). */
export function pipe(slots: Slots, s: number): number {
  const una = slots.sndUna[s];
  const high = highestSacked(slots, s);
  let resent = 0;
  if (seqGt(slots.highRxt[s], una)) {
    const upTo = seqLt(slots.highRxt[s], high) ? slots.highRxt[s] : high;
    resent = seqDiff(upTo, una) - sackedBelow(slots, s, upTo);
  }
  return seqDiff(slots.sndMax[s], high) + resent;
}

/** The first byte at or after max(HighRxt, SND.UNA) that lies in a hole (not SACKed, below
 *  the highest SACKed byte), or the highest SACKed byte itself when there is none. */
export function nextHole(slots: Slots, s: number): number {
  const base = s * SACK_RANGES;
  const high = highestSacked(slots, s);
  let seq = seqGt(slots.highRxt[s], slots.sndUna[s]) ? slots.highRxt[s] : slots.sndUna[s];
  for (let moved = true; moved && seqLt(seq, high);) {
    moved = false;
    for (let k = 0; k < slots.sackedCount[s]; k++) {
      if (seqLe(slots.sackedStart[base + k], seq) && seqLt(seq, slots.sackedEnd[base + k])) {
        seq = slots.sackedEnd[base + k]; // inside a SACKed range: skip past it
        moved = true;
      }
    }
  }
  return seqLt(seq, high) ? seq : high;
}

/** Where the hole starting at `seq` ends: the start of the next SACKed range above it. */
export function holeEnd(slots: Slots, s: number, seq: number): number {
  const base = s * SACK_RANGES;
  let end = highestSacked(slots, s);
  for (let k = 0; k < slots.sackedCount[s]; k++) {
    const start = slots.sackedStart[base + k];
    if (seqGt(start, seq) && seqLt(start, end)) end = start;
  }
  return end;
}

/** Whether the resends of this recovery that are still unacknowledged were lost: three
 *  segments' worth of data sent after the last resend is SACKed, so the resends, sent
 *  earlier, should have arrived (RFC 8985's rule for lost retransmissions, in sequence
 *  numbers rather than time). */
export function resendLost(slots: Slots, s: number, mss: number): boolean {
  const base = s * SACK_RANGES;
  const mark = slots.resendMark[s];
  let after = 0;
  for (let k = 0; k < slots.sackedCount[s]; k++) {
    const end = slots.sackedEnd[base + k];
    if (!seqGt(end, mark)) continue;
    const start = slots.sackedStart[base + k];
    after += seqDiff(end, seqGt(start, mark) ? start : mark);
  }
  return after >= 3 * mss;
}

/** Whether the scoreboard alone says a segment is lost: RFC 6675's IsLost(SND.UNA) with
 *  DupThresh 3, as bytes (at least three segments' worth SACKed above the first hole). */
export function lossIndicated(slots: Slots, s: number, mss: number): boolean {
  return slots.sackedCount[s] > 0 && sackedBytes(slots, s) >= 3 * mss;
}
