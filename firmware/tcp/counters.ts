// MIB-style counters (after RFC 4022's tcp group, plus slotcp's own drop reasons), all in
// one Uint32Array (Counter32: they wrap at 2^32) indexed by the Count enum, so
// incrementing one never allocates and the whole set costs the XS heap one typed array.
// The engine writes `core.count[Count.segmentsIn]++`; apps read `stack.counters` by name.

export const enum Count {
  /** Packets handed to receive(). */
  packetsIn,
  /** Valid TCP segments for our address (RFC 4022 tcpInSegs). */
  segmentsIn,
  /** Segments sent, including retransmissions (tcpOutSegs counts those apart). */
  segmentsOut,
  retransmittedSegments,
  /** Segments sent with RST set (tcpOutRsts). */
  resetsSent,
  /** Passive opens: SYNs that created a connection (tcpPassiveOpens). */
  passiveOpens,
  /** Connections that reached ESTABLISHED. */
  established,
  /** Connections reset by the peer from a synchronized state (tcpEstabResets-like). */
  resetsReceived,

  // Dropped packets, by reason.
  droppedNotIpv4,
  droppedBadIpHeader,
  droppedFragment,
  droppedNotTcp,
  droppedBadTcpHeader,
  /** Bad TCP checksum (tcpInErrs). */
  droppedBadChecksum,
  droppedBadOptions,
  /** Port 0, or a source address no reply may go to. */
  droppedBadAddress,
  /** Not addressed to the stack's address. */
  droppedWrongAddress,
  /** SYNs dropped because every slot was in use. */
  droppedSlotsFull,
  /** SYN-ACKs sent as SYN cookies (half-open limit reached), and cookies that came back
   *  valid in an ACK and opened a connection. */
  synCookiesSent,
  synCookiesAccepted,
  /** Data segments at a listener, while cookies are in use, that do not carry a cookie:
   *  dropped without a RST (a cookie client's later segments; see input.ts). */
  droppedCookieFollowers,
  /** SYNs dropped because the listener's backlog was full. */
  droppedBacklogFull,
  /** SYN+FIN and other flag combinations refused at a listener. */
  droppedBadFlags,
  /** Out-of-order segments held in the receive ring until the hole before them fills. */
  outOfOrderHeld,
  /** Out-of-order segments dropped (every hold range in use, or outside the window). */
  droppedOutOfOrder,
  /** Segments sent with a D-SACK block (RFC 2883): a duplicate segment was reported. */
  dsacksSent,
  /** Segments outside the window (answered with an ACK). */
  droppedOutOfWindow,
  /** RSTs ignored: out of window, to a listener, for no connection, or in TIME-WAIT. */
  droppedResets,

  /** RFC 5961 challenge ACKs sent, and those suppressed by the rate limit. */
  challengeAcks,
  challengeAcksSuppressed,
  /** ACKs to out-of-window segments not sent because of the per-connection limit. */
  outOfWindowAcksSuppressed,
  /** Resets sent because the app closed with unread data (RFC 2525 §2.17). */
  resetsOnCloseUnread,
  /** Resets sent because data arrived after the app closed. */
  resetsOnDataAfterClose,
  /** Resets sent by abort(). */
  resetsOnAbort,
  /** Connections given up after maxRetries retransmissions or unanswered probes. */
  retransmitTimeouts,
  /** Half-open connections dropped after synAckRetries. */
  synAckTimeouts,
  keepaliveProbes,
  keepaliveTimeouts,
  finWait2Timeouts,
  zeroWindowProbes,
  /** Retransmissions on three duplicate ACKs, a NewReno partial ACK, or SACK loss. */
  fastRetransmits,
  /** Holes resent during SACK recovery, beyond the first fast retransmission. */
  sackRetransmits,
  /** Resends found lost during SACK recovery (and so resent again without a timeout). */
  lostResends,
  /** Tail loss probes sent (RFC 8985 §7), and those whose resent data the ACK showed was
   *  missing (no D-SACK): each of these cut the window once. */
  lossProbes,
  lossProbeRepairs,
  /** Retransmission timer expiries with data outstanding (each resends from SND.UNA). */
  retransmitTimerExpiries,
  delayedAcks,

  timeWaitEntered,
  timeWaitExpired,
  timeWaitEvicted,
  timeWaitReacks,
  /** SYNs that reopened a 4-tuple in TIME-WAIT (RFC 9293 MAY-2). */
  timeWaitReused,
  /** Exceptions thrown by the app's callbacks (the stack finished its work, then rethrew
   *  the first). */
  appExceptions,
  /** Resets sent because a close with a deadline (SO_LINGER {1, N}) ran out before our
   *  FIN was acknowledged. */
  resetsOnLinger,
  /** State changes the RFC 9293 diagram does not have (connection.ts setState): an
   *  engine bug, made visible. Always 0 unless something is wrong. */
  illegalTransitions,
  /** Segments without ACK in a synchronized state (RFC 9293 fifth check: dropped). */
  droppedNoAck,
  /** Bare ACKs at RCV.NXT for a TIME-WAIT record, dropped unanswered (an ACK loop's start). */
  droppedTimeWaitAcks,
  /** Packets the local link refused (PacketPort.send returned false): not sent. */
  linkRefused,
  /** How many counters there are. */
  SIZE,
}

/** The counters' names, in Count's order (the type below checks that they agree). */
export const counterNames = Object.freeze([
  'packetsIn', 'segmentsIn', 'segmentsOut', 'retransmittedSegments', 'resetsSent', 'passiveOpens',
  'established', 'resetsReceived', 'droppedNotIpv4', 'droppedBadIpHeader', 'droppedFragment',
  'droppedNotTcp', 'droppedBadTcpHeader', 'droppedBadChecksum', 'droppedBadOptions',
  'droppedBadAddress', 'droppedWrongAddress', 'droppedSlotsFull', 'synCookiesSent',
  'synCookiesAccepted', 'droppedCookieFollowers', 'droppedBacklogFull', 'droppedBadFlags',
  'outOfOrderHeld', 'droppedOutOfOrder', 'dsacksSent', 'droppedOutOfWindow', 'droppedResets', 'challengeAcks',
  'challengeAcksSuppressed', 'outOfWindowAcksSuppressed', 'resetsOnCloseUnread',
  'resetsOnDataAfterClose', 'resetsOnAbort', 'retransmitTimeouts', 'synAckTimeouts',
  'keepaliveProbes', 'keepaliveTimeouts', 'finWait2Timeouts', 'zeroWindowProbes',
  'fastRetransmits', 'sackRetransmits', 'lostResends', 'lossProbes', 'lossProbeRepairs',
  'retransmitTimerExpiries', 'delayedAcks', 'timeWaitEntered', 'timeWaitExpired',
  'timeWaitEvicted', 'timeWaitReacks', 'timeWaitReused', 'appExceptions', 'resetsOnLinger',
  'illegalTransitions', 'droppedNoAck', 'droppedTimeWaitAcks', 'linkRefused',
] as const);

export type CounterName = (typeof counterNames)[number];

// Compile-time check: counterNames[Count.x] is 'x' for every counter, and none is missing.
type NamesMatch = { [K in keyof typeof Count as K extends 'SIZE' ? never : K]: (typeof counterNames)[(typeof Count)[K]] };
const namesMatch: { [K in CounterName]: K } extends NamesMatch ? (NamesMatch extends { [K in CounterName]: K } ? true : never) : never = true;
void namesMatch;

/** Read-only view of the counters by name (`stack.counters.segmentsIn`). Its getters live
 *  on the prototype, made once when the module loads, so a view costs the heap only
 *  itself; `snapshot()` copies them into a plain object (that allocates: not for the
 *  board's steady state). */
export type Counters = { readonly [K in CounterName]: number } & { snapshot(): Record<CounterName, number> };

class CounterView {
  declare readonly values: Uint32Array;

  constructor(values: Uint32Array) {
    // Not enumerable: a view's keys are the counters' names (on its prototype).
    Object.defineProperty(this, 'values', { value: values });
  }

  snapshot(): Record<CounterName, number> {
    const copy = {} as Record<CounterName, number>;
    for (let i = 0; i < counterNames.length; i++) copy[counterNames[i]] = this.values[i];
    return copy;
  }
}

for (let i = 0; i < counterNames.length; i++) {
  Object.defineProperty(CounterView.prototype, counterNames[i], {
    get(this: CounterView) { return this.values[i]; },
    enumerable: true,
  });
}

export function counterView(values: Uint32Array): Counters {
  return new CounterView(values) as unknown as Counters;
}
