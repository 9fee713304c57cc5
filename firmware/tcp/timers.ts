// Timer expiry (RFC 6298 retransmission with backoff, tail loss probe, persist, delayed
// ACK, keepalive, FIN-WAIT-2 and TIME-WAIT expiry). Deadlines are per slot; poll() runs
// the due ones and nextDeadline() tells the platform when to call again.
import { Count } from './counters';
import { closeTimerExpires, freeSlot, lingerExpires, timedOut } from './connection';
import { Core } from './core';
import { forceSend, output, retransmitFirst, sendAck, sendLossProbe, sendProbe, sendSynAck, unsentBytes } from './output';
import { Flag, Probes, Slots, State, TIMER_KINDS, Timer, Tcb } from './slots';
import { backOff, reorderingTimedOut, retransmitTimedOut } from './recovery';

export function runTimers(core: Core): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const now = core.now;
  for (let s = 0; s < slots.count; s++) {
    // A slot with no timer running has nothing due. A timeout that frees the slot zeroes
    // its row (slots.reset), so none of its later timers is due either.
    if (tcb[s * Tcb.ROW + Tcb.timers] === 0) continue;
    // A probe that took the RTO's place (RFC 8985 §7.2: the RTO would have fired first)
    // goes first, restarting the RTO; one merely overdue beside an expired RTO yields to it.
    if (slots.due(s, Timer.LossProbe, now) && probeInPlaceOfRto(slots, s)) sendLossProbe(core, s);
    if (slots.due(s, Timer.Retransmit, now)) retransmitTimeout(core, s);
    if (slots.due(s, Timer.Persist, now)) persistTimeout(core, s);
    if (slots.due(s, Timer.DelayedAck, now)) {
      core.count[Count.delayedAcks]++;
      sendAck(core, s);
    }
    if (slots.due(s, Timer.Keepalive, now)) keepaliveTimeout(core, s);
    if (slots.due(s, Timer.Close, now)) closeTimeout(core, s);
    if (slots.due(s, Timer.LossProbe, now)) lossProbeTimeout(core, s);
    if (slots.due(s, Timer.Linger, now)) lingerTimeout(core, s);
  }
  core.count[Count.timeWaitExpired] += core.timeWait.expire(now);
}

/** The loss probe was set for the RTO's own deadline (armLossProbe's clamp). Not RACK's
 *  reordering timer, which shares Timer.LossProbe and may fall due at the RTO's time too. */
function probeInPlaceOfRto(slots: Slots, s: number): boolean {
  return (slots.tcb[s * Tcb.ROW + Tcb.flags] & Flag.ReoTimer) === 0
    && slots.running(s, Timer.Retransmit) && slots.deadline(s, Timer.LossProbe) === slots.deadline(s, Timer.Retransmit);
}

/** Milliseconds from now until the earliest running timer or TIME-WAIT expiry (0 if one
 *  is overdue), or -1 when nothing runs. */
export function msUntilNextDeadline(core: Core): number {
  const slots = core.slots;
  let found = core.timeWait.size > 0;
  let soonest = found ? core.timeWait.msUntilNextExpiry(core.now) : 0;
  for (let s = 0; s < slots.count; s++) {
    if (slots.tcb[s * Tcb.ROW + Tcb.timers] === 0) continue;
    for (let t = 0; t < TIMER_KINDS; t++) {
      if (!slots.running(s, t)) continue;
      const left = (slots.deadline(s, t) - core.now) | 0;
      if (!found || left < soonest) soonest = left;
      found = true;
    }
  }
  if (!found) return -1;
  return soonest > 0 ? soonest : 0;
}

function retransmitTimeout(core: Core, s: number): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const config = core.config;
  slots.disarm(s, Timer.Retransmit);
  if (tcb[row + Tcb.state] === State.SynReceived) {
    if (tcb[row + Tcb.retries] >= config.synAckRetries) {
      core.count[Count.synAckTimeouts]++;
      freeSlot(core, s);
      return;
    }
    tcb[row + Tcb.retries]++;
    backOff(core, s);
    core.count[Count.retransmittedSegments]++;
    sendSynAck(core, s);
    slots.arm(s, Timer.Retransmit, (core.now + tcb[row + Tcb.rto]) | 0);
    return;
  }
  if (tcb[row + Tcb.sndMax] === tcb[row + Tcb.sndUna]) return; // nothing outstanding
  if (givesUp(core, s, tcb[row + Tcb.retries])) {
    timedOut(core, s, Count.retransmitTimeouts);
    return;
  }
  tcb[row + Tcb.retries]++;
  core.count[Count.retransmitTimerExpiries]++;
  retransmitTimedOut(core, s);
  output(core, s);
  endByUserTimeout(core, s, Timer.Retransmit);
}

/** Whether a retransmission or zero-window probe timeout ends the connection: with a
 *  user timeout (TCP_USER_TIMEOUT, RFC 5482), once the wait (Tcb.stalledSince) has lasted
 *  it, however many `tries` went before (Linux); without, after maxRetries tries. */
function givesUp(core: Core, s: number, tries: number): boolean {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  const limit = tcb[row + Tcb.userTimeout];
  if (limit === 0) return tries >= core.config.maxRetries;
  return ((core.now - tcb[row + Tcb.stalledSince]) | 0) >= limit;
}

/** A timer just re-armed ends no later than the user timeout, so the connection is
 *  given up when the timeout ends rather than at the next backed-off expiry (Linux's
 *  tcp_clamp_rto_to_user_timeout). */
function endByUserTimeout(core: Core, s: number, timer: Timer): void {
  const slots = core.slots;
  const row = s * Tcb.ROW;
  const limit = slots.tcb[row + Tcb.userTimeout];
  if (limit === 0 || !slots.running(s, timer)) return;
  const end = (slots.tcb[row + Tcb.stalledSince] + limit) | 0;
  if (((slots.deadline(s, timer) - end) | 0) > 0) slots.arm(s, timer, end);
}

/** The LossProbe timer: a tail loss probe (sendLossProbe stops the timer), or RACK's
 *  reordering timer (RFC 8985 §6.2 step 5), whose losses are resent like those an ACK
 *  shows. */
function lossProbeTimeout(core: Core, s: number): void {
  if (!(core.slots.tcb[s * Tcb.ROW + Tcb.flags] & Flag.ReoTimer)) {
    sendLossProbe(core, s);
    return;
  }
  if (reorderingTimedOut(core, s)) retransmitFirst(core, s);
  output(core, s);
}

/** Persist expiry. With a closed window, a zero-window probe, the interval doubling
 *  (RFC 9293 §3.8.6.1). With an open one, forceSend: a part segment held back, or new
 *  data the local link refused. While the link keeps refusing, it is tried again every
 *  LinkRetry.IntervalMs without backoff (Linux's tcp_send_probe0 under local
 *  congestion); each refusal counts as a probe, and the user timeout or maxRetries ends
 *  such a run as it ends an unanswered zero-window one. */
function persistTimeout(core: Core, s: number): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  slots.disarm(s, Timer.Persist);
  const windowOpen = tcb[row + Tcb.sndWnd] > 0;
  // RFC 1122 §4.2.2.17: probing goes on while the peer answers; an unanswered run aborts.
  // A user timeout the app set ends it even so (RFC 9293 §3.10.8: in any state, as Linux).
  // With an open window only a run the link refused counts (Linux's tcp_probe_timer
  // checks before each probe; icsk_probes_out counts both kinds).
  const sent = (tcb[row + Tcb.probes] >>> Probes.Persist) & 0xff;
  if ((!windowOpen || sent > 0) && givesUp(core, s, sent)) {
    timedOut(core, s, Count.retransmitTimeouts);
    return;
  }
  if (windowOpen && forceSend(core, s)) {
    tcb[row + Tcb.probes] &= ~(0xff << Probes.Persist); // it went: the retransmission timer watches it
    return;
  }
  if (sent < 0xff) tcb[row + Tcb.probes] += 1 << Probes.Persist;
  if (windowOpen) {
    slots.arm(s, Timer.Persist, (core.now + LinkRetry.IntervalMs) | 0);
  } else {
    core.count[Count.zeroWindowProbes]++;
    sendProbe(core, s);
    tcb[row + Tcb.persistInterval] = Math.min(tcb[row + Tcb.persistInterval] * 2, core.config.rtoMaxMs);
    slots.arm(s, Timer.Persist, (core.now + tcb[row + Tcb.persistInterval]) | 0);
  }
  endByUserTimeout(core, s, Timer.Persist);
}

/** New data the local link refused is tried again this often while it keeps refusing
 *  (Linux's TCP_RESOURCE_PROBE_INTERVAL): no backoff, as the peer is not the cause. */
const enum LinkRetry {
  IntervalMs = 500,
}

/** RFC 1122 §4.2.3.6: after idle time with nothing outstanding, probe; after `count`
 *  unanswered probes the peer is gone and the slot is reclaimed. */
function keepaliveTimeout(core: Core, s: number): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  slots.disarm(s, Timer.Keepalive);
  const state = tcb[row + Tcb.state];
  if (tcb[row + Tcb.keepIdle] <= 0 || (state !== State.Established && state !== State.CloseWait)) return;
  if (tcb[row + Tcb.sndNxt] !== tcb[row + Tcb.sndUna] || unsentBytes(slots, s) > 0) {
    slots.arm(s, Timer.Keepalive, (core.now + tcb[row + Tcb.keepIdle]) | 0); // the retransmission timer watches
    return;
  }
  const probes = tcb[row + Tcb.probes];
  if (((probes >>> Probes.Keepalive) & 0xff) >= ((probes >>> Probes.Allowed) & 0xff)) {
    timedOut(core, s, Count.keepaliveTimeouts);
    return;
  }
  tcb[row + Tcb.probes] = probes + (1 << Probes.Keepalive);
  core.count[Count.keepaliveProbes]++;
  sendProbe(core, s);
  slots.arm(s, Timer.Keepalive, (core.now + tcb[row + Tcb.keepInterval]) | 0);
}

function closeTimeout(core: Core, s: number): void {
  core.slots.disarm(s, Timer.Close);
  closeTimerExpires(core, s);
}

function lingerTimeout(core: Core, s: number): void {
  core.slots.disarm(s, Timer.Linger);
  lingerExpires(core, s);
}
