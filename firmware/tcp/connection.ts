// Connection life-cycle steps shared by segment input, timers and app calls: opening a
// slot, reaching ESTABLISHED, queueing the FIN, entering TIME-WAIT, and freeing a slot.
import { ConnectionError, Core } from './core';
import { Flag, State, Timer } from './slots';
import { seqAdd } from './seq';

/** A free slot, or -1. */
export function findFreeSlot(core: Core): number {
  return core.slots.state.indexOf(State.Free);
}

/** The slot holding this 4-tuple, or -1. */
export function findConnection(core: Core, remoteAddr: number, remotePort: number, localPort: number): number {
  const slots = core.slots;
  for (let s = 0; s < slots.count; s++) {
    if (slots.state[s] !== State.Free && slots.remotePort[s] === remotePort && slots.localPort[s] === localPort
      && slots.remoteAddr[s] === remoteAddr) return s;
  }
  return -1;
}

/** Connections of listener l established but not yet accepted by the app (half-open ones
 *  are bounded apart, by halfOpenLimit). */
export function pendingConnections(core: Core, l: number): number {
  const slots = core.slots;
  let count = 0;
  for (let s = 0; s < slots.count; s++) {
    const state = slots.state[s];
    if (state === State.Free || slots.listener[s] !== l || (slots.flags[s] & Flag.Accepted)) continue;
    if (state !== State.SynReceived) count++;
  }
  return count;
}

export function freeSlot(core: Core, s: number): void {
  core.slots.state[s] = State.Free;
  core.slots.reset(s);
}

/** Ends a connection abnormally. The app hears of it only if it holds the connection. */
export function killConnection(core: Core, s: number, error: ConnectionError): void {
  const held = (core.slots.flags[s] & (Flag.Accepted | Flag.AppClosed)) === Flag.Accepted;
  const handle = core.handleOf(s);
  freeSlot(core, s);
  if (held) core.events.error(handle, error);
}

/** Queues our FIN after the data already queued (RFC 9293 CLOSE: FIN-WAIT-1 / LAST-ACK). */
export function queueFin(core: Core, s: number): void {
  const slots = core.slots;
  if (slots.flags[s] & Flag.FinQueued) return;
  slots.flags[s] |= Flag.FinQueued;
  slots.finSeq[s] = seqAdd(slots.sndUna[s], slots.txLength[s]);
  if (slots.state[s] === State.Established) slots.state[s] = State.FinWait1;
  else if (slots.state[s] === State.CloseWait) slots.state[s] = State.LastAck;
}

/** True once our FIN has been sent and acknowledged. */
export function finAcked(core: Core, s: number): boolean {
  const slots = core.slots;
  return (slots.flags[s] & Flag.FinQueued) !== 0 && slots.sndUna[s] === seqAdd(slots.finSeq[s], 1);
}

/** Arms (or disarms) the keepalive timer after activity on slot s. */
export function restartKeepalive(core: Core, s: number): void {
  const slots = core.slots;
  const idle = core.listeners.keepIdle[slots.listener[s]];
  slots.keepaliveProbes[s] = 0;
  const state = slots.state[s];
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
  core.counters.timeWaitEntered++;
  slots.disarm(s, Timer.Retransmit);
  slots.disarm(s, Timer.Persist);
  slots.disarm(s, Timer.Keepalive);
  slots.disarm(s, Timer.DelayedAck);
  const expiresAt = (core.now + 2 * core.config.mslMs) | 0;
  if ((slots.flags[s] & (Flag.Accepted | Flag.AppClosed)) === Flag.Accepted) {
    slots.state[s] = State.TimeWait;
    slots.arm(s, Timer.Close, expiresAt);
    return;
  }
  moveToTimeWaitTable(core, s, expiresAt);
}

export function moveToTimeWaitTable(core: Core, s: number, expiresAt: number): void {
  const slots = core.slots;
  const evicted = core.timeWait.insert(slots.remoteAddr[s], slots.remotePort[s], slots.localPort[s],
    slots.rcvNxt[s], slots.sndNxt[s], expiresAt);
  if (evicted) core.counters.timeWaitEvicted++;
  freeSlot(core, s);
}
