// The connection state machine (RFC 9293 §3.3.2), in one place. Every change of a slot's
// state goes through setState(), which checks the edge against the RFC's diagram; the
// steps that change state are named here, whoever triggers them: segment arrival
// (input.ts), a timer (timers.ts) or the app (stack.ts). Sending is output.ts's, and loss
// recovery recovery.ts's: the steps here call into them, never the other way round.
import { Count } from './counters';
import { ConnectionError, Core, Lst } from './core';
import { output, peerSendMss, sendAck, sendReset } from './output';
import { Event, Flag, Probes, Slots, State, Timer, Tcb, stateNames } from './slots';
import { rxDrop } from './ring';
import { drop } from './trace';
import { seqAdd, seqDiff } from './seq';

/** The edges of RFC 9293's state diagram a listener-side connection may take: bit
 *  `1 << to` of EDGES[from]. FREE stands for both LISTEN (a slot not yet used) and the
 *  end of every path; CLOSED is slotcp's "dead, but the app still holds the handle". */
const EDGES: readonly number[] = [
  /* FREE         */ 1 << State.SynReceived,
  /* SYN-RECEIVED */ 1 << State.Established | 1 << State.Free,
  /* ESTABLISHED  */ 1 << State.FinWait1 | 1 << State.CloseWait | 1 << State.Free,
  /* CLOSE-WAIT   */ 1 << State.LastAck | 1 << State.Free,
  /* LAST-ACK     */ 1 << State.Closed | 1 << State.Free,
  /* FIN-WAIT-1   */ 1 << State.FinWait2 | 1 << State.Closing | 1 << State.Free,
  /* FIN-WAIT-2   */ 1 << State.TimeWait | 1 << State.Free,
  /* CLOSING      */ 1 << State.TimeWait | 1 << State.Free,
  /* TIME-WAIT    */ 1 << State.Closed | 1 << State.Free,
  /* CLOSED       */ 1 << State.Free,
];

/** The strict switch is a property of the global object, not a module variable: Moddable
 *  freezes a preloaded module's variables. */
const STRICT = Symbol.for('slotcp.strictTransitions');

/** Makes an illegal edge throw (the test harnesses turn this on). Off, as in production,
 *  an illegal edge is counted (Count.illegalTransitions) and taken anyway: the slot stays
 *  in a state every path knows how to leave (timers, close, abort), and a board keeps
 *  serving its other connections rather than dying on an engine bug mid-packet. */
export function strictTransitions(on: boolean): void {
  (globalThis as Record<symbol, unknown>)[STRICT] = on;
}

/** Moves slot s to state `to`: the one place a state is written. */
export function setState(core: Core, s: number, to: State): void {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  const from = tcb[row + Tcb.state];
  if ((EDGES[from] & (1 << to)) === 0) illegalTransition(core, from, to);
  tcb[row + Tcb.state] = to;
}

function illegalTransition(core: Core, from: number, to: number): void {
  core.count[Count.illegalTransitions]++;
  if ((globalThis as Record<symbol, unknown>)[STRICT] === true) throw new Error(`slotcp: illegal state transition ${stateNames[from]} -> ${stateNames[to]}`);
}

/** A free slot, or -1. */
export function findFreeSlot(core: Core): number {
  const count = core.slots.count;
  const tcb = core.slots.tcb;
  for (let s = 0; s < count; s++) {
    if (tcb[s * Tcb.ROW + Tcb.state] === State.Free) return s;
  }
  return -1;
}

/** The slot holding this 4-tuple, or -1. */
export function findConnection(core: Core, remoteAddr: number, remotePort: number, localPort: number): number {
  const count = core.slots.count;
  const tcb = core.slots.tcb;
  const ports = (localPort << 16) | remotePort;
  for (let s = 0, row = 0; s < count; s++, row += Tcb.ROW) {
    if (tcb[row + Tcb.ports] === ports
      && tcb[row + Tcb.remoteAddr] === remoteAddr && tcb[row + Tcb.state] !== State.Free) return s;
  }
  return -1;
}

/** Connections of listener l established but not yet accepted by the app (half-open ones
 *  are bounded apart, by halfOpenLimit). */
export function pendingConnections(core: Core, l: number): number {
  const slots = core.slots.count;
  const tcb = core.slots.tcb;
  let count = 0;
  for (let s = 0, row = 0; s < slots; s++, row += Tcb.ROW) {
    const state = tcb[row + Tcb.state];
    if (state === State.Free || state === State.SynReceived || tcb[row + Tcb.listener] !== l || (tcb[row + Tcb.flags] & Flag.Accepted)) continue;
    count++;
  }
  return count;
}

/** Any state → FREE: the slot is reset for the next connection. */
export function freeSlot(core: Core, s: number): void {
  setState(core, s, State.Free);
  core.slots.reset(s);
}

/** Ends a connection abnormally. The app hears of it only if it holds the connection. */
export function killConnection(core: Core, s: number, error: ConnectionError): void {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  const held = (tcb[row + Tcb.flags] & (Flag.Accepted | Flag.AppClosed)) === Flag.Accepted;
  const handle = core.handleOf(s);
  freeSlot(core, s);
  if (held) core.events.error(handle, error);
}

/** Queues our FIN after the data already queued (RFC 9293 CLOSE: FIN-WAIT-1 / LAST-ACK). */
export function queueFin(core: Core, s: number): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  if (tcb[row + Tcb.flags] & Flag.FinQueued) return;
  tcb[row + Tcb.flags] |= Flag.FinQueued;
  tcb[row + Tcb.finSeq] = seqAdd(tcb[row + Tcb.sndUna], tcb[row + Tcb.txLength]);
  // Only ESTABLISHED and CLOSE-WAIT are without our FIN: every later state has it queued.
  if (tcb[row + Tcb.state] === State.Established) setState(core, s, State.FinWait1);
  else setState(core, s, State.LastAck);
}

/** True once our FIN has been sent and acknowledged. */
export function finAcked(core: Core, s: number): boolean {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  return (tcb[row + Tcb.flags] & Flag.FinQueued) !== 0 && tcb[row + Tcb.sndUna] === seqAdd(tcb[row + Tcb.finSeq], 1);
}

/** Arms (or disarms) the keepalive timer after activity on slot s. */
export function restartKeepalive(core: Core, s: number): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const idle = tcb[row + Tcb.keepIdle];
  tcb[row + Tcb.probes] &= ~(0xff << Probes.Keepalive);
  const state = tcb[row + Tcb.state];
  if (idle > 0 && (state === State.Established || state === State.CloseWait)) {
    slots.arm(s, Timer.Keepalive, (core.now + idle) | 0);
  } else {
    slots.disarm(s, Timer.Keepalive);
  }
}

/** TIME-WAIT: if the app still holds the socket (after a half-close) the slot stays in
 *  TIME-WAIT until the app closes it; otherwise the slot is freed at once and a compact
 *  record keeps the 4-tuple for 2MSL. No other timer of the slot runs by now: the ACK of
 *  our FIN stopped the retransmission and loss-probe timers (ackSettled) and the persist
 *  timer (ourFinAcked), the segment that brings us here stopped the keepalive
 *  (restartKeepalive, outside ESTABLISHED and CLOSE-WAIT), and the ACK of the peer's FIN
 *  has gone out, which ends a delayed ACK. CLOSED after LAST-ACK is the same. */
export function enterTimeWait(core: Core, s: number): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  core.count[Count.timeWaitEntered]++;
  const expiresAt = (core.now + 2 * core.config.mslMs) | 0;
  if ((tcb[row + Tcb.flags] & (Flag.Accepted | Flag.AppClosed)) === Flag.Accepted) {
    slots.disarm(s, Timer.Retransmit);
    slots.disarm(s, Timer.Persist);
    slots.disarm(s, Timer.Keepalive);
    slots.disarm(s, Timer.DelayedAck);
    setState(core, s, State.TimeWait);
    slots.arm(s, Timer.Close, expiresAt);
    return;
  }
  moveToTimeWaitTable(core, s, expiresAt); // the slot is reset, its timers with it
}

export function moveToTimeWaitTable(core: Core, s: number, expiresAt: number): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const evicted = core.timeWait.insert(tcb, row, expiresAt);
  if (evicted) core.count[Count.timeWaitEvicted]++;
  freeSlot(core, s);
}

/** Ends the connection with a reset after `reason` (a timeout or an unanswered probe
 *  run): the peer hears RST, the app hears TimedOut. */
export function timedOut(core: Core, s: number, reason: Count): void {
  core.count[reason]++;
  sendReset(core, s);
  killConnection(core, s, ConnectionError.TimedOut);
}

/** Resets the connection and frees the slot, nobody told (the app has let go of it, or
 *  never held it): `reason` counts why. */
export function resetAndFree(core: Core, s: number, reason: Count): void {
  core.count[reason]++;
  sendReset(core, s);
  freeSlot(core, s);
}

// ---- segment arrival -------------------------------------------------------------------

/** An acceptable RST at exactly RCV.NXT (RFC 5961 §3.2). */
export function resetArrives(core: Core, s: number): void {
  const state = core.slots.tcb[s * Tcb.ROW + Tcb.state];
  if (state === State.SynReceived) {
    freeSlot(core, s); // the passive open goes back to LISTEN
  } else if (state === State.TimeWait) {
    drop(core, Count.droppedResets); // RFC 1337
  } else {
    core.count[Count.resetsReceived]++;
    killConnection(core, s, ConnectionError.Reset);
  }
}

/** The ACK of our SYN: SYN-RECEIVED → ESTABLISHED, and the connection joins its
 *  listener's accept queue. The caller has set the send variables and the congestion
 *  window; the ACK check that follows (input.ts ackInput) starts the keepalive. */
export function establish(core: Core, s: number): void {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  setState(core, s, State.Established);
  tcb[row + Tcb.retries] = 0;
  tcb[row + Tcb.acceptOrder] = core.acceptCounter;
  core.acceptCounter = (core.acceptCounter + 1) | 0;
  core.listeners.table[tcb[row + Tcb.listener] * Lst.ROW + Lst.announce] = 1;
  core.count[Count.established]++;
}

/** Our FIN has just been acknowledged (the ACK check, RFC 9293 §3.10.7.4): FIN-WAIT-1 →
 *  FIN-WAIT-2, CLOSING → TIME-WAIT, LAST-ACK → CLOSED or FREE. Returns false when the
 *  connection has ended (nothing more of the segment is processed). */
export function ourFinAcked(core: Core, s: number): boolean {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  // Nothing is left to send. The ACK stopped the retransmission timer (ackSettled), but
  // not a persist timer armed when a retransmission of the FIN met a closed window: left
  // running, it would probe from FIN-WAIT-2 or CLOSED and end the connection as timed out.
  slots.disarm(s, Timer.Persist);
  switch (tcb[row + Tcb.state]) {
    case State.FinWait1:
      setState(core, s, State.FinWait2);
      if (tcb[row + Tcb.flags] & Flag.AppClosed) slots.arm(s, Timer.Close, (core.now + core.config.finWait2TimeoutMs) | 0);
      return true;
    case State.Closing:
      enterTimeWait(core, s);
      return false;
    case State.LastAck:
      // Fully closed. If the app still holds the socket (it only shut down writing), the
      // slot waits in CLOSED so that unread data stays readable until it closes.
      // Its timers have stopped: see enterTimeWait.
      if ((tcb[row + Tcb.flags] & (Flag.Accepted | Flag.AppClosed)) === Flag.Accepted) {
        setState(core, s, State.Closed);
      } else {
        freeSlot(core, s);
      }
      return false;
  }
  return true;
}

/** The peer's FIN, in order (RFC 9293 eighth check): ESTABLISHED → CLOSE-WAIT,
 *  FIN-WAIT-1 → CLOSING, FIN-WAIT-2 → TIME-WAIT. */
export function peerFinArrives(core: Core, s: number): void {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  tcb[row + Tcb.rcvNxt] = seqAdd(tcb[row + Tcb.rcvNxt], 1);
  tcb[row + Tcb.flags] |= Flag.PeerFin | Flag.AckNow;
  tcb[row + Tcb.flags] |= Event.End;
  switch (tcb[row + Tcb.state]) {
    case State.Established:
      setState(core, s, State.CloseWait);
      break;
    case State.FinWait1:
      // Our FIN is not yet acknowledged (or ourFinAcked would have moved us to FIN-WAIT-2).
      setState(core, s, State.Closing);
      break;
    case State.FinWait2:
      sendAck(core, s);
      enterTimeWait(core, s);
      break;
  }
}

// ---- timers ----------------------------------------------------------------------------

/** The close timer: an orphan in FIN-WAIT-2 whose peer never sent its FIN is reset; a
 *  TIME-WAIT the app still holds ends in CLOSED (its unread data stays readable). */
export function closeTimerExpires(core: Core, s: number): void {
  switch (core.slots.tcb[s * Tcb.ROW + Tcb.state]) {
    case State.FinWait2:
      resetAndFree(core, s, Count.finWait2Timeouts);
      break;
    case State.TimeWait:
      core.count[Count.timeWaitExpired]++;
      setState(core, s, State.Closed);
      break;
  }
}

/** The deadline of a close with SO_LINGER {1, N} ran out: if our FIN is not acknowledged
 *  yet (or not even sent, data still queued), the connection is reset and the slot freed.
 *  (The app has let go, so the slot is never in TIME-WAIT or CLOSED: those end at once.) */
export function lingerExpires(core: Core, s: number): void {
  if (core.slots.tcb[s * Tcb.ROW + Tcb.state] === State.FinWait2) return;
  resetAndFree(core, s, Count.resetsOnLinger);
}

// ---- the app's calls -------------------------------------------------------------------

/** close(): lets go of the handle. With unread received data the connection is reset at
 *  once (RFC 2525 §2.17, RFC 9293 SHLD-3); otherwise a FIN follows the queued data and
 *  the slot is freed when the close completes. */
export function appClose(core: Core, s: number): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  tcb[row + Tcb.flags] |= Flag.AppClosed; // its pending events are dropped undelivered (stack.ts)
  switch (tcb[row + Tcb.state]) {
    case State.Closed:
      freeSlot(core, s);
      return;
    case State.TimeWait:
      moveToTimeWaitTable(core, s, slots.deadline(s, Timer.Close));
      return;
  }
  if (tcb[row + Tcb.rxLength] > 0 && tcb[row + Tcb.state] !== State.Closing && tcb[row + Tcb.state] !== State.LastAck) {
    resetAndFree(core, s, Count.resetsOnCloseUnread);
    return;
  }
  if (tcb[row + Tcb.state] === State.FinWait2) slots.arm(s, Timer.Close, core.now + core.config.finWait2TimeoutMs);
  queueFin(core, s);
  output(core, s);
}

/** After appClose() with a deadline: the linger timer, unless the close is already done
 *  (the slot freed, TIME-WAIT and CLOSED included, or our FIN ACKed: FIN-WAIT-2). */
export function armLinger(core: Core, s: number, lingerMs: number): void {
  const state = core.slots.tcb[s * Tcb.ROW + Tcb.state];
  if (state !== State.Free && state !== State.FinWait2) {
    core.slots.arm(s, Timer.Linger, (core.now + lingerMs) | 0);
  }
}

/** shutdown(): half-close, a FIN after the queued data; reading goes on. */
export function appShutdown(core: Core, s: number): void {
  queueFin(core, s);
  output(core, s);
}

/** abort(): RST (unless the connection is already over) and the slot freed. */
export function appAbort(core: Core, s: number): void {
  const state = core.slots.tcb[s * Tcb.ROW + Tcb.state];
  if (state !== State.Closed && state !== State.TimeWait) {
    core.count[Count.resetsOnAbort]++;
    sendReset(core, s);
  }
  freeSlot(core, s);
}

/** unlisten(): the listener's connections not yet accepted are reset (half-open ones
 *  dropped without a word). */
export function listenerGone(core: Core, l: number): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  for (let s = 0; s < slots.count; s++) {
    const row = s * Tcb.ROW;
    if (tcb[row + Tcb.state] === State.Free || tcb[row + Tcb.listener] !== l || (tcb[row + Tcb.flags] & Flag.Accepted)) continue;
    if (tcb[row + Tcb.state] !== State.SynReceived) {
      core.count[Count.resetsOnAbort]++;
      sendReset(core, s);
    }
    freeSlot(core, s);
  }
}

/** The app read `count` bytes: they leave the rx ring, and the window update rule runs.
 *  Returns true when the window opened enough to announce (config.windowUpdates); the
 *  caller then sends it. After the peer's FIN no more data can come: nothing is
 *  announced. */
export function readConsumed(core: Core, s: number, count: number): boolean {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  rxDrop(slots, s, count);
  if (count === 0 || (tcb[row + Tcb.flags] & Flag.PeerFin)) return false;
  const advertised = seqDiff(tcb[row + Tcb.rcvAdv], tcb[row + Tcb.rcvNxt]);
  const known = advertised > 0 ? advertised : 0;
  const free = slots.rxBytes - tcb[row + Tcb.rxLength];
  const mss = peerSendMss(tcb, row); // windowFor's step
  if (core.config.windowUpdates === 'freebsd') return freebsdWindowUpdate(slots.rxBytes, free, free - known, mss);
  // Linux's rule: the free space is at least twice the window the peer knows, and larger
  // by at least windowFor's step, min(buffer / 2, MSS).
  const half = slots.rxBytes >>> 1;
  return free >= 2 * known && free - known >= (half < mss ? half : mss);
}

/** FreeBSD's rule (its tcp_output's standalone window update): the window grows by
 *  `grows` to `free` in a buffer of `buffer` bytes. Never less than windowFor's step. */
function freebsdWindowUpdate(buffer: number, free: number, grows: number, mss: number): boolean {
  if (grows >= 2 * mss && (grows >= buffer >>> 2 || free <= buffer >>> 3 || buffer <= 8 * mss)) return true;
  return 2 * grows >= buffer;
}

/** A window update goes out now (after readConsumed said so). */
export function announceWindow(core: Core, s: number): void {
  core.slots.tcb[s * Tcb.ROW + Tcb.flags] |= Flag.AckNow;
  output(core, s);
}

/** The app may still queue data: ESTABLISHED or CLOSE-WAIT (queueing our FIN leaves
 *  both, see queueFin). */
export function sendOpen(slots: Slots, s: number): boolean {
  const state = slots.tcb[s * Tcb.ROW + Tcb.state];
  return state === State.Established || state === State.CloseWait;
}

/** TCP_NOTSENT_LOWAT in force for slot s: its own (Stack.setNotsentLowat), else the
 *  stack's (config.notsentLowat); 0: none. */
export function notsentLowat(core: Core, s: number): number {
  const own = core.slots.tcb[s * Tcb.ROW + Tcb.notsentLowat];
  return own > 0 ? own : core.config.notsentLowat;
}

/** Bytes queued and never sent: the tx ring holds SND.UNA on, SND.MAX - SND.UNA of it sent. */
function unsentBytes(slots: Slots, s: number): number {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const unsent = tcb[row + Tcb.txLength] - seqDiff(tcb[row + Tcb.sndMax], tcb[row + Tcb.sndUna]);
  return unsent > 0 ? unsent : 0;
}

/** Send-buffer room the app may fill now: 0 once it has closed or shut down writing, and
 *  while the bytes not yet sent have reached the low-water mark (TCP_NOTSENT_LOWAT, as
 *  Linux: an app that writes only when told keeps little unsent data queued, so what it
 *  writes last is fresh when it goes out). */
export function sendRoom(core: Core, s: number): number {
  const slots = core.slots;
  if (!sendOpen(slots, s)) return 0;
  const lowat = notsentLowat(core, s);
  if (lowat > 0 && unsentBytes(slots, s) >= lowat) return 0;
  return slots.txBytes - slots.tcb[s * Tcb.ROW + Tcb.txLength];
}
