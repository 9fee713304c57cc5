// What the engine sends: data and FIN (with Nagle, sender SWS avoidance, the congestion
// window and the peer's window), ACKs, SYN-ACKs, resets and probes. Every segment is
// built in the one output buffer and handed to the port before the next is built.
import { Count } from './counters';
import { Core } from './core';
import { prrSent } from './cubic';
import { Event, Flag, Probes, Slots, State, Timer, Tcb } from './slots';
import { seqAdd, seqDiff, seqGt, seqLe, seqLt } from './seq';
import { ACK, DEFAULT_MSS, FIN, MAX_SACK_BLOCKS, Out, PSH, RST, SACK_PERMITTED_OPTION, SYN, Seg, Segment, WINDOW_SCALE_OPTION, WindowScale,
  finishPacket, sackOptionLength, writeSackBlock, writeSackHead, writeSackPermitted, writeSegmentHeaders, writeWindowScale } from './wire';
import { cutAtRecordEnd, toRecordEnd, txCopyOut } from './ring';
import { TraceEvent } from './trace';
import { highestSacked, holeEnd } from './sack';
import {
  armLossProbe, idleRestart, inSackRecovery, markResent, nextResend, probeResendFrom, probeSent, resendRoom, sendAllowance,
} from './recovery';

/** Starts the outgoing record (core.segment's Out fields) for a segment of slot s's
 *  connection: SEQ `seq`, ACK = RCV.NXT, no MSS option and no payload unless the caller
 *  adds them. */
function segmentFor(core: Core, s: number, seq: number, flags: number, window: number): Segment {
  const o = core.segment;
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  o[Out.dst] = tcb[row + Tcb.remoteAddr];
  o[Out.srcPort] = tcb[row + Tcb.ports] >>> 16;
  o[Out.dstPort] = tcb[row + Tcb.ports] & 0xffff;
  o[Out.seq] = seq;
  o[Out.ack] = tcb[row + Tcb.rcvNxt];
  o[Out.flags] = flags;
  o[Out.window] = window;
  o[Out.mss] = 0;
  o[Out.slot] = s;
  o[Out.length] = 0;
  o[Out.ip] = tcb[row + Tcb.tosTtlMss] & 0xffff;
  return o;
}

/** Starts the outgoing record for a reply to the segment being processed, for no slot
 *  (resets, cookie SYN-ACKs, TIME-WAIT ACKs): back to where it came from, with the
 *  stack's TTL and TOS 0 (a caller that answers for a listener or a connection sets
 *  Out.ip to theirs). */
export function replyFor(core: Core, seq: number, ack: number, flags: number, window: number): Segment {
  const o = core.segment;
  o[Out.dst] = o[Seg.srcAddr];
  o[Out.srcPort] = o[Seg.dstPort];
  o[Out.dstPort] = o[Seg.srcPort];
  o[Out.seq] = seq;
  o[Out.ack] = ack;
  o[Out.flags] = flags;
  o[Out.window] = window;
  o[Out.mss] = 0;
  o[Out.slot] = -1;
  o[Out.length] = 0;
  o[Out.ip] = core.config.ttl; // ipTosTtl(0, ttl)
  return o;
}

/** Builds and sends the segment the outgoing record describes. Payload, if any, comes
 *  from the slot's tx ring. On a connection that agreed to SACK, a SYN-ACK says so and
 *  every other segment but a RST reports the held out-of-order ranges; on one that
 *  agreed to window scaling, the SYN-ACK says so too. False when the local link refused
 *  it (PacketPort.send): only new data cares (sendDataSegment); anything else it refuses
 *  is lost, as on the wire. */
export function transmit(core: Core): boolean {
  const o = core.segment;
  const s = o[Out.slot];
  const flags = o[Out.flags];
  const length = o[Out.length];
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  const out = core.out;
  o[Out.ipId] = (o[Out.ipId] + 1) & 0xffff;
  let more = 0;
  if (s >= 0 && (tcb[row + Tcb.flags] & Flag.Sack) && !(flags & RST)) {
    more = flags & SYN ? SACK_PERMITTED_OPTION : sackOptionLength(sackBlocksToSend(core.slots, s));
  }
  // RFC 7323 §2.2: the SYN-ACK answers a Window Scale option with one, shift 0 (the
  // window we offer fits 16 bits); a cookie's SYN-ACK (no slot) cannot keep the peer's.
  const windowScale = s >= 0 && (flags & SYN) !== 0 && (tcb[row + Tcb.probes] & (WindowScale.Offered << Probes.WindowScale)) !== 0;
  if (windowScale) more += WINDOW_SCALE_OPTION;
  const at = writeSegmentHeaders(out, o, o[Out.ip], core.localAddr, more, core.bytes);
  if (more > 0) {
    if (flags & SYN) {
      if (tcb[row + Tcb.flags] & Flag.Sack) writeSackPermitted(out, at - more);
      if (windowScale) writeWindowScale(out, at - WINDOW_SCALE_OPTION, 0);
    } else {
      writeSackBlocks(core.slots, s, out, at - more);
      if (tcb[row + Tcb.flags] & Flag.Dsack) {
        tcb[row + Tcb.flags] &= ~Flag.Dsack; // reported once (RFC 2883 §4)
        core.count[Count.dsacksSent]++;
      }
    }
  }
  if (length > 0) txCopyOut(core, s, o[Out.offset], at, length);
  const total = finishPacket(out, core.bytes);
  if (core.trace !== undefined) core.trace(TraceEvent.Out, 0, o);
  if (core.port.send(out, total) === false) {
    core.count[Count.linkRefused]++;
    return false;
  }
  core.count[Count.segmentsOut]++;
  if (flags & RST) core.count[Count.resetsSent]++;
  return true;
}

function sackBlocksToSend(slots: Slots, s: number): number {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const blocks = tcb[row + Tcb.heldCount] + (tcb[row + Tcb.flags] & Flag.Dsack ? 1 : 0);
  return blocks < MAX_SACK_BLOCKS ? blocks : MAX_SACK_BLOCKS;
}

/** RFC 2883 §4: a D-SACK block first if a duplicate is to be reported; then RFC 2018 §4:
 *  one block per held range, the newest first (it holds the segment that made us send
 *  this ACK), as many as fit; the newest range is the last one reassembly.ts keeps. */
function writeSackBlocks(slots: Slots, s: number, out: Uint8Array, at: number): void {
  const tcb = slots.tcb;
  const blocks = sackBlocksToSend(slots, s);
  const row = s * Tcb.ROW;
  writeSackHead(out, at, blocks);
  let k = 0;
  if (tcb[row + Tcb.flags] & Flag.Dsack) {
    writeSackBlock(out, at + 4, tcb[row + Tcb.dsackStart], tcb[row + Tcb.dsackEnd]);
    k = 1;
  }
  for (let range = tcb[row + Tcb.heldCount] - 1; k < blocks; k++, range--) {
    writeSackBlock(out, at + 4 + 8 * k, tcb[row + Tcb.heldStart + range], tcb[row + Tcb.heldEnd + range]);
  }
}

/** Payload bytes a segment from slot s can carry now: the MSS less the SACK option it will
 *  carry (RFC 6691: the MSS counts data only, options come out of it). */
function payloadRoom(slots: Slots, s: number): number {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  if ((tcb[row + Tcb.flags] & Flag.Sack) === 0) return tcb[row + Tcb.mss];
  return tcb[row + Tcb.mss] - sackOptionLength(sackBlocksToSend(slots, s));
}

/** The largest segment the peer sends us (its Eff.snd.MSS): the MSS our SYN-ACK offered
 *  (config.mss or the listener's TCP_MAXSEG), or 536 with TCP_NOOPT (no MSS option).
 *  Receiver SWS avoidance steps by it (RFC 9293 §3.8.6.2.2), not by config.mss. */
export function peerSendMss(tcb: Int32Array, row: number): number {
  return (tcb[row + Tcb.flags] & Flag.NoOptions) !== 0 ? DEFAULT_MSS : tcb[row + Tcb.tosTtlMss] >>> 16;
}

/** The window to put in a segment from slot s. The right edge we advertise (rcvAdv) only
 *  moves right, and only by at least min(rx/2, MSS) at a time (receiver SWS avoidance,
 *  RFC 1122 §4.2.3.3), except that an empty buffer is always offered whole. */
export function windowFor(core: Core, s: number): number {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const free = slots.rxBytes - tcb[row + Tcb.rxLength];
  const edge = seqAdd(tcb[row + Tcb.rcvNxt], free);
  const half = slots.rxBytes >>> 1;
  const mss = peerSendMss(tcb, row);
  const step = half < mss ? half : mss;
  const moves = seqDiff(edge, tcb[row + Tcb.rcvAdv]);
  if (moves > 0 && (moves >= step || free === slots.rxBytes)) tcb[row + Tcb.rcvAdv] = edge;
  // At most rxBytes, which config caps at 65535: the header's 16 bits, our shift being 0.
  const window = seqDiff(tcb[row + Tcb.rcvAdv], tcb[row + Tcb.rcvNxt]);
  return window < 0 ? 0 : window;
}

/** Any segment we send carries an ACK, so it settles a pending or delayed one. */
function ackSent(slots: Slots, s: number): void {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  tcb[row + Tcb.flags] &= ~(Flag.AckNow | Flag.AckOwed);
  slots.disarm(s, Timer.DelayedAck);
}

/** A bare ACK: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. */
export function sendAck(core: Core, s: number): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  segmentFor(core, s, tcb[row + Tcb.sndNxt], ACK, windowFor(core, s));
  transmit(core);
  ackSent(slots, s);
}

/** An ACK whose sequence number is one below SND.UNA, so the peer must answer it with
 *  its current ACK and window: used for zero-window probes and keepalives. */
export function sendProbe(core: Core, s: number): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  segmentFor(core, s, seqAdd(tcb[row + Tcb.sndUna], -1), ACK, windowFor(core, s));
  transmit(core);
  ackSent(slots, s);
}

export function sendSynAck(core: Core, s: number): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const noOptions = (tcb[row + Tcb.flags] & Flag.NoOptions) !== 0;
  segmentFor(core, s, tcb[row + Tcb.iss], SYN | ACK, windowFor(core, s))[Out.mss] = noOptions ? 0 : tcb[row + Tcb.tosTtlMss] >>> 16;
  transmit(core);
  ackSent(slots, s);
}

/** <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>: how slotcp resets a connection it holds. */
export function sendReset(core: Core, s: number): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  segmentFor(core, s, tcb[row + Tcb.sndNxt], RST | ACK, 0);
  transmit(core);
}

/** RFC 5961 §3.2/§4.2 challenge ACK, rate limited across the stack (§7). */
export function sendChallengeAck(core: Core, s: number): void {
  const elapsed = (core.now - core.challengeWindowStart) | 0;
  if (elapsed >= 1000 || elapsed < 0) {
    core.challengeWindowStart = core.now;
    core.challengeCount = 0;
  }
  if (core.challengeCount >= core.config.challengeAcksPerSecond) {
    core.count[Count.challengeAcksSuppressed]++;
    return;
  }
  core.challengeCount++;
  core.count[Count.challengeAcks]++;
  sendAck(core, s);
}

/** The ACK owed to an unacceptable (out-of-window) segment, at most one per
 *  OOW_ACK_INTERVAL_MS per connection, as Linux limits them (RFC 5961 §10 discusses
 *  why): a blind attacker's spoofed segments then cannot make us send at their rate. */
export function sendOutOfWindowAck(core: Core, s: number): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  // The stamp is not refreshed while ACKs are held back, and a quiet connection may go
  // unprobed for weeks: a gap of 2^31 ms or more reads negative and, as in
  // sendChallengeAck, counts as long ago (not as "just now", which would hold back every
  // answer to a peer's keepalive probes from then on).
  const elapsed = (core.now - tcb[row + Tcb.oowAckAt]) | 0;
  if (elapsed >= 0 && elapsed < OOW_ACK_INTERVAL_MS) {
    core.count[Count.outOfWindowAcksSuppressed]++;
    return;
  }
  tcb[row + Tcb.oowAckAt] = core.now;
  sendAck(core, s);
}

const OOW_ACK_INTERVAL_MS = 500;

/** Bytes queued after everything sent so far (SND.NXT); 0 once the FIN is out. */
export function unsentBytes(slots: Slots, s: number): number {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const sent = seqDiff(tcb[row + Tcb.sndNxt], tcb[row + Tcb.sndUna]);
  const unsent = tcb[row + Tcb.txLength] - sent;
  return unsent > 0 ? unsent : 0;
}

function finPending(slots: Slots, s: number): boolean {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  return (tcb[row + Tcb.flags] & Flag.FinQueued) !== 0 && !seqGt(tcb[row + Tcb.sndNxt], tcb[row + Tcb.finSeq]);
}

function startRetransmitTimer(core: Core, s: number): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  if (!slots.running(s, Timer.Retransmit)) {
    slots.arm(s, Timer.Retransmit, (core.now + tcb[row + Tcb.rto]) | 0);
    // Data starts waiting now, unless this is a timeout's resend (retries > 0): the
    // user timeout counts from the original wait.
    if (tcb[row + Tcb.retries] === 0) tcb[row + Tcb.stalledSince] = core.now;
  }
}

/** Sends one segment of up to `length` data bytes from SND.NXT (and the FIN if `fin`).
 *  False when it was new data (from SND.MAX on) and the local link refused it: then
 *  nothing changes, SND.NXT and SND.MAX stay, nothing is in flight or timed, and the
 *  persist timer retries it (output() arms it; Linux's tcp_write_xmit stops at a qdisc
 *  drop and tcp_check_probe_timer starts its probe timer). A refused resend counts as
 *  sent and lost, as before: the retransmission timer that is running repairs it. */
function sendDataSegment(core: Core, s: number, length: number, fin: boolean): boolean {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const seq = tcb[row + Tcb.sndNxt];
  const offset = seqDiff(seq, tcb[row + Tcb.sndUna]);
  const emptiesQueue = offset + length === tcb[row + Tcb.txLength];
  let flags = ACK;
  // The end of a record (MSG_EOR) is where its writer pushed, as the queue's end is
  // (RFC 9293 §3.9.1: PSH on the last segment of what was pushed), unless the last write
  // said more follows (MSG_MORE).
  if (length > 0 && ((emptiesQueue && (tcb[row + Tcb.flags] & Flag.More) === 0) || endsPushedRecord(tcb, row, seq, length))) flags |= PSH;
  if (fin) flags |= FIN;
  const isRetransmission = seqLt(seq, tcb[row + Tcb.sndMax]);
  const room = payloadRoom(slots, s); // before transmit() sends a D-SACK block and forgets it
  const o = segmentFor(core, s, seq, flags, windowFor(core, s));
  o[Out.offset] = offset;
  o[Out.length] = length;
  const sent = transmit(core);
  ackSent(slots, s); // as Linux's tcp_event_ack_sent, before its qdisc drops the segment
  if (!sent && !isRetransmission) return false;
  tcb[row + Tcb.lastSentAt] = core.now;
  if (fin) tcb[row + Tcb.flags] = length === 0 ? tcb[row + Tcb.flags] | Flag.FinAlone : tcb[row + Tcb.flags] & ~Flag.FinAlone;
  const end = seqAdd(seq, length + (fin ? 1 : 0));
  tcb[row + Tcb.sndNxt] = end;
  if (length < room) tcb[row + Tcb.smallEnd] = end;
  if (seqGt(end, tcb[row + Tcb.sndMax])) {
    tcb[row + Tcb.sndMax] = end;
    // With a TCP_NOTSENT_LOWAT, sending (not only an ACK) may make the connection
    // writable again (connection.ts sendRoom): the app hears of it.
    if ((tcb[row + Tcb.notsentLowat] | core.config.notsentLowat) !== 0) tcb[row + Tcb.flags] |= Event.Writable;
    const flight = seqDiff(end, tcb[row + Tcb.sndUna]); // for config.cwndValidation (recovery.ts)
    if (flight > tcb[row + Tcb.maxFlight]) tcb[row + Tcb.maxFlight] = flight;
  }
  // PRR counts what recovery sends (config.congestion 'cubic').
  if ((tcb[row + Tcb.flags] & Flag.Recovery) && core.config.congestion === 'cubic') prrSent(core, s, length);
  if (isRetransmission) {
    core.count[Count.retransmittedSegments]++;
    // Karn (RFC 6298 §3): the timed segment sent again gives no sample, as its ACK may
    // answer either copy (a loss probe resends it; recovery and timeouts stop timing).
    const timed = tcb[row + Tcb.rttSeq];
    if ((tcb[row + Tcb.flags] & Flag.Timing) && seqLe(seq, timed) && seqLt(timed, end)) tcb[row + Tcb.flags] &= ~Flag.Timing;
  } else if ((tcb[row + Tcb.flags] & Flag.Timing) === 0) {
    // Karn: only a segment sent once is timed.
    tcb[row + Tcb.flags] |= Flag.Timing;
    tcb[row + Tcb.rttSeq] = seq;
    tcb[row + Tcb.rttStart] = core.now;
  }
  startRetransmitTimer(core, s);
  if (!isRetransmission) armLossProbe(core, s);
  return true;
}

/** The tail loss probe (RFC 8985 §7; recovery.ts decides when): a new segment if the
 *  peer's window takes one (the congestion window is not asked), or else the last
 *  segment sent again. Nothing is checked here: the timer runs only while a probe may go
 *  (recovery.ts arms it only with SACK and data outstanding, outside recovery, a
 *  timeout's go-back-N and another probe, each of which stops it, as does the ACK of
 *  everything), so SND.NXT = SND.MAX and the state can send. */
export function sendLossProbe(core: Core, s: number): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const room = payloadRoom(slots, s);
  const unsent = unsentBytes(slots, s);
  const outstanding = seqDiff(tcb[row + Tcb.sndNxt], tcb[row + Tcb.sndUna]);
  const length = cutAtRecordEnd(tcb, row, tcb[row + Tcb.sndNxt], Math.min(unsent, room));
  const fresh = length > 0 && tcb[row + Tcb.sndWnd] - outstanding >= length;
  if (fresh) sendDataSegment(core, s, length, false);
  else if (loneFinSent(core, s)) retransmitAt(core, s, tcb[row + Tcb.finSeq], tcb[row + Tcb.sndMax]);
  else retransmitAt(core, s, probeResendFrom(slots, s, room), tcb[row + Tcb.sndMax]);
  probeSent(core, s, !fresh);
}

/** With config.loneFin, the highest-sequence segment sent was the FIN alone: a tail loss
 *  probe resends just that (RFC 8985 §7.3). */
function loneFinSent(core: Core, s: number): boolean {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  return core.config.loneFin && (tcb[row + Tcb.flags] & Flag.FinAlone) !== 0
    && seqAdd(tcb[row + Tcb.finSeq], 1) === tcb[row + Tcb.sndMax];
}

/** Retransmits the first unacknowledged segment (fast retransmit). */
export function retransmitFirst(core: Core, s: number): void {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  markResent(core, s, retransmitAt(core, s, tcb[row + Tcb.sndUna], tcb[row + Tcb.sndMax]));
}

/** Resends one segment of what was sent from `seq` on, at most up to `end` (with the FIN
 *  if it was sent and the segment reaches it), then returns SND.NXT to where it was:
 *  SND.MAX, as nothing resends this way during a timeout's go-back-N (AfterTimeout).
 *  Returns the sequence number just past what was sent. */
function retransmitAt(core: Core, s: number, seq: number, end: number): number {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const saved = tcb[row + Tcb.sndNxt];
  const offset = seqDiff(seq, tcb[row + Tcb.sndUna]);
  const queued = tcb[row + Tcb.txLength] - offset;
  const length = cutAtRecordEnd(tcb, row, seq, Math.max(0, Math.min(queued, payloadRoom(slots, s), seqDiff(end, seq))));
  const fin = (tcb[row + Tcb.flags] & Flag.FinQueued) !== 0 && seqAdd(seq, length) === tcb[row + Tcb.finSeq]
    && seqGt(end, tcb[row + Tcb.finSeq]);
  tcb[row + Tcb.sndNxt] = seq;
  sendDataSegment(core, s, length, fin);
  const sentTo = tcb[row + Tcb.sndNxt];
  tcb[row + Tcb.sndNxt] = saved;
  return sentTo;
}

/** SACK recovery (RFC 6675 §5 step C): resends the holes recovery.ts names while the
 *  pipe leaves room in the congestion window; lost holes first (NextSeg rule 1), then new
 *  data (rule 2, the caller's), and only when there is none the other holes (rule 3).
 *  Returns false when the window is full. */
function resendHoles(core: Core, s: number): boolean {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const room = payloadRoom(slots, s);
  const high = highestSacked(slots, s);
  const newDataGoes = unsentBytes(slots, s) > 0 && tcb[row + Tcb.sndWnd] > seqDiff(tcb[row + Tcb.sndNxt], tcb[row + Tcb.sndUna]);
  for (;;) {
    const hole = nextResend(slots, s, newDataGoes);
    if (hole === high) return true;
    if (resendRoom(slots, s) < room) return false;
    const sentTo = retransmitAt(core, s, hole, holeEnd(slots, s, hole));
    if (!seqGt(sentTo, hole)) return true; // nothing left to send there (cannot loop)
    markResent(core, s, sentTo);
    core.count[Count.sackRetransmits]++;
  }
}

function canSendData(state: number): boolean {
  return state === State.Established || state === State.CloseWait || state === State.FinWait1
    || state === State.Closing || state === State.LastAck;
}

/** What output() lets go of that the app asked to hold back (Linux's tcp_push decides
 *  the same by its `nonagle` argument). */
export const enum Push {
  /** Nothing: TCP_CORK and MSG_MORE both hold (the app's writes, timers, closes). */
  None,
  /** What MSG_MORE held, which corks only its own write: a segment arrived, or the cork
   *  came off. A cork still on holds. */
  More,
  /** Everything, the cork's part segment too, this once: TCP_NODELAY was set (Linux's
   *  TCP_NAGLE_PUSH). */
  All,
}

/** Sends what slot s may send now (tcp_output): new data within the peer's and the
 *  congestion window, the FIN after the last byte, and a pending ACK if nothing else
 *  carried it (unless `holdAck`: the caller flushes ACKs once the app has had its say,
 *  so that its reply or FIN can carry the ACK). `push` says which of the app's holds
 *  (cork, MSG_MORE) this call lets go. Arms the persist timer when data waits with
 *  nothing in flight. */
export function output(core: Core, s: number, holdAck = false, push = Push.None): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  if (canSendData(tcb[row + Tcb.state])) {
    const sackRecovery = inSackRecovery(slots, s);
    if (sackRecovery || unsentBytes(slots, s) > 0 || finPending(slots, s)) {
      sendQueued(core, s, sackRecovery, push);
      armPersist(core, s);
    } else {
      // Nothing to send and nothing waiting (the usual case after a segment arrives).
      stopPersist(slots, s);
    }
  }
  if (!holdAck && (tcb[row + Tcb.flags] & Flag.AckNow)) sendAck(core, s);
}

/** output()'s sending: new data within the peer's and the congestion window (holes
 *  first in SACK recovery), with Nagle, the cork, sender SWS avoidance and the FIN. */
function sendQueued(core: Core, s: number, sackRecovery: boolean, push: Push): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  if (tcb[row + Tcb.sndMax] === tcb[row + Tcb.sndUna]) idleRestart(core, s);
  for (;;) {
    if (sackRecovery && !resendHoles(core, s)) break;
    const mss = payloadRoom(slots, s); // a D-SACK block takes room in the first segment only
    const unsent = unsentBytes(slots, s);
    const fin = finPending(slots, s);
    if (unsent === 0 && !fin) break;
    const outstanding = seqDiff(tcb[row + Tcb.sndNxt], tcb[row + Tcb.sndUna]);
    const usable = sendAllowance(slots, s, outstanding, sackRecovery);
    // A go-back-N resend covers what was sent before; bytes the cork or MSG_MORE holds
    // stay held (Linux resends its sent skbs and never merges unsent bytes into them).
    const resent = seqDiff(tcb[row + Tcb.sndMax], tcb[row + Tcb.sndNxt]);
    const available = resent > 0 && !fin && resent < unsent && appHolds(tcb[row + Tcb.flags], push) ? resent : unsent;
    // An end-of-record mark ends what may go in one segment, as the queue's end does.
    const record = cutAtRecordEnd(tcb, row, tcb[row + Tcb.sndNxt], available);
    const length = Math.max(0, Math.min(record, mss, usable));
    const lastOfQueue = length === unsent;
    // The FIN goes with the last byte if the window has room for it too; with
    // config.loneFin a FIN with no data left needs only the peer's window.
    const withFin = fin && lastOfQueue && (usable > length || (length === 0 && core.config.loneFin && tcb[row + Tcb.sndWnd] > outstanding));
    if (length === 0 && !withFin) break;
    if (length < mss && length !== record) {
      // Sender SWS avoidance (RFC 1122 §4.2.3.4): a part segment only when nothing is in
      // flight and it is at least half the largest window the peer has offered.
      if (outstanding > 0 || length < (tcb[row + Tcb.maxSndWnd] >>> 1)) break;
    } else if (length < mss && length > 0 && lastOfQueue && !fin && !seqLt(tcb[row + Tcb.sndNxt], tcb[row + Tcb.sndMax])
      && (appHolds(tcb[row + Tcb.flags], push) || nagleHolds(tcb, row))) {
      // A short segment of new data ending the queue waits (the FIN never does). Only the
      // queue's tail waits: a short record with data queued behind it goes at once (Linux
      // pushes every skb but the last, tcp_write_xmit).
      break;
    }
    // Even after the FIN the loop goes on: in SACK recovery the pipe may still have room
    // for holes that wait until no new data is left (RFC 6675 §5, NextSeg rule 3, step
    // C.5); otherwise the next pass finds nothing to send and stops.
    if (!sendDataSegment(core, s, length, withFin)) break; // the link is busy: the persist timer retries
  }
}

/** The segment [seq, seq + length) ends at an end-of-record mark whose write pushed
 *  (had no MSG_MORE; only the latest mark's write is remembered, Flag.RecordMore). */
function endsPushedRecord(tcb: Int32Array, row: number, seq: number, length: number): boolean {
  if (toRecordEnd(tcb, row, seq) !== length) return false;
  return (tcb[row + Tcb.flags] & Flag.RecordMore) === 0 || seqAdd(seq, length) !== tcb[row + Tcb.recordEnd];
}

/** TCP_CORK, or MSG_MORE on the write that queued the data, holds a short segment
 *  whatever is in flight (tcp(7)), unless this output() is a push that lets it go. */
function appHolds(flags: number, push: Push): boolean {
  if (push === Push.All) return false;
  return (flags & Flag.Corked) !== 0 || (push === Push.None && (flags & Flag.More) !== 0);
}

/** Nagle (RFC 896) in Minshall's variant, as Linux has it: a short segment waits while an
 *  earlier short segment is unacknowledged, so a burst's tail still goes. */
function nagleHolds(tcb: Int32Array, row: number): boolean {
  return (tcb[row + Tcb.flags] & Flag.NoDelay) === 0 && seqGt(tcb[row + Tcb.smallEnd], tcb[row + Tcb.sndUna]);
}

/** The persist timer: when data waits and nothing is in flight, no ACK will come to
 *  restart sending. With a closed window it probes (RFC 9293 §3.8.6.1); with a window too
 *  small for SWS avoidance to use, it forces a segment out (RFC 1122 §4.2.3.4 override),
 *  and so it does a part segment the cork or MSG_MORE holds: the ceiling on corking
 *  (tcp(7)'s 200 ms; Linux's probe timer, at the RTO as here). With nothing in flight
 *  neither the retransmission timer nor a loss probe runs: the ACK that brings SND.UNA to
 *  SND.NXT stops both, and so does a timeout before going back. */
function armPersist(core: Core, s: number): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const waiting = unsentBytes(slots, s) > 0 || finPending(slots, s);
  if (waiting && tcb[row + Tcb.sndNxt] === tcb[row + Tcb.sndUna]) {
    if (!slots.running(s, Timer.Persist)) {
      if (tcb[row + Tcb.persistInterval] === 0) tcb[row + Tcb.persistInterval] = tcb[row + Tcb.rto];
      const firstProbe = (core.now + tcb[row + Tcb.persistInterval]) | 0;
      slots.arm(s, Timer.Persist, firstProbe);
      tcb[row + Tcb.stalledSince] = firstProbe; // the user timeout counts from the first probe (as Linux)
    }
  } else {
    stopPersist(slots, s);
  }
}

/** Nothing waits, or something is in flight (its ACK restarts sending): no probing. */
function stopPersist(slots: Slots, s: number): void {
  slots.disarm(s, Timer.Persist);
  slots.tcb[s * Tcb.ROW + Tcb.persistInterval] = 0;
}

/** Persist expiry with an open window: sends what fits in it, SWS avoidance, the cork and
 *  MSG_MORE overridden. The window is open at expiry if one of them held back a part
 *  segment (output() sends anything else that fits, the FIN too), so then it carries no
 *  FIN; or if the local link refused new data (sendDataSegment), and then the FIN goes
 *  with the last byte as output() would have sent it. It is pushed (PSH if it ends the
 *  queue, as Linux's probe sets it). False when the link refuses it again. */
export function forceSend(core: Core, s: number): boolean {
  const slots = core.slots;
  const tcb = slots.tcb;
  tcb[s * Tcb.ROW + Tcb.flags] &= ~Flag.More;
  // It may be the first data after an idle time, as sendQueued's (nothing is in flight
  // while the persist timer runs, but a timeout's go-back-N may leave SND.MAX ahead).
  const row = s * Tcb.ROW;
  if (tcb[row + Tcb.sndMax] === tcb[row + Tcb.sndUna]) idleRestart(core, s);
  const unsent = unsentBytes(slots, s);
  const length = cutAtRecordEnd(tcb, row, tcb[row + Tcb.sndNxt], Math.min(unsent, payloadRoom(slots, s), tcb[row + Tcb.sndWnd]));
  const fin = length === unsent && finPending(slots, s) && tcb[row + Tcb.sndWnd] > length;
  return sendDataSegment(core, s, length, fin);
}
