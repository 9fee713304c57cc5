// The send side of SACK (RFC 2018, recovery after RFC 6675): a scoreboard of the ranges
// above SND.UNA the peer reports holding, kept in a few fixed ranges per slot. During
// recovery the holes with enough SACKed above them are taken as lost and resent first,
// as the congestion window allows, and the data in flight ("pipe") counts only what can
// still be in the network. A full scoreboard drops its lowest range for a new block: SACK
// is advice, and forgetting some only costs retransmissions the peer did not need.
import { Seg, Segment } from './wire';
import { Flag, RackStats, Slots, Tcb } from './slots';
import { addRange, removeRange } from './ranges';
import { seqDiff, seqGt, seqLe, seqLt } from './seq';

/** Scoreboard ranges per slot. */
export const SACK_RANGES = 4;

/** Adds the segment's SACK blocks that lie within (SND.UNA, SND.MAX] to the scoreboard;
 *  blocks that are malformed, old (a D-SACK, RFC 2883) or beyond what was sent are
 *  ignored. `now`: the ACK's arrival, ms. */
export function recordSackBlocks(slots: Slots, s: number, seg: Segment, now: number): void {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const una = tcb[row + Tcb.sndUna];
  const max = tcb[row + Tcb.sndMax];
  const fack = tcb[row + Tcb.rackEnd];
  let low = fack; // the lowest block newly delivered below RACK.fack (RFC 8985 §6.2 step 3)
  let resent = una; // the highest byte newly delivered below HighRxt (resent in recovery)
  for (let k = 0; k < seg[Seg.sackCount]; k++) {
    const left = seg[Seg.sackBlocks + 2 * k];
    const right = seg[Seg.sackBlocks + 2 * k + 1];
    if (!seqLt(left, right) || !seqLt(una, left) || seqGt(right, max)) continue;
    const below = seqLt(right, fack) ? right : fack;
    const newly = firstUncovered(slots, s, left, below); // what the block adds below RACK.fack
    if (seqLt(newly, below) && seqLt(newly, low) && sentOnce(slots, s, newly)) low = newly;
    const resentEnd = seqLt(right, tcb[row + Tcb.highRxt]) ? right : tcb[row + Tcb.highRxt];
    if (seqGt(resentEnd, resent) && seqLt(firstUncovered(slots, s, left, resentEnd), resentEnd)) resent = resentEnd;
    if (!addRange(tcb, row + Tcb.sackedCount, SACK_RANGES, left, right)) {
      // Full: the lowest range goes (the newest block is the one to keep, and what lies
      // lowest is soonest acknowledged), then there is room.
      removeRange(tcb, row + Tcb.sackedCount, SACK_RANGES, lowestRange(slots, s));
      addRange(tcb, row + Tcb.sackedCount, SACK_RANGES, left, right);
    }
  }
  if (low !== fack) reordered(slots, s, low, highestSacked(slots, s));
  if (resent !== una) resendOvertaken(slots, s, resent, now);
}

/** In recovery, resent data up to `resent` was newly delivered (below HighRxt). A
 *  recovery resends its holes in sequence order, so a hole still open below it was resent
 *  earlier, and RACK (RFC 8985 §6.2 step 5) takes it as lost: at once, its reordering
 *  window being 0 in recovery while no reordering has been seen (step 4); with reordering
 *  seen, resendLost()'s count decides instead. A delivery less than min_RTT after the
 *  resend may be the original's, late, rather than the resend's, and is not taken as the
 *  resend's (RFC 8985 §6.2 step 2); slotcp keeps only when the last resend went
 *  (resentAt), and the range's resend went no later than that. */
function resendOvertaken(slots: Slots, s: number, resent: number, now: number): void {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const flags = tcb[row + Tcb.flags];
  if ((flags & (Flag.Recovery | Flag.Reordered)) !== Flag.Recovery || !holeBelow(slots, s, tcb[row + Tcb.sndUna], resent)) return;
  if (((now - tcb[row + Tcb.resentAt]) | 0) < (tcb[row + Tcb.rackStats] & RackStats.MIN_RTT_MASK)) return;
  if (seqLt(tcb[row + Tcb.lostTo], resent)) tcb[row + Tcb.lostTo] = resent;
  tcb[row + Tcb.flags] = flags | Flag.ResendOvertaken;
}

/** Data sent once was delivered from `low` on, below `fack`, the highest byte delivered
 *  by then: reordering (RFC 8985 §6.2 step 3, RACK.reord). Its degree in segments is
 *  kept too, the most seen, up to 300 (Linux's tcp_info reordering and its limit). */
export function reordered(slots: Slots, s: number, low: number, fack: number): void {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const mss = tcb[row + Tcb.mss];
  const distance = seqDiff(fack, low);
  tcb[row + Tcb.flags] |= Flag.Reordered;
  const stats = tcb[row + Tcb.rackStats];
  if (distance <= (stats >>> RackStats.REORDERING_SHIFT) * mss) return;
  const degree = Math.min(((distance + mss - 1) / mss) | 0, 300);
  tcb[row + Tcb.rackStats] = (stats & RackStats.MIN_RTT_MASK) | (degree << RackStats.REORDERING_SHIFT);
}

/** Whether the data from `seq` on was sent only once: nothing of it resent in this
 *  recovery (below HighRxt) or by a timeout's go-back-N (RFC 8985 §6.2 step 2 keeps
 *  resends out: their delivery says nothing certain about when they were sent). */
export function sentOnce(slots: Slots, s: number, seq: number): boolean {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  if (tcb[row + Tcb.flags] & Flag.AfterTimeout) return false;
  return !seqLt(seq, tcb[row + Tcb.highRxt]) || !seqGt(tcb[row + Tcb.highRxt], tcb[row + Tcb.sndUna]);
}

/** The lowest byte of [left, right) not on the scoreboard yet, `right` if none: where a
 *  block that grows a SACKed range delivers new data (the degree of reordering counts
 *  from there, not from the range's old start). Ranges neither overlap nor touch, so one
 *  step past the range holding `left` is enough. */
function firstUncovered(slots: Slots, s: number, left: number, right: number): number {
  const from = unsackedFrom(slots, s, left);
  return seqLt(from, right) ? from : right;
}

function lowestRange(slots: Slots, s: number): number {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  let lowest = 0;
  for (let k = 1; k < tcb[row + Tcb.sackedCount]; k++) {
    if (seqLt(tcb[row + Tcb.sackedStart + k], tcb[row + Tcb.sackedStart + lowest])) lowest = k;
  }
  return lowest;
}

/** SND.UNA moved: every range that reaches down to it goes. A range it passed is
 *  acknowledged; one it entered contradicts the ACK (the byte at SND.UNA would be SACKed
 *  but not acknowledged), and keeping it would hide that byte from recovery. */
export function forgetAcked(slots: Slots, s: number): void {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const una = tcb[row + Tcb.sndUna];
  for (let k = 0; k < tcb[row + Tcb.sackedCount];) {
    if (seqLe(tcb[row + Tcb.sackedStart + k], una)) {
      removeRange(tcb, row + Tcb.sackedCount, SACK_RANGES, k);
      continue;
    }
    k++;
  }
}

/** Bytes of the scoreboard below `seq`. */
export function sackedBelow(slots: Slots, s: number, seq: number): number {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  let bytes = 0;
  for (let k = 0; k < tcb[row + Tcb.sackedCount]; k++) {
    const start = tcb[row + Tcb.sackedStart + k];
    if (!seqLt(start, seq)) continue;
    const end = tcb[row + Tcb.sackedEnd + k];
    bytes += seqDiff(seqLt(end, seq) ? end : seq, start);
  }
  return bytes;
}

/** The highest SACKed sequence number, or SND.UNA when nothing is SACKed. */
export function highestSacked(slots: Slots, s: number): number {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  let high = tcb[row + Tcb.sndUna];
  for (let k = 0; k < tcb[row + Tcb.sackedCount]; k++) {
    if (seqGt(tcb[row + Tcb.sackedEnd + k], high)) high = tcb[row + Tcb.sackedEnd + k];
  }
  return high;
}

/** RFC 6675 IsLost for the bytes below `end` (a hole's end, the start of a SACKed range,
 *  or SND.UNA for the first segment): more than two segments' worth SACKed above it, or three separate SACKed ranges
 *  (DupThresh 3). Lower holes have more above them, so once one is not lost, none above
 *  it is. */
function lostBelow(slots: Slots, s: number, end: number): boolean {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  let bytes = 0;
  let ranges = 0;
  for (let k = 0; k < tcb[row + Tcb.sackedCount]; k++) {
    if (seqLt(tcb[row + Tcb.sackedStart + k], end)) continue;
    bytes += seqDiff(tcb[row + Tcb.sackedEnd + k], tcb[row + Tcb.sackedStart + k]);
    ranges++;
  }
  return bytes > 2 * tcb[row + Tcb.mss] || ranges >= 3;
}

/** The first byte at or after `from` that is not SACKed: a hole's start when below the
 *  highest SACKed byte. Ranges never overlap or touch (ranges.ts merges them), so the end
 *  of the range holding `from` is itself not SACKed. */
function unsackedFrom(slots: Slots, s: number, from: number): number {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  for (let k = 0; k < tcb[row + Tcb.sackedCount]; k++) {
    if (seqLe(tcb[row + Tcb.sackedStart + k], from) && seqLt(from, tcb[row + Tcb.sackedEnd + k])) return tcb[row + Tcb.sackedEnd + k];
  }
  return from;
}

/** RFC 6675 "pipe" in bytes: what was sent above the highest SACKed byte, the holes below
 *  it not yet taken as lost, and what of the holes was resent (up to HighRxt). */
export function pipe(slots: Slots, s: number): number {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const una = tcb[row + Tcb.sndUna];
  const high = highestSacked(slots, s);
  const resentTo = seqGt(tcb[row + Tcb.highRxt], una) ? tcb[row + Tcb.highRxt] : una;
  let bytes = seqDiff(tcb[row + Tcb.sndMax], high);
  // At most SACK_RANGES holes: each ends where a SACKed range starts.
  for (let seq = unsackedFrom(slots, s, una); seqLt(seq, high);) {
    const end = holeEnd(slots, s, seq);
    bytes += seqDiff(end, lostUpTo(slots, s, seq, end));
    if (seqGt(resentTo, seq)) bytes += seqDiff(seqLt(resentTo, end) ? resentTo : end, seq);
    seq = unsackedFrom(slots, s, end);
  }
  return bytes;
}

/** The next byte to resend in recovery (RFC 6675 NextSeg): the first at or after
 *  max(HighRxt, SND.UNA) in a hole below the highest SACKed byte that is taken as lost
 *  (rule 1), or in any such hole if `anyHole` (rule 3, for when no new data can go).
 *  Returns the highest SACKed byte itself when there is none. */
export function nextHole(slots: Slots, s: number, anyHole: boolean): number {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const high = highestSacked(slots, s);
  const from = seqGt(tcb[row + Tcb.highRxt], tcb[row + Tcb.sndUna]) ? tcb[row + Tcb.highRxt] : tcb[row + Tcb.sndUna];
  for (let seq = unsackedFrom(slots, s, from); seqLt(seq, high);) {
    const end = holeEnd(slots, s, seq);
    if (anyHole || seqGt(lostUpTo(slots, s, seq, end), seq)) return seq;
    seq = unsackedFrom(slots, s, end);
  }
  return high;
}

/** How much of the hole [seq, end) is taken as lost, as the byte where that part ends:
 *  all of it by RFC 6675 IsLost (enough SACKed above), the part below lostTo by RACK
 *  (RFC 8985 §6.2 step 5), else none (`seq`). */
function lostUpTo(slots: Slots, s: number, seq: number, end: number): number {
  const lostTo = slots.tcb[s * Tcb.ROW + Tcb.lostTo];
  if (lostBelow(slots, s, end) || !seqLt(lostTo, end)) return end;
  return seqGt(lostTo, seq) ? lostTo : seq;
}

/** Bytes of the holes below the highest SACKed byte taken as lost (resent or not), and
 *  of those resent in this recovery: Linux's tcp_info lost and retransmitted counts. */
export function lostBytes(slots: Slots, s: number, resent: boolean): number {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const una = tcb[row + Tcb.sndUna];
  const high = highestSacked(slots, s);
  const resentTo = seqGt(tcb[row + Tcb.highRxt], una) ? tcb[row + Tcb.highRxt] : una;
  let bytes = 0;
  for (let seq = unsackedFrom(slots, s, una); seqLt(seq, high);) {
    const end = holeEnd(slots, s, seq);
    const to = resent ? (seqLt(resentTo, end) ? resentTo : end) : lostUpTo(slots, s, seq, end);
    if (seqGt(to, seq)) bytes += seqDiff(to, seq);
    seq = unsackedFrom(slots, s, end);
  }
  return bytes;
}

/** Whether unsacked data lies in [from, end). */
export function holeBelow(slots: Slots, s: number, from: number, end: number): boolean {
  return seqLt(unsackedFrom(slots, s, from), end);
}

/** Where the hole starting at `seq` ends: the start of the next SACKed range above it. */
export function holeEnd(slots: Slots, s: number, seq: number): number {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  let end = highestSacked(slots, s);
  for (let k = 0; k < tcb[row + Tcb.sackedCount]; k++) {
    const start = tcb[row + Tcb.sackedStart + k];
    if (seqGt(start, seq) && seqLt(start, end)) end = start;
  }
  return end;
}

/** Whether the resends of this recovery that are still unacknowledged were lost: more than
 *  two segments' worth of data sent after the last resend is SACKed, so the resends, sent
 *  earlier, should have arrived (RFC 8985's rule for lost retransmissions, in sequence
 *  numbers rather than time; the threshold is IsLost's). */
export function resendLost(slots: Slots, s: number): boolean {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const mark = tcb[row + Tcb.resendMark];
  let after = 0;
  for (let k = 0; k < tcb[row + Tcb.sackedCount]; k++) {
    const end = tcb[row + Tcb.sackedEnd + k];
    if (!seqGt(end, mark)) continue;
    const start = tcb[row + Tcb.sackedStart + k];
    after += seqDiff(end, seqGt(start, mark) ? start : mark);
  }
  return after > 2 * tcb[row + Tcb.mss];
}

/** Whether the scoreboard says the first unacknowledged segment is lost: RFC 6675's
 *  IsLost(SND.UNA), everything SACKed being above it, or RACK's mark (lostTo). */
export function lossIndicated(slots: Slots, s: number): boolean {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  return lostBelow(slots, s, tcb[row + Tcb.sndUna]) || seqGt(tcb[row + Tcb.lostTo], tcb[row + Tcb.sndUna]);
}
