// Connection life-cycle steps shared by segment input, timers and app calls: opening a
// slot, reaching ESTABLISHED, queueing the FIN, entering TIME-WAIT, and freeing a slot.
import { Count } from './counters';
import { ConnectionError, Core } from './core';
import { Flag, State, Timer, Tcb } from './slots';
import { seqAdd } from './seq';

/** A free slot, or -1. */
export function findFreeSlot(core: Core): number {
  const slots = core.slots;
  for (let s = 0; s < slots.count; s++) {
    if (slots.tcb[s * Tcb.ROW + Tcb.state] === State.Free) return s;
  }
  return -1;
}

/** The slot holding this 4-tuple, or -1. */
export function findConnection(core: Core, remoteAddr: number, remotePort: number, localPort: number): number {
  const slots = core.slots;
  for (let s = 0; s < slots.count; s++) {
    if (slots.tcb[s * Tcb.ROW + Tcb.state] !== State.Free && slots.tcb[s * Tcb.ROW + Tcb.remotePort] === remotePort && slots.tcb[s * Tcb.ROW + Tcb.localPort] === localPort
      && slots.tcb[s * Tcb.ROW + Tcb.remoteAddr] === remoteAddr) return s;
  }
  return -1;
}

/** Connections of listener l established but not yet accepted by the app (half-open ones
 *  are bounded apart, by halfOpenLimit). */
export function pendingConnections(core: Core, l: number): number {
  const slots = core.slots;
  let count = 0;
  for (let s = 0; s < slots.count; s++) {
    const state = slots.tcb[s * Tcb.ROW + Tcb.state];
    if (state === State.Free || slots.tcb[s * Tcb.ROW + Tcb.listener] !== l || (slots.tcb[s * Tcb.ROW + Tcb.flags] & Flag.Accepted)) continue;
    if (state !== State.SynReceived) count++;
  }
  return count;
}

export function freeSlot(core: Core, s: number): void {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  tcb[row + Tcb.state] = State.Free;
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
  if (tcb[row + Tcb.state] === State.Established) tcb[row + Tcb.state] = State.FinWait1;
  else if (tcb[row + Tcb.state] === State.CloseWait) tcb[row + Tcb.state] = State.LastAck;
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
  tcb[row + Tcb.keepaliveProbes] = 0;
  const state = tcb[row + Tcb.state];
  if (idle > 0 && (state === State.Established || state === State.CloseWait)) {
    slots.arm(s, Timer.Keepalive, (core.now + idle) | 0);
  } else {
    slots.disarm(s, Timer.Keepalive);
  }
}

/** TIME-WAIT: if the app still holds the socket (after a half-close) the slot stays in
 *  TIME-WAIT until the app closes it; otherwise the slot is freed at once and a compact
 *  record keeps the 4-tuple for 2MSL. */
export function enterTimeWait(core: Core, s: number): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  core.count[Count.timeWaitEntered]++;
  slots.disarm(s, Timer.Retransmit);
  slots.disarm(s, Timer.Persist);
  slots.disarm(s, Timer.Keepalive);
  slots.disarm(s, Timer.DelayedAck);
  const expiresAt = (core.now + 2 * core.config.mslMs) | 0;
  if ((tcb[row + Tcb.flags] & (Flag.Accepted | Flag.AppClosed)) === Flag.Accepted) {
    tcb[row + Tcb.state] = State.TimeWait;
    slots.arm(s, Timer.Close, expiresAt);
    return;
  }
  moveToTimeWaitTable(core, s, expiresAt);
}

export function moveToTimeWaitTable(core: Core, s: number, expiresAt: number): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const evicted = core.timeWait.insert(tcb[row + Tcb.remoteAddr], tcb[row + Tcb.remotePort], tcb[row + Tcb.localPort],
    tcb[row + Tcb.rcvNxt], tcb[row + Tcb.sndNxt], expiresAt);
  if (evicted) core.count[Count.timeWaitEvicted]++;
  freeSlot(core, s);
}
