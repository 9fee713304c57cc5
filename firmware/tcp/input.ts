// Segment arrival (RFC 9293 §3.10.7): demultiplexing, then the checks in the RFC's order
// for each state: sequence number, RST, SYN, ACK, segment text, FIN. Nothing here throws;
// every refused segment is counted.
import {
  establish, finAcked, findConnection, findFreeSlot, freeSlot, ourFinAcked, peerFinArrives, pendingConnections,
  resetArrives, restartKeepalive, setState,
} from './connection';
import { Count } from './counters';
import { Core, Lst } from './core';
import {
  Push, output, peerSendMss, replyFor, retransmitFirst, sendChallengeAck, sendOutOfWindowAck, sendSynAck, transmit,
} from './output';
import { Event, Flag, Probes, State, Timer, Tcb } from './slots';
import { seqAdd, seqDiff, seqGt, seqLe, seqLt } from './seq';
import { holdRange, noteDuplicate, releaseHeld } from './reassembly';
import { dropRecordMarks, rxPut, txDrop } from './ring';
import { deliveryMark, duplicateAck, newAck, opened, recoveryAck, sackReassessed, ackSettled, sameAck, synAcknowledged } from './recovery';
import { nextIsn } from './isn';
import { checkCookie, makeCookie } from './syncookie';
import { TraceEvent, drop, traceDrop } from './trace';
import { ACK, DEFAULT_MSS, FIN, Out, RST, SYN, Seg, Segment, SynOption, WindowScale, seqLength } from './wire';

/** The smallest peer MSS used: room for 4 SACK blocks (36 bytes) and 28 bytes of data. */
const MIN_PEER_MSS = 64;

/** What the checks of segment arrival decided (RFC 9293 §3.10.7.4, in its order). */
const enum Verdict {
  /** Passed: on to the next check, and in the end to output(). */
  Continue,
  /** Dropped (counted where it was decided, or answered there). */
  Drop,
  /** Dropped, and answered with an ACK (rate limited, RFC 9293's "send an ACK and drop"
   *  for an unacceptable segment). */
  DropAndAck,
  /** Dropped, and answered with an RFC 5961 challenge ACK (rate limited). */
  Challenge,
  /** The connection ended while processing it: the slot may be free or reused. */
  Ended,
}

/** Handles core.segment, a valid TCP segment addressed to the stack. Returns the slot
 *  it was processed in, or -1: no other slot's events or held ACK change (see
 *  Stack.receive). */
export function segmentArrives(core: Core): number {
  const seg = core.segment;
  core.count[Count.segmentsIn]++;
  if (core.trace !== undefined) core.trace(TraceEvent.In, 0, seg);
  const s = findConnection(core, seg[Seg.srcAddr], seg[Seg.srcPort], seg[Seg.dstPort]);
  if (s >= 0) {
    connectionInput(core, s, seg);
    return s;
  }
  let isnFloor = 0;
  let reused = false;
  const tw = core.timeWait.find(seg[Seg.srcAddr], seg[Seg.srcPort], seg[Seg.dstPort]);
  if (tw >= 0) {
    if (!isNewIncarnation(core, tw, seg)) {
      timeWaitInput(core, tw, seg);
      return -1;
    }
    // RFC 9293 MAY-2 / RFC 1122 §4.2.2.13: a SYN above the old RCV.NXT reopens the
    // 4-tuple, with an ISN beyond anything the old connection could still have in flight.
    isnFloor = seqAdd(core.timeWait.sndNxt(tw), 65535 + 2);
    reused = true;
    core.timeWait.remove(tw);
    core.count[Count.timeWaitReused]++;
  }
  const l = core.listeners.find(seg[Seg.dstPort]);
  if (l >= 0) return listenInput(core, l, seg, reused, isnFloor);
  closedInput(core, seg);
  return -1;
}

/** RFC 9293 §3.10.7.1: a segment for no connection is answered with a reset. */
function closedInput(core: Core, seg: Segment): void {
  if (seg[Seg.flags] & RST) {
    drop(core, Count.droppedResets);
    return;
  }
  replyReset(core, seg, core.config.ttl); // no socket: the stack's TTL, TOS 0
}

/** <SEQ=SEG.ACK><CTL=RST> if the segment has an ACK, else
 *  <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; with IP TOS and TTL `tosTtl` (ipTosTtl). */
function replyReset(core: Core, seg: Segment, tosTtl: number): void {
  const o = seg[Seg.flags] & ACK ? replyFor(core, seg[Seg.ack], 0, RST, 0)
    : replyFor(core, 0, seqAdd(seg[Seg.seq], seqLength(seg)), RST | ACK, 0);
  o[Out.ip] = tosTtl;
  transmit(core);
}

/** RFC 9293 §3.10.7.2, LISTEN. Returns the slot opened, or -1. */
function listenInput(core: Core, l: number, seg: Segment, reused: boolean, isnFloor: number): number {
  if (seg[Seg.flags] & RST) {
    drop(core, Count.droppedResets);
    return -1;
  }
  if (seg[Seg.flags] & ACK) {
    // Cookies are checked only after a recent overflow (as Linux's
    // tcp_synq_no_recent_overflow): with none sent that could still be valid, an ACK is
    // answered as for no connection, and no SipHash is spent on it.
    if (!(seg[Seg.flags] & SYN) && cookiesRecent(core)) {
      const mss = checkCookie(core.hash, core.now, core.localAddr, seg);
      if (mss !== 0) return cookieInput(core, l, seg, mss);
      if (seg[Seg.dataLength] > 0) {
        // A client answered by cookie sends more than one segment before its first is
        // accepted; if that first found no free slot, the others cannot prove the cookie
        // (it binds the first sequence number). A RST would kill a connection the client
        // believes is open; dropped, they come again behind the first, which will prove it.
        drop(core, Count.droppedCookieFollowers);
        return -1;
      }
    }
    replyReset(core, seg, core.listeners.table[l * Lst.ROW + Lst.ipTosTtl]); // the listener answers
    return -1;
  }
  // No SYN, or SYN with FIN unless config.acceptSynFin (a scanner's probe; Linux drops it
  // too). An accepted SYN+FIN is a plain SYN: openConnection() takes only its sequence number.
  if (!(seg[Seg.flags] & SYN) || ((seg[Seg.flags] & FIN) && !core.config.acceptSynFin)) {
    drop(core, Count.droppedBadFlags);
    return -1;
  }
  const free = slotFor(core, l);
  if (free < 0) return -1;
  if (halfOpenConnections(core) >= core.config.halfOpenLimit) {
    sendCookieSynAck(core, l, seg);
    return -1;
  }
  let iss = nextIsn(core.hash, core.now, core.localAddr, seg);
  if (reused && seqLt(iss, isnFloor)) iss = isnFloor;
  const s = openConnection(core, free, l, iss, seqAdd(seg[Seg.seq], 1), seg[Seg.mss] > 0 ? seg[Seg.mss] : DEFAULT_MSS);
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  core.count[Count.passiveOpens]++;
  sendSynAck(core, s);
  core.slots.arm(s, Timer.Retransmit, (core.now + tcb[row + Tcb.rto]) | 0);
  return s;
}

/** A new connection needs room in the listener's accept queue (connections not yet
 *  accepted; half-open ones are bounded apart by halfOpenLimit) and a free slot: returns
 *  the slot, or -1 (the segment is dropped and counted). */
function slotFor(core: Core, l: number): number {
  if (pendingConnections(core, l) >= core.listeners.table[l * Lst.ROW + Lst.backlog]) {
    drop(core, Count.droppedBacklogFull);
    return -1;
  }
  const s = findFreeSlot(core);
  if (s < 0) drop(core, Count.droppedSlotsFull);
  return s;
}

function halfOpenConnections(core: Core): number {
  const slots = core.slots.count;
  const tcb = core.slots.tcb;
  let count = 0;
  for (let row = 0; row < slots * Tcb.ROW; row += Tcb.ROW) if (tcb[row + Tcb.state] === State.SynReceived) count++;
  return count;
}

/** The MSS option of listener l's SYN-ACKs: none (0) with TCP_NOOPT, else its MSS. */
function offeredMss(core: Core, l: number): number {
  return core.listeners.table[l * Lst.ROW + Lst.noOptions] ? 0 : listenerMss(core, l);
}

/** The MSS listener l's connections offer: its TCP_MAXSEG, else config.mss. */
function listenerMss(core: Core, l: number): number {
  const mss = core.listeners.table[l * Lst.ROW + Lst.mss];
  return mss > 0 ? mss : core.config.mss;
}

/** The half-open limit is reached: answer with a SYN cookie and keep nothing. */
function sendCookieSynAck(core: Core, l: number, seg: Segment): void {
  const config = core.config;
  const cookie = makeCookie(core.hash, core.now, core.localAddr, seg, seg[Seg.mss] > 0 ? seg[Seg.mss] : DEFAULT_MSS);
  core.count[Count.synCookiesSent]++;
  core.cookiesSent = true;
  core.lastCookieAt = core.now;
  const o = replyFor(core, cookie, seqAdd(seg[Seg.seq], 1), SYN | ACK, Math.min(config.rxBytes, 65535));
  o[Out.mss] = offeredMss(core, l);
  o[Out.ip] = core.listeners.table[l * Lst.ROW + Lst.ipTosTtl];
  transmit(core);
}

/** A cookie sent may still come back valid: the last one went out in this clock count
 *  or the one before (checkCookie's lifetime, 65.5 to 131 s), not longer ago. A gap of
 *  2^31 ms or more reads negative: long ago, as in sendChallengeAck. Once found stale
 *  the state is dropped, so a later wrap cannot revive it. */
function cookiesRecent(core: Core): boolean {
  if (!core.cookiesSent) return false;
  const elapsed = (core.now - core.lastCookieAt) | 0;
  if (elapsed >= 0 && (((core.now >>> 16) - (core.lastCookieAt >>> 16)) & 0xffff) <= 1) return true;
  core.cookiesSent = false;
  return false;
}

/** An ACK at a listener, while cookiesRecent(), that returns one of our SYN cookies
 *  (checkCookie() gave the `mss` it carries) opens the connection then, and the segment
 *  (which may carry data or a FIN) is processed in it. Returns the slot, or -1 when none
 *  is free (the segment is dropped: the client's next one carries the same proof). */
function cookieInput(core: Core, l: number, seg: Segment, mss: number): number {
  const free = slotFor(core, l);
  if (free < 0) return -1;
  core.count[Count.synCookiesAccepted]++;
  core.count[Count.passiveOpens]++;
  const s = openConnection(core, free, l, seqAdd(seg[Seg.ack], -1), seg[Seg.seq], mss);
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  tcb[row + Tcb.flags] &= ~Flag.Timing; // no RTT sample: our SYN-ACK's send time is not kept
  connectionInput(core, s, seg);
  return s;
}

/** Fills free slot s for a connection in SYN-RECEIVED: our SYN (ISN `iss`) sent, the
 *  peer's next sequence number `rcvNxt`. Data on a SYN is not accepted (not ACKed); the
 *  peer sends it again after the handshake. Returns s. */
function openConnection(core: Core, s: number, l: number, iss: number, rcvNxt: number, peerMss: number): number {
  const seg = core.segment;
  const slots = core.slots;
  const config = core.config;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  slots.reset(s);
  setState(core, s, State.SynReceived);
  tcb[row + Tcb.listener] = l;
  tcb[row + Tcb.remoteAddr] = seg[Seg.srcAddr];
  tcb[row + Tcb.ports] = (seg[Seg.dstPort] << 16) | seg[Seg.srcPort];
  const listeners = core.listeners.table;
  if (listeners[l * Lst.ROW + Lst.noDelay]) tcb[row + Tcb.flags] |= Flag.NoDelay;
  if (listeners[l * Lst.ROW + Lst.noOptions]) tcb[row + Tcb.flags] |= Flag.NoOptions;
  tcb[row + Tcb.keepIdle] = listeners[l * Lst.ROW + Lst.keepIdle];
  tcb[row + Tcb.keepInterval] = listeners[l * Lst.ROW + Lst.keepInterval];
  tcb[row + Tcb.probes] = (listeners[l * Lst.ROW + Lst.keepCount] & 0xff) << Probes.Allowed;
  tcb[row + Tcb.userTimeout] = listeners[l * Lst.ROW + Lst.userTimeout];
  tcb[row + Tcb.tosTtlMss] = (listenerMss(core, l) << 16) | listeners[l * Lst.ROW + Lst.ipTosTtl];
  tcb[row + Tcb.iss] = iss;
  tcb[row + Tcb.sndUna] = iss;
  tcb[row + Tcb.sndNxt] = seqAdd(iss, 1);
  tcb[row + Tcb.sndMax] = seqAdd(iss, 1);
  tcb[row + Tcb.smallEnd] = iss;
  tcb[row + Tcb.sndWnd] = seg[Seg.window];
  tcb[row + Tcb.maxSndWnd] = seg[Seg.window];
  tcb[row + Tcb.sndWl1] = seg[Seg.seq];
  tcb[row + Tcb.sndWl2] = 0;
  tcb[row + Tcb.irs] = seqAdd(rcvNxt, -1);
  tcb[row + Tcb.rcvNxt] = rcvNxt;
  tcb[row + Tcb.rcvAdv] = seqAdd(rcvNxt, Math.min(slots.rxBytes, 65535)); // as the SYN-ACK offers
  // A floor under the peer's MSS (Linux has one too): a tiny MSS would leave no room for
  // data beside the SACK option, and is no use to an honest peer.
  tcb[row + Tcb.mss] = Math.min(Math.max(peerMss, MIN_PEER_MSS), tcb[row + Tcb.tosTtlMss] >>> 16);
  opened(core, s);
  // RFC 2018: SACK only if the client's SYN offered it (not for a SYN-cookie open: the
  // cookie does not keep the SYN's options), and not under TCP_NOOPT.
  const synOptions = (seg[Seg.flags] & SYN) && !(tcb[row + Tcb.flags] & Flag.NoOptions) ? seg[Seg.synOptions] : 0;
  if (config.sack && (synOptions & SynOption.SackPermitted)) tcb[row + Tcb.flags] |= Flag.Sack;
  // RFC 7323 §2.2: window scaling likewise, only if the SYN offered it; the SYN-ACK then
  // answers with a shift of 0 (our window never exceeds 65535: config.rxBytes).
  tcb[row + Tcb.probes] |= ((synOptions >>> SynOption.WINDOW_SCALE_AT) & 0xff) << Probes.WindowScale;
  // The SYN-ACK is timed from now; synAcknowledged takes its sample and ends the timing
  // (so rttSeq, which only data's timing uses, is not needed).
  tcb[row + Tcb.flags] |= Flag.Timing;
  tcb[row + Tcb.rttStart] = core.now;
  tcb[row + Tcb.oowAckAt] = (core.now - 1000) | 0; // the first out-of-window ACK is never held
  return s;
}

/** A SYN for a 4-tuple in TIME-WAIT starts a new connection only if its sequence number
 *  is above the old connection's RCV.NXT. */
function isNewIncarnation(core: Core, tw: number, seg: Segment): boolean {
  return (seg[Seg.flags] & (SYN | RST | ACK)) === SYN && seqGt(seg[Seg.seq], core.timeWait.rcvNxt(tw));
}

/** TIME-WAIT record input. RST is ignored (RFC 1337); a FIN is re-ACKed and restarts the
 *  2MSL wait; a bare ACK at RCV.NXT is dropped (answering it could start an ACK loop with
 *  a peer also in TIME-WAIT); anything else is answered with an ACK. */
function timeWaitInput(core: Core, tw: number, seg: Segment): void {
  const table = core.timeWait;
  const count = core.count;
  if (seg[Seg.flags] & RST) {
    drop(core, Count.droppedResets);
    return;
  }
  if (seg[Seg.flags] & FIN) {
    table.refresh(tw, (core.now + 2 * core.config.mslMs) | 0);
  } else if (seqLength(seg) === 0 && seg[Seg.seq] === table.rcvNxt(tw) && !(seg[Seg.flags] & SYN)) {
    drop(core, Count.droppedTimeWaitAcks);
    return;
  }
  count[Count.timeWaitReacks]++;
  replyFor(core, table.sndNxt(tw), table.rcvNxt(tw), ACK, Math.min(core.config.rxBytes, 65535));
  transmit(core);
}

/** RFC 9293's acceptability test against the window we advertised. */
function acceptable(core: Core, s: number, seg: Segment): boolean {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  const rcvNxt = tcb[row + Tcb.rcvNxt];
  const advertised = seqDiff(tcb[row + Tcb.rcvAdv], rcvNxt);
  const window = advertised > 0 ? advertised : 0;
  const length = seqLength(seg);
  // Where the segment starts, as a distance from RCV.NXT: the window being far below
  // 2^31, "0 <= start < window" is RFC 9293's RCV.NXT =< SEG.SEQ < RCV.NXT + RCV.WND.
  const start = seqDiff(seg[Seg.seq], rcvNxt);
  if (length === 0) return window === 0 ? start === 0 : start >= 0 && start < window;
  // A bare FIN at RCV.NXT is taken even into a zero window, as Linux does: it needs no
  // buffer, and refusing it would leave the peer retransmitting it until the app reads.
  if (window === 0) return length === 1 && (seg[Seg.flags] & FIN) !== 0 && start === 0;
  if (start >= 0 && start < window) return true;
  const last = seqAdd(start, length - 1); // its last octet
  return last >= 0 && last < window;
}

/** A segment for a connection in a slot (SYN-RECEIVED and every synchronized state):
 *  the checks decide, then the answer they asked for goes out. An arriving segment
 *  pushes what MSG_MORE held (Linux sends on every ACK with the socket's own setting). */
function connectionInput(core: Core, s: number, seg: Segment): void {
  // RFC 7323 §2.2-2.3: the peer's window is scaled in every segment but a SYN (a retransmitted
  // SYN's window is not used).
  if (!(seg[Seg.flags] & SYN)) seg[Seg.window] <<= peerWindowShift(core.slots.tcb, s * Tcb.ROW);
  switch (checkSegment(core, s, seg)) {
    case Verdict.Continue:
      output(core, s, true, Push.More);
      break;
    case Verdict.DropAndAck:
      sendOutOfWindowAck(core, s);
      core.slots.tcb[s * Tcb.ROW + Tcb.flags] &= ~Flag.Dsack; // reported now or never
      break;
    case Verdict.Challenge:
      traceDrop(core, Count.challengeAcks);
      sendChallengeAck(core, s);
      break;
  }
}

/** The shift count the peer's windows are scaled by: its Window Scale option's if the
 *  connection agreed to scaling, else 0. */
function peerWindowShift(tcb: Int32Array, row: number): number {
  return (tcb[row + Tcb.probes] >>> Probes.WindowScale) & WindowScale.SHIFT_MASK;
}

/** RFC 9293 §3.10.7.4's checks, top to bottom; each one passes the segment on or ends
 *  its processing with a verdict. */
function checkSegment(core: Core, s: number, seg: Segment): Verdict {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  const state = tcb[row + Tcb.state];
  if (state === State.Closed) {
    // Dead, the app not yet told by close(): behave as if no connection existed.
    closedInput(core, seg);
    return Verdict.Drop;
  }

  // A retransmitted SYN while ours is unacknowledged: send the SYN-ACK again.
  if (state === State.SynReceived && (seg[Seg.flags] & (SYN | RST | ACK)) === SYN && seg[Seg.seq] === tcb[row + Tcb.irs]) {
    sendSynAck(core, s);
    core.count[Count.retransmittedSegments]++;
    return Verdict.Drop;
  }

  // First: the sequence number.
  if (!acceptable(core, s, seg)) return unacceptable(core, s, seg);

  // Second: RST (RFC 5961 §3.2: only an exact match resets; in-window is challenged).
  if (seg[Seg.flags] & RST) {
    if (seg[Seg.seq] !== tcb[row + Tcb.rcvNxt]) return Verdict.Challenge;
    resetArrives(core, s);
    return Verdict.Ended;
  }

  // Fourth: SYN (RFC 5961 §4.2: challenge ACK in a synchronized state).
  if (seg[Seg.flags] & SYN) {
    if (state !== State.SynReceived) return Verdict.Challenge;
    freeSlot(core, s);
    return Verdict.Ended;
  }

  // Fifth: ACK.
  if (!(seg[Seg.flags] & ACK)) {
    drop(core, Count.droppedNoAck);
    return Verdict.Drop;
  }
  if (state === State.SynReceived && !synAcked(core, s, seg)) return Verdict.Drop;
  const verdict = ackInput(core, s, seg);
  if (verdict !== Verdict.Continue) return verdict;

  // Seventh and eighth: segment text and FIN.
  if (seg[Seg.dataLength] > 0 || (seg[Seg.flags] & FIN)) return textInput(core, s, seg);
  return Verdict.Continue;
}

/** First check failed: a RST is dropped; anything else is answered with an ACK. */
function unacceptable(core: Core, s: number, seg: Segment): Verdict {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const state = tcb[row + Tcb.state];
  if (seg[Seg.flags] & RST) {
    drop(core, Count.droppedResets);
    return Verdict.Drop;
  }
  drop(core, Count.droppedOutOfWindow);
  if (state === State.TimeWait && (seg[Seg.flags] & FIN)) slots.arm(s, Timer.Close, (core.now + 2 * core.config.mslMs) | 0);
  // Data from below RCV.NXT: a duplicate, which the ACK reports (RFC 2883 §4), if the
  // rate limit lets it go (the block is not kept for a later ACK).
  if (state !== State.SynReceived && (tcb[row + Tcb.flags] & Flag.Sack) && seg[Seg.dataLength] > 0
    && seqLt(seg[Seg.seq], tcb[row + Tcb.rcvNxt])) {
    noteDuplicate(slots, s, seg[Seg.seq], seqAdd(seg[Seg.seq], seg[Seg.dataLength]));
  }
  return Verdict.DropAndAck;
}

/** SYN-RECEIVED: an ACK of our SYN establishes the connection; anything else gets a
 *  reset (and the segment is dropped: false). */
function synAcked(core: Core, s: number, seg: Segment): boolean {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  if (seg[Seg.ack] !== tcb[row + Tcb.sndNxt]) {
    replyFor(core, seg[Seg.ack], 0, RST, 0)[Out.ip] = tcb[row + Tcb.tosTtlMss] & 0xffff;
    transmit(core);
    return false;
  }
  tcb[row + Tcb.sndUna] = seg[Seg.ack];
  // SND.WND and MAX.SND.WND are taken from this segment by ackInput's window update, which
  // always follows for it: SND.WL1 and SND.WL2 set to it let the update through.
  tcb[row + Tcb.sndWl1] = seg[Seg.seq];
  tcb[row + Tcb.sndWl2] = seg[Seg.ack];
  slots.disarm(s, Timer.Retransmit);
  synAcknowledged(core, s);
  establish(core, s);
  return true;
}

/** The ACK field (RFC 9293 §3.10.7.4 fifth check, RFC 5961 §5). */
function ackInput(core: Core, s: number, seg: Segment): Verdict {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const ack = seg[Seg.ack];
  // How far the ACK moves SND.UNA (0: a duplicate or a window update; negative: old).
  const acked = seqDiff(ack, tcb[row + Tcb.sndUna]);
  if (seqGt(ack, tcb[row + Tcb.sndMax])) return Verdict.Challenge; // acknowledges something never sent
  if (seqAdd(acked, tcb[row + Tcb.maxSndWnd]) < 0) return Verdict.Challenge; // older than SND.UNA - MAX.SND.WND: blind injection
  // The segment passed every check a blind or stale one fails (sequence number, RST,
  // SYN, ACK range): the peer is alive. Only now do the keepalive idle time restart and
  // both probe counts start again; a segment dropped before this proves nothing.
  tcb[row + Tcb.probes] &= ~(0xff << Probes.Persist);
  restartKeepalive(core, s);
  if (seqGt(ack, tcb[row + Tcb.sndNxt])) tcb[row + Tcb.sndNxt] = ack; // acks data sent before a go-back-N
  const sack = (tcb[row + Tcb.flags] & Flag.Sack) !== 0;
  const cubic = core.config.congestion === 'cubic';
  const mark = cubic ? deliveryMark(slots, s) : 0; // what this ACK delivers, for CUBIC and PRR
  let entered = false; // recovery began with this ACK
  if (acked > 0) {
    sndUnaAdvances(core, s, ack, acked, seg, mark);
  } else {
    // Any ACK's SACK blocks go on the scoreboard, one older than SND.UNA's too (RFC 6675
    // §5: "upon the receipt of any ACK containing SACK information"): an ACK reordered
    // behind a later one still tells what arrived.
    sameAck(core, s, seg); // records SACK blocks only under Flag.Sack (its own test)
    if (acked === 0 && seqLength(seg) === 0 && seg[Seg.window] === tcb[row + Tcb.sndWnd] && tcb[row + Tcb.sndNxt] !== ack
      && duplicateAck(core, s, mark)) {
      retransmitFirst(core, s);
      entered = true;
    }
  }
  // With SACK the scoreboard alone may show a loss (a window that changes makes ACKs that
  // are not duplicates).
  if (sack && sackReassessed(core, s, mark)) {
    retransmitFirst(core, s);
    entered = true;
  }
  if (cubic && !entered) recoveryAck(core, s, mark, acked > 0);
  // Window update, from segments no older than the last one that updated it (SND.UNA is
  // the ACK now if it is not older).
  if (acked >= 0 && (seqLt(tcb[row + Tcb.sndWl1], seg[Seg.seq])
    || (tcb[row + Tcb.sndWl1] === seg[Seg.seq] && seqLe(tcb[row + Tcb.sndWl2], ack)))) {
    tcb[row + Tcb.sndWnd] = seg[Seg.window];
    tcb[row + Tcb.sndWl1] = seg[Seg.seq];
    tcb[row + Tcb.sndWl2] = ack;
    if (seg[Seg.window] > tcb[row + Tcb.maxSndWnd]) tcb[row + Tcb.maxSndWnd] = seg[Seg.window];
  }

  if (!finAcked(core, s)) return Verdict.Continue;
  return ourFinAcked(core, s) ? Verdict.Continue : Verdict.Ended;
}

/** SND.UNA advances: drop acknowledged bytes, and tell loss recovery (which may want
 *  the next segment resent at once). */
function sndUnaAdvances(core: Core, s: number, ack: number, acked: number, seg: Segment, mark: number): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const dataAcked = acked < tcb[row + Tcb.txLength] ? acked : tcb[row + Tcb.txLength];
  txDrop(slots, s, dataAcked);
  tcb[row + Tcb.sndUna] = ack;
  dropRecordMarks(slots, s);
  tcb[row + Tcb.retries] = 0;
  const resend = newAck(core, s, ack, acked, seg, mark); // before dupAcks goes: it counts what they reported
  tcb[row + Tcb.dupAcks] = 0;
  if (resend) retransmitFirst(core, s);
  ackSettled(core, s, ack, seg);
  if (dataAcked > 0) tcb[row + Tcb.flags] |= Event.Writable;
}

/** Segment text and FIN (RFC 9293 seventh and eighth checks). */
function textInput(core: Core, s: number, seg: Segment): Verdict {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const state = tcb[row + Tcb.state];
  // After the peer's FIN nothing more can come: CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT.
  if (state !== State.Established && state !== State.FinWait1 && state !== State.FinWait2) return Verdict.Continue;
  const rcvNxt = tcb[row + Tcb.rcvNxt];
  const dataLength = seg[Seg.dataLength];
  // Where the segment starts, as a distance from RCV.NXT (positive: out of order).
  const ahead = seqDiff(seg[Seg.seq], rcvNxt);
  if (dataLength > 0 && seqAdd(ahead, dataLength) > 0 && (tcb[row + Tcb.flags] & Flag.AppClosed)) {
    // New data, and nobody will ever read it: tell the peer at once (RFC 9293 §3.10.7.4
    // seventh check for a closed receiver; RFC 2525 §2.17). The reset answers this segment
    // (<SEQ=SEG.ACK><CTL=RST>, as Linux): SEG.ACK is the peer's RCV.NXT, the one sequence
    // number an RFC 5961 peer accepts a reset at, even while our FIN is still unacknowledged
    // and SND.NXT past it.
    core.count[Count.resetsOnDataAfterClose]++;
    replyReset(core, seg, tcb[row + Tcb.tosTtlMss] & 0xffff); // with the connection's TOS and TTL
    freeSlot(core, s);
    return Verdict.Ended;
  }
  // Data we already have, below RCV.NXT or held out of order: reported as a D-SACK block
  // (RFC 2883 §4) in an ACK sent at once, as FreeBSD does, before the next in-order
  // segment's ACK would have to go without it.
  if ((tcb[row + Tcb.flags] & Flag.Sack) && dataLength > 0
    && noteDuplicate(slots, s, seg[Seg.seq], seqAdd(seg[Seg.seq], dataLength))) {
    tcb[row + Tcb.flags] |= Flag.AckNow;
  }
  if (ahead > 0) {
    outOfOrderInput(core, s, seg);
    return Verdict.Continue;
  }
  const skip = -ahead; // bytes we already have (acceptable() keeps them below the segment's length)
  const newBytes = dataLength - skip;
  if (newBytes > 0) {
    // At least 1: acceptable() lets data in only through an open window.
    const room = seqDiff(tcb[row + Tcb.rcvAdv], rcvNxt);
    const taken = newBytes < room ? newBytes : room;
    rxPut(core, s, 0, seg[Seg.dataOffset] + skip, taken);
    tcb[row + Tcb.rxLength] += taken;
    tcb[row + Tcb.rcvNxt] = seqAdd(rcvNxt, taken);
    // Held data the hole was keeping back (none, 0, when nothing is held).
    tcb[row + Tcb.rxLength] += releaseHeld(slots, s);
    tcb[row + Tcb.flags] |= Event.Readable;
    if (taken < newBytes || (tcb[row + Tcb.flags] & Flag.HolePending)) {
      // Part beyond the window was dropped, or this fills a hole: the sender needs to know now.
      tcb[row + Tcb.flags] |= Flag.AckNow;
      if (tcb[row + Tcb.heldCount] > 0) tcb[row + Tcb.flags] |= Flag.HolePending;
      else tcb[row + Tcb.flags] &= ~Flag.HolePending;
    } else {
      scheduleAck(core, s);
    }
  }
  // The FIN counts when everything before it has arrived: this segment's, or one held
  // out of order that RCV.NXT has now reached (processed as if it had just come). A held
  // FIN's flag may stay set once the FIN counts: it is read only here, in ESTABLISHED and
  // FIN-WAIT-1/2, and the FIN moves the connection out of those for good.
  if ((seg[Seg.flags] & FIN) && seqAdd(seg[Seg.seq], seg[Seg.dataLength]) === tcb[row + Tcb.rcvNxt]) {
    peerFinArrives(core, s);
  } else if (tcb[row + Tcb.flags] & Flag.FinHeld) {
    const heldFin = tcb[row + Tcb.finRcvSeq];
    if (heldFin === tcb[row + Tcb.rcvNxt]) {
      peerFinArrives(core, s);
    } else if (seqGt(tcb[row + Tcb.rcvNxt], heldFin)) {
      tcb[row + Tcb.flags] &= ~Flag.FinHeld; // data beyond the peer's own FIN: it was no FIN
    }
  }
  return tcb[row + Tcb.state] === State.Free ? Verdict.Ended : Verdict.Continue;
}

/** Data beyond RCV.NXT within the window: placed in the ring where it belongs and held
 *  until the hole before it is filled (reassembly.ts); a duplicate ACK tells the peer
 *  where the hole is. A FIN on such a segment is held too (its sequence number and a
 *  flag) if all the segment's data was, and counts when RCV.NXT reaches it (textInput). */
function outOfOrderInput(core: Core, s: number, seg: Segment): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const rcvNxt = tcb[row + Tcb.rcvNxt];
  const windowEnd = tcb[row + Tcb.rcvAdv];
  const end = seqLt(seqAdd(seg[Seg.seq], seg[Seg.dataLength]), windowEnd) ? seqAdd(seg[Seg.seq], seg[Seg.dataLength]) : windowEnd;
  const length = seqDiff(end, seg[Seg.seq]);
  const held = length > 0 && holdRange(slots, s, seg[Seg.seq], end);
  if (held) {
    rxPut(core, s, seqDiff(seg[Seg.seq], rcvNxt), seg[Seg.dataOffset], length);
    core.count[Count.outOfOrderHeld]++;
  } else if (length > 0) {
    // No range left for it. (length is 0 only for a bare FIN, held below: acceptable()
    // lets data in only with a byte inside the window.)
    drop(core, Count.droppedOutOfOrder);
  }
  // The FIN is held if nothing before it in this segment was lost: all its data held
  // (none cut at the window's edge), or none to hold (a bare FIN within the window).
  if ((seg[Seg.flags] & FIN) && length === seg[Seg.dataLength] && (held || length === 0)) {
    tcb[row + Tcb.flags] |= Flag.FinHeld;
    tcb[row + Tcb.finRcvSeq] = end;
    if (length === 0) core.count[Count.outOfOrderHeld]++;
  }
  tcb[row + Tcb.flags] |= Flag.AckNow | Flag.HolePending;
}
/** Delayed ACK (RFC 1122 §4.2.3.2, RFC 9293 §3.8.6.3): at least every second segment, and
 *  never later than delayedAckMs; at once while the connection's first config.quickAcks
 *  MSS of data arrive (the MSS the peer sends with: peerSendMss). */
function scheduleAck(core: Core, s: number): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const config = core.config;
  // Data bytes received so far (RCV.NXT past the SYN's number), mod 2^32: unsigned, as a
  // signed distance past 2^31 would read negative and bring quick ACKs back for 2 GiB.
  const received = seqDiff(tcb[row + Tcb.rcvNxt], seqAdd(tcb[row + Tcb.irs], 1)) >>> 0;
  const flags = tcb[row + Tcb.flags];
  tcb[row + Tcb.flags] = flags | Flag.AckOwed;
  if ((flags & Flag.AckOwed) !== 0 || config.delayedAckMs === 0
    || (config.quickAcks !== 0 && received <= config.quickAcks * peerSendMss(tcb, row))) {
    tcb[row + Tcb.flags] |= Flag.AckNow;
  } else {
    // The first segment not yet ACKed, so the timer is idle: it runs only while one is
    // owed (ackSent() stops it as it clears AckOwed).
    slots.arm(s, Timer.DelayedAck, (core.now + core.config.delayedAckMs) | 0);
  }
}
