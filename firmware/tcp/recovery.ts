// Congestion control and loss recovery, as one controller that reacts to events and
// answers how much may be sent and from where (smoltcp's congestion controller has the
// same shape): RFC 5681 slow start and congestion avoidance, RFC 6582 NewReno, RFC 6675
// SACK recovery, RFC 3042 Limited Transmit, RFC 8985 §6 RACK loss detection (rack.ts)
// and §7 tail loss probes, RFC 6298's RTO and the reaction to its expiry. It never sends:
// a reaction that wants the first unacknowledged segment resent now returns true, and its
// caller (input.ts on an ACK, timers.ts on RACK's reordering timer) does it; output.ts
// asks it how much the window allows and which hole comes next. The SACK scoreboard it
// reads is sack.ts's. cwnd and ssthresh are written here only.
import { initialWindowBytes } from './config';
import { Count } from './counters';
import { Core } from './core';
import { recordStartBefore } from './ring';
import { cubicForget, cubicGrow, cubicIdle, cubicRttSample, cubicThreshold, hystartAcked, prrAck, prrEnd, prrStart } from './cubic';
import { forgetAcked, lossIndicated, nextHole, pipe, recordSackBlocks, resendLost, sackedBelow } from './sack';
import { rackCumulativeAck, rackDelivered, rackDetect, rackOpened, rackRttSample } from './rack';
import { Flag, RackStats, Slots, Timer, Tcb } from './slots';
import { seqAdd, seqDiff, seqGt, seqLe, seqLt } from './seq';
import { Seg, Segment } from './wire';

/** The congestion window stops growing here: it is a signed 32-bit field, and the
 *  peer's window, even scaled, stays below 2^30 (RFC 7323 §2.3). */
const MAX_CWND = 0x3fffffff;
const WORST_CASE_DELAYED_ACK_MS = 200;

/** RFC 5681 (4): ssthresh = max(FlightSize / 2, 2 × SMSS), for a loss found by duplicate
 *  ACKs, SACK or a timeout; CUBIC's β × cwnd with config.congestion 'cubic'. */
function reduceThreshold(core: Core, s: number): number {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  if (core.config.congestion === 'cubic') return (tcb[row + Tcb.ssthresh] = cubicThreshold(core, s));
  const inFlight = seqDiff(tcb[row + Tcb.sndMax], tcb[row + Tcb.sndUna]);
  const ssthresh = Math.max(inFlight >>> 1, 2 * tcb[row + Tcb.mss]);
  tcb[row + Tcb.ssthresh] = ssthresh;
  return ssthresh;
}

// ---- events ----------------------------------------------------------------------------

/** A connection opens (SYN-RECEIVED): no threshold yet. RECOVER needs no start value:
 *  it is read only under Flag.Recovery or Flag.AfterTimeout, set together with it. */
export function opened(core: Core, s: number): void {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  tcb[row + Tcb.rto] = core.config.rtoInitialMs;
  tcb[row + Tcb.ssthresh] = 0x7fffffff;
  tcb[row + Tcb.rackStats] = 3 << RackStats.REORDERING_SHIFT; // DupThresh (RFC 6675) until more is seen
  rackOpened(core.slots, s);
}

/** Our SYN is acknowledged: the initial window (config.initialWindow: RFC 5681 §3.1 or
 *  RFC 6928; one segment if the SYN-ACK had to be repeated, RFC 5681 §3.1) and the first
 *  RTT sample, unless the SYN-ACK was resent (Karn). */
export function synAcknowledged(core: Core, s: number): void {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  const mss = tcb[row + Tcb.mss];
  tcb[row + Tcb.cwnd] = tcb[row + Tcb.retries] > 0 ? mss : initialWindowBytes(core.config, mss);
  if (tcb[row + Tcb.flags] & Flag.Timing) {
    tcb[row + Tcb.flags] &= ~Flag.Timing;
    if (tcb[row + Tcb.retries] === 0) sampleRtt(core, s, (core.now - tcb[row + Tcb.rttStart]) | 0);
  }
}

/** SND.UNA advanced by `acked` to `ack`: the scoreboard forgets what is acknowledged, the
 *  RTT is sampled, the window grows, or recovery ends or goes on (a partial ACK). Returns
 *  true when the first unacknowledged segment must be resent now (NewReno, RFC 6582
 *  §3.2). `mark` is deliveryMark() before the ACK. */
export function newAck(core: Core, s: number, ack: number, acked: number, seg: Segment, mark: number): boolean {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const sack = (tcb[row + Tcb.flags] & Flag.Sack) !== 0;
  // What this ACK newly delivers, for byte counting with no limit (Linux's way): data the
  // peer already reported holding, in SACK blocks or one segment per duplicate ACK, was
  // counted then.
  let delivered = acked;
  if (core.config.byteCountingLimit === 0) delivered -= sack ? sackedBelow(slots, s, ack) : tcb[row + Tcb.dupAcks] * tcb[row + Tcb.mss];
  if (sack) {
    rackCumulativeAck(slots, s, seqAdd(ack, -acked));
    forgetAcked(slots, s);
    recordSackBlocks(slots, s, seg, core.now);
  }
  if ((tcb[row + Tcb.flags] & Flag.AfterTimeout) && !seqLt(ack, tcb[row + Tcb.recover])) tcb[row + Tcb.flags] &= ~Flag.AfterTimeout;
  if ((tcb[row + Tcb.flags] & Flag.Timing) && seqGt(ack, tcb[row + Tcb.rttSeq])) {
    tcb[row + Tcb.flags] &= ~Flag.Timing;
    sampleRtt(core, s, (core.now - tcb[row + Tcb.rttStart]) | 0);
  } else if (tcb[row + Tcb.srtt8] > 0) {
    updateRto(core, s); // progress ends any backoff
  }
  // CUBIC's HyStart may end slow start here, before the window grows (as Linux's, from
  // every ACK, whether the window is in use or not).
  if (core.config.congestion === 'cubic') hystartAcked(core, s);
  const mss = tcb[row + Tcb.mss];
  if ((tcb[row + Tcb.flags] & Flag.Recovery) && seqLt(ack, tcb[row + Tcb.recover])) {
    // A partial ACK: another segment of the same window was lost. With SACK, output()
    // resends the holes the scoreboard shows; without (or with no block above the next
    // loss), NewReno resends the first unacknowledged segment now (RFC 6582 §3.2).
    if (!sack) tcb[row + Tcb.cwnd] = Math.max(mss, tcb[row + Tcb.cwnd] - acked + mss);
    if (!sack || (tcb[row + Tcb.sackedCount] === 0 && !seqGt(tcb[row + Tcb.highRxt], ack))) {
      core.count[Count.fastRetransmits]++;
      return true;
    }
  } else if (tcb[row + Tcb.flags] & Flag.Recovery) {
    tcb[row + Tcb.flags] &= ~Flag.Recovery;
    tcb[row + Tcb.cwnd] = tcb[row + Tcb.ssthresh];
    // CUBIC's epoch starts with the ACK that ends recovery (as Linux's).
    if (core.config.congestion === 'cubic') cubicRecovered(core, s, acked, mark);
  } else if (core.config.cwndValidation && !windowUsed(tcb, row)) {
    // The sender has not been using the window (app-limited): it does not grow.
  } else if (core.config.congestion === 'cubic') {
    cubicGrow(core, s, cubicDelivered(core, s, acked, mark));
  } else if (tcb[row + Tcb.cwnd] < tcb[row + Tcb.ssthresh]) {
    const limit = core.config.byteCountingLimit; // RFC 3465's L, in segments (0: none)
    const grow = limit === 0 ? (delivered > 0 ? delivered : 0) : acked < limit * mss ? acked : limit * mss;
    tcb[row + Tcb.cwnd] = Math.min(tcb[row + Tcb.cwnd] + grow, MAX_CWND); // slow start
  } else {
    tcb[row + Tcb.cwnd] = Math.min(tcb[row + Tcb.cwnd] + (((mss * mss) / tcb[row + Tcb.cwnd]) | 0 || 1), MAX_CWND); // congestion avoidance
  }
  if (ack === tcb[row + Tcb.sndMax]) tcb[row + Tcb.maxFlight] = 0;
  return false;
}

/** config.congestion 'cubic': recovery ended at ssthresh; the ACK that ended it grows
 *  the window as any other would. */
function cubicRecovered(core: Core, s: number, acked: number, mark: number): void {
  prrEnd(core, s);
  if (!core.config.cwndValidation || windowUsed(core.slots.tcb, s * Tcb.ROW)) cubicGrow(core, s, cubicDelivered(core, s, acked, mark));
}

/** What an ACK of `acked` bytes delivered, for CUBIC: with SACK, how far it moved
 *  deliveryMark(); without, less a segment per duplicate ACK before it (each reported a
 *  segment that arrived). */
function cubicDelivered(core: Core, s: number, acked: number, mark: number): number {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  if (tcb[row + Tcb.flags] & Flag.Sack) return deliveredSince(core.slots, s, mark);
  return acked - tcb[row + Tcb.dupAcks] * tcb[row + Tcb.mss];
}

/** Where delivery stands, for config.congestion 'cubic': SND.UNA plus the bytes SACKed
 *  above it. What an ACK delivered (acknowledged or SACKed anew) is how far it moved. */
export function deliveryMark(slots: Slots, s: number): number {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  return (tcb[row + Tcb.sndUna] + sackedBelow(slots, s, tcb[row + Tcb.sndMax])) | 0;
}

function deliveredSince(slots: Slots, s: number, mark: number): number {
  return (deliveryMark(slots, s) - mark) | 0;
}

/** After an ACK in SACK recovery that did not start it (config.congestion 'cubic'): PRR
 *  sets the window from what the ACK delivered; `advanced`: it moved SND.UNA. */
export function recoveryAck(core: Core, s: number, mark: number, advanced: boolean): void {
  if (inSackRecovery(core.slots, s)) prrAck(core, s, deliveredSince(core.slots, s, mark), advanced);
}

/** Congestion window validation (config.cwndValidation; RFC 7661's rule that a window
 *  the sender has not been using is not validated, in Linux's form): the window grows
 *  only while it is less than twice the largest flight since everything was last
 *  acknowledged. */
function windowUsed(tcb: Int32Array, row: number): boolean {
  return tcb[row + Tcb.cwnd] < 2 * tcb[row + Tcb.maxFlight];
}


/** Before sending with nothing outstanding (with CUBIC, its epoch moves on by the time
 *  nothing was sent): after more than an RTO without sending data,
 *  the ACK clock the window was built on is gone, so it restarts from the restart window
 *  RW = min(IW, cwnd) (RFC 5681 §4.1's SHOULD; ssthresh is kept, as the RFC says nothing
 *  of it), unless config.slowStartAfterIdle is off. */
export function idleRestart(core: Core, s: number): void {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  if (core.config.congestion === 'cubic') cubicIdle(core, s);
  if (!core.config.slowStartAfterIdle) return;
  // Unsigned: the last send is always in the past, so an idle time of 2^31 ms (about 25
  // days) or more, negative as a signed difference, is still long. Only one within an
  // RTO of a whole multiple of 2^32 ms (49.7 days) reads short.
  if (((core.now - tcb[row + Tcb.lastSentAt]) >>> 0) <= tcb[row + Tcb.rto]) return;
  const restart = initialWindowBytes(core.config, tcb[row + Tcb.mss]);
  if (tcb[row + Tcb.cwnd] > restart) tcb[row + Tcb.cwnd] = restart;
}

/** After newAck() and its resend: a loss probe answered, and the timers re-armed (or
 *  stopped when nothing is outstanding). */
export function ackSettled(core: Core, s: number, ack: number, seg: Segment): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  if ((tcb[row + Tcb.flags] & Flag.ProbeOut) && !seqLt(ack, tcb[row + Tcb.probeEnd])) probeAnswered(core, s, ack, seg);
  if (tcb[row + Tcb.sndNxt] === ack) {
    slots.disarm(s, Timer.Retransmit);
    slots.disarm(s, Timer.LossProbe);
    tcb[row + Tcb.flags] &= ~Flag.ReoTimer;
  } else {
    slots.arm(s, Timer.Retransmit, (core.now + tcb[row + Tcb.rto]) | 0);
    tcb[row + Tcb.stalledSince] = core.now; // new data ACKed: what is left waits from now
    armLossProbe(core, s);
  }
}

/** The ACK covers the last tail loss probe. If the probe resent data and the ACK carries
 *  no D-SACK for it (RFC 2883: a first block at or below the ACK), the resent data was
 *  really missing: a loss, answered as fast recovery would answer it, once (RFC 8985
 *  §7.4; the threshold from the window, as there is no flight left to halve). */
function probeAnswered(core: Core, s: number, ack: number, seg: Segment): void {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  const resent = (tcb[row + Tcb.flags] & Flag.ProbeResent) !== 0;
  tcb[row + Tcb.flags] &= ~(Flag.ProbeOut | Flag.ProbeResent);
  const duplicate = seg[Seg.sackCount] > 0 && seqLe(seg[Seg.sackBlocks + 1], ack);
  if (!resent || duplicate) return;
  tcb[row + Tcb.ssthresh] = core.config.congestion === 'cubic' ? cubicThreshold(core, s) : Math.max(tcb[row + Tcb.cwnd] >>> 1, 2 * tcb[row + Tcb.mss]);
  tcb[row + Tcb.cwnd] = tcb[row + Tcb.ssthresh];
  core.count[Count.lossProbeRepairs]++;
}

/** An ACK that does not move SND.UNA (at it or older): its SACK blocks go on the scoreboard. */
export function sameAck(core: Core, s: number, seg: Segment): void {
  if (core.slots.tcb[s * Tcb.ROW + Tcb.flags] & Flag.Sack) recordSackBlocks(core.slots, s, seg, core.now);
}

/** RFC 5681 §3.2: a duplicate ACK; the third starts fast retransmit (returns true: resend
 *  the first unacknowledged segment now), later ones inflate NewReno's window. `mark`
 *  is deliveryMark() before the ACK. */
export function duplicateAck(core: Core, s: number, mark: number): boolean {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  const count = ++tcb[row + Tcb.dupAcks];
  let resend = false;
  if (count === 3 && (tcb[row + Tcb.flags] & (Flag.Recovery | Flag.AfterTimeout)) === 0) {
    enterRecovery(core, s, mark);
    resend = true;
  } else if (count > 3 && (tcb[row + Tcb.flags] & (Flag.Recovery | Flag.Sack)) === Flag.Recovery) {
    tcb[row + Tcb.cwnd] += tcb[row + Tcb.mss]; // NewReno inflation; SACK recovery counts the pipe instead
  }
  if (count === 255) tcb[row + Tcb.dupAcks] = 4;
  return resend;
}

/** After any acceptable ACK, on a SACK connection only (RFC 6675, RFC 8985 §6.2): enough
 *  SACKed above the first hole, or RACK's reordering window passed since data sent after
 *  it was delivered, means it is lost, duplicate ACKs or not (returns true: enter
 *  recovery and resend the first segment now); in recovery, resends found lost are
 *  resent again. `mark` is deliveryMark() before the ACK. */
export function sackReassessed(core: Core, s: number, mark: number): boolean {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  rackDelivered(core, s);
  if (rackDetect(core, s)) armLossProbe(core, s); // the reordering timer gave the timer back
  // This ACK's news only, cleared before a new recovery can start: a flag raised while
  // the last one ended must not be read by the next ACK of the new one.
  const flags = tcb[row + Tcb.flags]; // Flag.Sack is set: the one caller checks it
  tcb[row + Tcb.flags] = flags & ~Flag.ResendOvertaken;
  if (lossFound(core, s, mark)) return true;
  if ((flags & Flag.Recovery) && seqGt(tcb[row + Tcb.highRxt], tcb[row + Tcb.sndUna])
    && ((flags & Flag.ResendOvertaken) || resendLost(slots, s))) {
    // The holes are resent again from SND.UNA, as the pipe allows (output() does that),
    // within the same recovery: the window was cut once for this loss episode.
    tcb[row + Tcb.highRxt] = tcb[row + Tcb.sndUna];
    tcb[row + Tcb.resendMark] = tcb[row + Tcb.sndMax];
    core.count[Count.lostResends]++;
  }
  return false;
}

/** Outside recovery and a timeout's resending, a loss the scoreboard shows (RFC 6675
 *  IsLost or RACK) starts fast recovery: returns true, the caller resending the first
 *  segment (`mark`: deliveryMark() before the ACK, for PRR). In recovery, with no
 *  reordering seen, RACK's window is 0 from then on (RFC 8985 §6.2 step 4): the holes
 *  below its segment are lost at once. */
function lossFound(core: Core, s: number, mark: number): boolean {
  const flags = core.slots.tcb[s * Tcb.ROW + Tcb.flags];
  if ((flags & (Flag.Recovery | Flag.AfterTimeout)) !== 0 || !lossIndicated(core.slots, s)) return false;
  enterRecovery(core, s, mark); // which lets RACK mark its losses with recovery's window
  return true;
}

/** RACK's reordering timer expired (RFC 8985 §6.2 step 5): the holes it waited for are
 *  lost now. Returns true when that starts fast recovery (the caller resends the first
 *  segment); in recovery the caller's output() resends them as the pipe allows. */
export function reorderingTimedOut(core: Core, s: number): boolean {
  const slots = core.slots;
  slots.tcb[s * Tcb.ROW + Tcb.flags] &= ~Flag.ReoTimer;
  slots.disarm(s, Timer.LossProbe);
  rackDetect(core, s);
  if (lossFound(core, s, deliveryMark(slots, s))) return true; // no ACK: nothing delivered now
  armLossProbe(core, s);
  return false;
}

/** Fast retransmit and the start of fast recovery (RFC 5681 §3.2, RFC 6582, RFC 6675):
 *  half the flight as threshold; the caller resends the first unacknowledged segment. */
function enterRecovery(core: Core, s: number, mark: number): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const mss = tcb[row + Tcb.mss];
  const prior = tcb[row + Tcb.cwnd];
  const ssthresh = reduceThreshold(core, s);
  // NewReno inflates the window by the three segments that have left the network; with
  // SACK the pipe estimate already leaves them out.
  tcb[row + Tcb.cwnd] = tcb[row + Tcb.flags] & Flag.Sack ? ssthresh : ssthresh + 3 * mss;
  tcb[row + Tcb.flags] |= Flag.Recovery;
  // A loss probe still out belongs to this loss episode: its ACK must not cut the window
  // a second time (RFC 8985 §7.4).
  tcb[row + Tcb.flags] &= ~(Flag.Timing | Flag.ProbeOut | Flag.ProbeResent | Flag.ReoTimer);
  slots.disarm(s, Timer.LossProbe);
  tcb[row + Tcb.recover] = tcb[row + Tcb.sndMax];
  // RACK marks its losses, with recovery's reordering window (0 with none seen), before
  // PRR reads the pipe, which counts no lost segment (RFC 6937, RFC 6675).
  if (tcb[row + Tcb.flags] & Flag.Sack) {
    rackDelivered(core, s);
    rackDetect(core, s);
  }
  // With CUBIC, PRR sets the window from here on (SACK recovery only: NewReno's keeps
  // its inflation).
  if (core.config.congestion === 'cubic' && (tcb[row + Tcb.flags] & Flag.Sack)) prrStart(core, s, prior, deliveredSince(slots, s, mark));
  core.count[Count.fastRetransmits]++;
}

/** The retransmission timer expired with data outstanding (RFC 5681 §3.1, RFC 6298
 *  §5.5-5.7): half the flight as threshold, one segment of window, the RTO doubled, and
 *  sending goes back to SND.UNA (the caller's output() resends from there). */
export function retransmitTimedOut(core: Core, s: number): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  if (core.config.congestion !== 'cubic') {
    reduceThreshold(core, s);
  } else {
    // As Linux: no new threshold for a timeout in recovery (the loss was answered) or
    // after one that made no progress (the window is already one segment).
    if ((tcb[row + Tcb.flags] & Flag.Recovery) === 0 && !((tcb[row + Tcb.flags] & Flag.AfterTimeout) && tcb[row + Tcb.retries] > 1)) reduceThreshold(core, s);
    cubicForget(core, s);
  }
  tcb[row + Tcb.cwnd] = tcb[row + Tcb.mss];
  tcb[row + Tcb.dupAcks] = 0;
  tcb[row + Tcb.flags] &= ~(Flag.Recovery | Flag.Timing); // Karn: no RTT from retransmissions
  // RFC 6582 §4.1: no fast retransmit until everything sent so far is ACKed. RFC 2018 §8:
  // the peer may have dropped what it SACKed, so the scoreboard starts again.
  tcb[row + Tcb.flags] |= Flag.AfterTimeout;
  tcb[row + Tcb.flags] &= ~(Flag.ProbeOut | Flag.ProbeResent | Flag.ReoTimer);
  slots.disarm(s, Timer.LossProbe);
  tcb[row + Tcb.recover] = tcb[row + Tcb.sndMax];
  tcb[row + Tcb.sackedCount] = 0;
  rackOpened(slots, s); // RACK starts again too: what follows is all resent
  backOff(core, s);
  tcb[row + Tcb.sndNxt] = tcb[row + Tcb.sndUna]; // go back to the first unacknowledged byte
}

/** RFC 6298 §5.5: the RTO doubles, up to rtoMaxMs. */
export function backOff(core: Core, s: number): void {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  tcb[row + Tcb.rto] = Math.min(tcb[row + Tcb.rto] * 2, core.config.rtoMaxMs);
}

// ---- RTT estimate (RFC 6298) -----------------------------------------------------------

/** RFC 6298 §2: smoothed RTT, variance and RTO from one measurement, in integers
 *  (srtt8 = 8 × SRTT, rttvar4 = 4 × RTTVAR, so the gains 1/8 and 1/4 are exact). */
function sampleRtt(core: Core, s: number, rtt: number): void {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  const sample = rtt > 0 ? rtt : 1;
  rackRttSample(core.slots, s, sample);
  if (tcb[row + Tcb.srtt8] === 0) {
    tcb[row + Tcb.srtt8] = sample << 3;
    tcb[row + Tcb.rttvar4] = sample << 1;
  } else {
    const delta = sample - (tcb[row + Tcb.srtt8] >> 3);
    tcb[row + Tcb.srtt8] += delta;
    tcb[row + Tcb.rttvar4] += (delta < 0 ? -delta : delta) - (tcb[row + Tcb.rttvar4] >> 2);
  }
  if (core.config.congestion === 'cubic') cubicRttSample(core, s, sample);
  updateRto(core, s);
}

/** RTO = SRTT + max(G, 4 × RTTVAR), within [rtoMinMs, rtoMaxMs]; G is 1 ms. With
 *  config.rtoMinOnVariance (Linux's form) rtoMinMs is the variance term's floor instead:
 *  RTO = SRTT + max(4 × RTTVAR, rtoMinMs). */
function updateRto(core: Core, s: number): void {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  const config = core.config;
  const floor = config.rtoMinOnVariance ? config.rtoMinMs : 1;
  const rto = (tcb[row + Tcb.srtt8] >> 3) + (tcb[row + Tcb.rttvar4] > floor ? tcb[row + Tcb.rttvar4] : floor);
  tcb[row + Tcb.rto] = rto < config.rtoMinMs ? config.rtoMinMs : rto > config.rtoMaxMs ? config.rtoMaxMs : rto;
}

// ---- answers to output.ts --------------------------------------------------------------

/** In SACK recovery (RFC 6675): the pipe, not everything outstanding, is what the
 *  congestion window limits, and holes are resent before new data. */
export function inSackRecovery(slots: Slots, s: number): boolean {
  return (slots.tcb[s * Tcb.ROW + Tcb.flags] & (Flag.Recovery | Flag.Sack)) === (Flag.Recovery | Flag.Sack);
}

/** Bytes of new data the windows let go now, `outstanding` being sent and unacknowledged:
 *  the peer's window, and the congestion window (plus Limited Transmit) less what is in
 *  the network. */
export function sendAllowance(slots: Slots, s: number, outstanding: number, sackRecovery: boolean): number {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const inNetwork = sackRecovery ? pipe(slots, s) : outstanding;
  return Math.min(tcb[row + Tcb.sndWnd] - outstanding, tcb[row + Tcb.cwnd] + limitedTransmit(slots, s) - inNetwork);
}

/** Limited Transmit (RFC 3042): the first and second duplicate ACK each let one more
 *  segment of new data go beyond the congestion window, so that a window too small to
 *  bring three duplicate ACKs still gets its fast retransmit. */
function limitedTransmit(slots: Slots, s: number): number {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  if (tcb[row + Tcb.flags] & (Flag.Recovery | Flag.AfterTimeout)) return 0;
  const dupAcks = tcb[row + Tcb.dupAcks];
  return dupAcks > 0 && dupAcks < 3 ? dupAcks * tcb[row + Tcb.mss] : 0;
}

/** SACK recovery's next resend (RFC 6675 §5 step C, NextSeg): the start of the next hole
 *  to resend — a lost one (rule 1), or any (rule 3) when `newDataGoes` is false — or the
 *  highest SACKed byte when none is left. holeEnd() tells where it ends. */
export function nextResend(slots: Slots, s: number, newDataGoes: boolean): number {
  return nextHole(slots, s, !newDataGoes);
}

/** Room the congestion window leaves beside the pipe, for a resend in SACK recovery. */
export function resendRoom(slots: Slots, s: number): number {
  return slots.tcb[s * Tcb.ROW + Tcb.cwnd] - pipe(slots, s);
}

/** A recovery resend went out up to `sentTo`: HighRxt moves there, and what is sent from
 *  now on can show whether it arrived (resendMark), and from when (resentAt). */
export function markResent(core: Core, s: number, sentTo: number): void {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  tcb[row + Tcb.highRxt] = sentTo;
  tcb[row + Tcb.resendMark] = tcb[row + Tcb.sndMax];
  tcb[row + Tcb.resentAt] = core.now;
}

/** Tail loss probe (RFC 8985 §7), on connections with SACK: when data is outstanding and
 *  no ACK has come for two smoothed RTTs (plus a delayed ACK's worst case if only one
 *  segment is out), one segment goes out to draw an ACK, whose SACK blocks or duplicate
 *  then start fast recovery; without it a lost tail waits for the RTO (1 s at least on a
 *  board). Armed after new data and after ACKs that leave data outstanding. */
export function armLossProbe(core: Core, s: number): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  if (tcb[row + Tcb.flags] & Flag.ReoTimer) return; // RACK's reordering timer has it
  const outstanding = seqDiff(tcb[row + Tcb.sndMax], tcb[row + Tcb.sndUna]);
  if (!probeAllowed(slots, s) || tcb[row + Tcb.srtt8] === 0 || outstanding === 0) {
    slots.disarm(s, Timer.LossProbe);
    return;
  }
  // RFC 8985 §7.2: 2 × SRTT, no floor (SRTT is at least 1 ms: samples are).
  let pto = 2 * (tcb[row + Tcb.srtt8] >> 3);
  if (outstanding <= tcb[row + Tcb.mss]) pto += WORST_CASE_DELAYED_ACK_MS;
  // RFC 8985 §7.2: when the RTO would fire sooner, the probe goes at the RTO's time instead
  // (and restarts the retransmission timer behind it: the timers run the probe first).
  // Both callers (a segment sent, an ACK settled) have just started the retransmission timer.
  const rtoLeft = (slots.deadline(s, Timer.Retransmit) - core.now) | 0;
  slots.arm(s, Timer.LossProbe, (core.now + (pto < rtoLeft ? pto : rtoLeft)) | 0);
}

/** A probe needs SACK, and none outside recovery's or a timeout's own resending, nor
 *  while the last probe is unanswered; and everything sent is unacknowledged from
 *  SND.NXT = SND.MAX (no go-back-N under way). */
export function probeAllowed(slots: Slots, s: number): boolean {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  return (tcb[row + Tcb.flags] & (Flag.Sack | Flag.Recovery | Flag.AfterTimeout | Flag.ProbeOut)) === Flag.Sack;
}

/** Where the probe resends from when no new data can go: the last segment's worth sent
 *  (`room` bytes, or from the last end-of-record mark within them). */
export function probeResendFrom(slots: Slots, s: number, room: number): number {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const dataEnd = seqAdd(tcb[row + Tcb.sndUna], tcb[row + Tcb.txLength]);
  const sentEnd = seqLt(dataEnd, tcb[row + Tcb.sndMax]) ? dataEnd : tcb[row + Tcb.sndMax];
  const from = seqDiff(sentEnd, tcb[row + Tcb.sndUna]) > room ? seqAdd(sentEnd, -room) : tcb[row + Tcb.sndUna];
  // The last segment began at an end-of-record mark if one cut it (Linux probes with the
  // last skb, which a mark begins).
  return recordStartBefore(tcb, row, from, sentEnd);
}

/** The probe went out (`resent`: old data rather than new): no other until it is
 *  answered (probeEnd), and the retransmission timer restarts behind it. ProbeResent is
 *  clear here: it is only ever set with ProbeOut and cleared with it, and a probe goes
 *  only without ProbeOut (probeAllowed). */
export function probeSent(core: Core, s: number, resent: boolean): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  if (resent) tcb[row + Tcb.flags] |= Flag.ProbeResent;
  tcb[row + Tcb.flags] |= Flag.ProbeOut;
  tcb[row + Tcb.probeEnd] = tcb[row + Tcb.sndMax];
  core.count[Count.lossProbes]++;
  slots.disarm(s, Timer.LossProbe);
  slots.arm(s, Timer.Retransmit, (core.now + tcb[row + Tcb.rto]) | 0);
}
