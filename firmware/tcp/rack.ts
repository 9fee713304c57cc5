// RACK (RFC 8985 §6): time-based loss detection on connections with SACK. A segment is
// lost once a segment sent after it has been delivered and a reordering window has
// passed since, whatever the count of duplicate ACKs; RFC 6675's IsLost (sack.ts) stays
// beside it, so a hole with enough SACKed above it is lost at once, as before.
//
// RACK keeps a send time per segment; a slot here keeps four words instead (Tcb.rackEnd,
// rackAt, lostTo, rackStats), using what the sequence numbers say about sending order:
// - Data sent once went out in sequence order, so "sent before the delivered segment"
//   is "below RACK.end_seq" (rackEnd, the highest delivered end of data sent once). Data
//   resent (below HighRxt in recovery, or after a timeout) is left out of RACK's
//   updates, which RFC 8985 §6.2 step 2 allows only with a check of when the resend
//   went; lost resends are still found in sequence numbers, by sack.ts (a later resend
//   delivered, or enough data sent after the last one SACKed).
// - Each hole below rackEnd was sent no later than the delivered segment, so the time it
//   is lost at, Segment.xmit_ts + RACK.rtt + reo_wnd, is at the latest RACK.xmit_ts +
//   RACK.rtt + reo_wnd: rackAt (when the ACK that delivered RACK's segment arrived) plus
//   the window. The holes below rackEnd are marked lost together then (lostTo): exact
//   for a flight sent at once, later than the RFC by how long a flight took to send
//   otherwise. RACK.rtt is that of RACK's segment (the RFC takes the newest sample, which
//   a later-delivered earlier segment would make longer).
// - The reordering window is RFC 8985's min(RACK.min_RTT / 4, SRTT) (the quarter rounded
//   up to the millisecond clock, so a min_RTT under 4 ms still gives 1 ms), 0 while no
//   reordering has been seen and the sender is in recovery or DupThresh segments are
//   SACKed (step 4); its multiplier stays 1 (no D-SACK adaptation), and RACK.min_RTT is
//   the least RTT sample of the connection rather than a windowed minimum.
// - The reordering timer runs in the LossProbe timer (Flag.ReoTimer), which a tail loss
//   probe then leaves alone.
// - A block the peer SACKs again after a full scoreboard dropped it looks newly
//   delivered: if below RACK.fack it counts as reordering, which only makes RACK wait
//   longer (the window is then never 0).
import { Core } from './core';
import { Flag, RackStats, Slots, Timer, Tcb } from './slots';
import { highestSacked, holeBelow, reordered, sackedBelow, sentOnce } from './sack';
import { seqAdd, seqDiff, seqGt, seqLt } from './seq';

/** A connection opens, or a timeout sends everything again: nothing delivered, lost or
 *  resent yet (sequence fields start at SND.UNA, which keeps comparisons with them in
 *  range). */
export function rackOpened(slots: Slots, s: number): void {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  tcb[row + Tcb.rackEnd] = tcb[row + Tcb.sndUna];
  tcb[row + Tcb.lostTo] = tcb[row + Tcb.sndUna];
  tcb[row + Tcb.highRxt] = tcb[row + Tcb.sndUna];
}

/** RFC 8985 §6.2 step 1: RACK.min_RTT from an RTT sample. */
export function rackRttSample(slots: Slots, s: number, rtt: number): void {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const stats = tcb[row + Tcb.rackStats];
  const min = stats & RackStats.MIN_RTT_MASK;
  if (min !== 0 && rtt >= min) return;
  tcb[row + Tcb.rackStats] = (stats & ~RackStats.MIN_RTT_MASK) | (rtt < RackStats.MIN_RTT_MASK ? rtt : RackStats.MIN_RTT_MASK);
}

/** SND.UNA moved from `from` to the ACK (before the scoreboard forgets what it covers):
 *  step 3 for what it newly delivers. Data sent once and never SACKed, acknowledged only
 *  now while something above it was delivered earlier, arrived out of order. */
export function rackCumulativeAck(slots: Slots, s: number, from: number): void {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const fack = tcb[row + Tcb.rackEnd];
  if (!seqGt(fack, from) || (tcb[row + Tcb.flags] & Flag.AfterTimeout) || seqGt(tcb[row + Tcb.highRxt], from)) return;
  const ack = tcb[row + Tcb.sndUna];
  const top = seqLt(ack, fack) ? ack : fack;
  if (sackedBelow(slots, s, top) < seqDiff(top, from)) reordered(slots, s, from, fack);
}

/** After an ACK's SACK blocks are on the scoreboard (step 2): RACK's segment moves up to
 *  the end of the highest SACKed range that holds a delivered segment of data sent once.
 *  slotcp keeps no segment boundaries, so a range shorter than the MSS is taken as
 *  possibly part of a segment, which RFC 8985 does not count as delivered (a peer that
 *  SACKs the last byte alone delivers nothing by it). */
export function rackDelivered(core: Core, s: number): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const una = tcb[row + Tcb.sndUna];
  if (seqLt(tcb[row + Tcb.lostTo], una)) tcb[row + Tcb.lostTo] = una;
  if (seqLt(tcb[row + Tcb.rackEnd], una)) tcb[row + Tcb.rackEnd] = una;
  for (let k = 0; k < tcb[row + Tcb.sackedCount]; k++) {
    const end = tcb[row + Tcb.sackedEnd + k];
    if (!seqGt(end, tcb[row + Tcb.rackEnd]) || seqDiff(end, tcb[row + Tcb.sackedStart + k]) < tcb[row + Tcb.mss]) continue;
    if (!sentOnce(slots, s, seqAdd(end, -1))) continue;
    tcb[row + Tcb.rackEnd] = end;
    tcb[row + Tcb.rackAt] = core.now;
  }
}

/** Step 4: the reordering window, ms. */
function reorderingWindow(slots: Slots, s: number): number {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const flags = tcb[row + Tcb.flags];
  if (!(flags & Flag.Reordered) && ((flags & Flag.Recovery) || sackedBelow(slots, s, highestSacked(slots, s)) > 2 * tcb[row + Tcb.mss])) return 0;
  // A quarter of a short min_RTT is a fraction of the millisecond clock's tick: rounded
  // up, as a timer can only wait whole ticks (2 ms for a 10 ms RTT would take holes as
  // lost before RFC 8985's 2.5 ms; 1 ms for 1 ms, not no window at all).
  const quarter = ((tcb[row + Tcb.rackStats] & RackStats.MIN_RTT_MASK) + 3) >> 2;
  const srtt = tcb[row + Tcb.srtt8] >> 3;
  return quarter < srtt ? quarter : srtt;
}

/** Step 5 (RACK_detect_loss_and_arm_timer): the holes below RACK's segment are lost once
 *  the reordering window has passed since it was delivered; until then the reordering
 *  timer waits for that. Returns true when it stopped the reordering timer. */
export function rackDetect(core: Core, s: number): boolean {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const end = tcb[row + Tcb.rackEnd];
  const from = tcb[row + Tcb.lostTo];
  if (!core.config.rack || (tcb[row + Tcb.flags] & (Flag.Sack | Flag.AfterTimeout)) !== Flag.Sack || !holeBelow(slots, s, from, end)) {
    return stopReorderingTimer(slots, s);
  }
  const left = (tcb[row + Tcb.rackAt] + reorderingWindow(slots, s) - core.now) | 0;
  if (left <= 0) {
    tcb[row + Tcb.lostTo] = end;
    return stopReorderingTimer(slots, s);
  }
  tcb[row + Tcb.flags] |= Flag.ReoTimer;
  slots.arm(s, Timer.LossProbe, (core.now + left) | 0);
  return false;
}

/** The reordering timer is no longer needed (a tail loss probe may take its timer):
 *  true if it was running. */
function stopReorderingTimer(slots: Slots, s: number): boolean {
  const row = s * Tcb.ROW;
  if (!(slots.tcb[row + Tcb.flags] & Flag.ReoTimer)) return false;
  slots.tcb[row + Tcb.flags] &= ~Flag.ReoTimer;
  slots.disarm(s, Timer.LossProbe);
  return true;
}
