// MIB-style counters (after RFC 4022's tcp group, plus slotcp's own drop reasons). Plain
// numeric fields on one object made at construction: incrementing one never allocates.

export class Counters {
  /** Packets handed to receive(). */
  packetsIn = 0;
  /** Valid TCP segments for our address (RFC 4022 tcpInSegs). */
  segmentsIn = 0;
  /** Segments sent, including retransmissions (tcpOutSegs counts those apart). */
  segmentsOut = 0;
  retransmittedSegments = 0;
  /** Segments sent with RST set (tcpOutRsts). */
  resetsSent = 0;
  /** Passive opens: SYNs that created a connection (tcpPassiveOpens). */
  passiveOpens = 0;
  /** Connections that reached ESTABLISHED. */
  established = 0;
  /** Connections reset by the peer from a synchronized state (tcpEstabResets-like). */
  resetsReceived = 0;

  // Dropped packets, by reason.
  droppedNotIpv4 = 0;
  droppedBadIpHeader = 0;
  droppedFragment = 0;
  droppedNotTcp = 0;
  droppedBadTcpHeader = 0;
  /** Bad TCP checksum (tcpInErrs). */
  droppedBadChecksum = 0;
  droppedBadOptions = 0;
  /** Port 0, or a source address no reply may go to. */
  droppedBadAddress = 0;
  /** Not addressed to the stack's address. */
  droppedWrongAddress = 0;
  /** SYNs dropped because every slot was in use. */
  droppedSlotsFull = 0;
  /** SYN-ACKs sent as SYN cookies (half-open limit reached), and cookies that came back
   *  valid in an ACK and opened a connection. */
  synCookiesSent = 0;
  synCookiesAccepted = 0;
  /** Data segments at a listener, while cookies are in use, that do not carry a cookie:
   *  dropped without a RST (a cookie client's later segments; see input.ts). */
  droppedCookieFollowers = 0;
  /** SYNs dropped because the listener's backlog was full. */
  droppedBacklogFull = 0;
  /** SYN+FIN and other flag combinations refused at a listener. */
  droppedBadFlags = 0;
  /** Out-of-order segments held in the receive ring until the hole before them fills. */
  outOfOrderHeld = 0;
  /** Out-of-order segments dropped (every hold range in use, or outside the window). */
  droppedOutOfOrder = 0;
  /** Segments outside the window (answered with an ACK). */
  droppedOutOfWindow = 0;
  /** RSTs ignored: out of window, to a listener, for no connection, or in TIME-WAIT. */
  droppedResets = 0;

  /** RFC 5961 challenge ACKs sent, and those suppressed by the rate limit. */
  challengeAcks = 0;
  challengeAcksSuppressed = 0;
  /** ACKs to out-of-window segments not sent because of the per-connection limit. */
  outOfWindowAcksSuppressed = 0;
  /** Resets sent because the app closed with unread data (RFC 2525 §2.17). */
  resetsOnCloseUnread = 0;
  /** Resets sent because data arrived after the app closed. */
  resetsOnDataAfterClose = 0;
  /** Resets sent by abort(). */
  resetsOnAbort = 0;
  /** Connections given up after maxRetries retransmissions or unanswered probes. */
  retransmitTimeouts = 0;
  /** Half-open connections dropped after synAckRetries. */
  synAckTimeouts = 0;
  keepaliveProbes = 0;
  keepaliveTimeouts = 0;
  finWait2Timeouts = 0;
  zeroWindowProbes = 0;
  /** Retransmissions on three duplicate ACKs, a NewReno partial ACK, or SACK loss. */
  fastRetransmits = 0;
  /** Holes resent during SACK recovery, beyond the first fast retransmission. */
  sackRetransmits = 0;
  /** Resends found lost during SACK recovery (and so resent again without a timeout). */
  lostResends = 0;
  /** Tail loss probes sent (RFC 8985 §7), and those whose resent data the ACK showed was
   *  missing (no D-SACK): each of these cut the window once. */
  lossProbes = 0;
  lossProbeRepairs = 0;
  /** Retransmission timer expiries with data outstanding (each resends from SND.UNA). */
  retransmitTimerExpiries = 0;
  delayedAcks = 0;

  timeWaitEntered = 0;
  timeWaitExpired = 0;
  timeWaitEvicted = 0;
  timeWaitReacks = 0;
  /** SYNs that reopened a 4-tuple in TIME-WAIT (RFC 9293 MAY-2). */
  timeWaitReused = 0;
}

export type CounterName = keyof Counters;
