// Fixed connection slots. The transmission control blocks of all slots are rows of one
// typed array (the Tcb layout below), and the receive and send rings of all slots are two
// regions of the stack's one byte buffer (see core.ts), so the whole table is two
// allocations made once, its size known from the config (stateBytesPerSlot()).

export const enum State {
  Free = 0,
  SynReceived,
  Established,
  CloseWait,
  LastAck,
  FinWait1,
  FinWait2,
  Closing,
  /** TIME-WAIT while the app still holds the socket (after a half-close); once the app
   *  lets go, the connection moves to the compact TIME-WAIT table. */
  TimeWait,
  /** Dead (reset or timed out) but the app has not closed its handle yet. */
  Closed,
}

export const stateNames = Object.freeze([
  'FREE', 'SYN-RECEIVED', 'ESTABLISHED', 'CLOSE-WAIT', 'LAST-ACK',
  'FIN-WAIT-1', 'FIN-WAIT-2', 'CLOSING', 'TIME-WAIT', 'CLOSED',
]);

/** Bits of the Tcb.flags field. */
export const enum Flag {
  /** An ACK must go out now (or with the next data). */
  AckNow = 1 << 0,
  /** The app closed or shut down writing: a FIN follows the queued data (finSeq). */
  FinQueued = 1 << 1,
  /** The app has closed its handle: nobody will read; new data is answered with RST. */
  AppClosed = 1 << 2,
  /** The app holds this connection (accepted). */
  Accepted = 1 << 3,
  /** The peer's FIN has arrived: no more data will come. */
  PeerFin = 1 << 4,
  /** Nagle's algorithm off for this connection. */
  NoDelay = 1 << 5,
  /** A segment is being timed for RTT (rttSeq, rttStart). */
  Timing = 1 << 6,
  /** In fast recovery after three duplicate ACKs (or enough SACKed data, RFC 6675). */
  Recovery = 1 << 7,
  /** Both ends agreed to SACK (RFC 2018): we send SACK blocks and use the peer's. */
  Sack = 1 << 8,
  /** Data was resent after a timeout and `recover` (SND.MAX then) is not yet ACKed: the
   *  duplicate ACKs the go-back-N resends cause start no fast retransmit (RFC 6582 §4.1). */
  AfterTimeout = 1 << 9,
  /** A tail loss probe is out and not yet ACKed (probeEnd): no other probe until it is. */
  ProbeOut = 1 << 10,
  /** That probe resent data (rather than sending new data). */
  ProbeResent = 1 << 11,
  /** The peer's FIN came out of order and is held at finRcvSeq until RCV.NXT reaches it
   *  (RFC 9293 SHLD-31: kept like out-of-order data, not left to be sent again). */
  FinHeld = 1 << 12,
  /** A duplicate segment arrived: the next segment sent reports [dsackStart, dsackEnd) as
   *  its first SACK block, once (RFC 2883 D-SACK). */
  Dsack = 1 << 13,
  /** The FIN last went alone, without data (for config.loneFin's tail loss probe). */
  FinAlone = 1 << 14,
  /** The listener had TCP_NOOPT (FreeBSD): the SYN-ACK carries no options (no MSS, no
   *  SACK-permitted), so SACK is not agreed. */
  NoOptions = 1 << 15,
  /** TCP_CORK (tcp(7)): a part segment at the end of the queue waits for more data, and
   *  goes when the cork comes off, TCP_NODELAY is set, the FIN follows it or the persist
   *  timer expires (Linux's 200 ms ceiling is its probe timer, at the RTO). */
  Corked = 1 << 16,
  /** The last write had MSG_MORE: the part segment it leaves waits as under the cork, but
   *  only for that write (the next push lets it go), and the segment ending the queue
   *  carries no PSH (Linux marks PSH only for a write without MSG_MORE). */
  More = 1 << 17,
  /** config.congestion 'cubic': the window is unchanged since CUBIC last worked out its
   *  growth rate (ccLast), so the rate holds for a while (cubic.ts). */
  CubicFresh = 1 << 18,
  /** RACK (RFC 8985 §6.2 step 3, RACK.reord): a segment sent once was delivered below the
   *  highest one delivered before it. From then on the reordering window is never 0. */
  Reordered = 1 << 20,
  /** The LossProbe timer runs as RACK's reordering timer (RFC 8985 §6.2 step 5), not as a
   *  tail loss probe: the two never run together, and the reordering timer wins. */
  ReoTimer = 1 << 21,
  /** Out-of-order data arrived since the last in-order segment: the segment that fills
   *  the hole is ACKed at once (RFC 5681 §4.2). */
  HolePending = 1 << 19,
  /** An in-order data segment arrived since we last sent an ACK: the next one is ACKed at
   *  once (delayed ACK: at least every second segment). */
  AckOwed = 1 << 22,
  // Bits 23 to 25 are Event's (below): the same word.
  /** The write that placed the latest end-of-record mark had MSG_MORE: the segment ending
   *  at that mark carries no PSH (Linux marks PSH only for a write without MSG_MORE). */
  RecordMore = 1 << 26,
  /** In recovery, this ACK newly SACKed data resent after a resend still missing below
   *  it (sack.ts recordSackBlocks; read and cleared by the same ACK's sackReassessed). */
  ResendOvertaken = 1 << 27,
  /** config.congestion 'cubic': HyStart ended slow start (Linux's `found`); it stays off
   *  until a timeout (cubic.ts). */
  HystartFound = 1 << 28,
}

/** The per-slot timers. Deadlines are wrapping 32-bit millisecond counts (compared like
 *  sequence numbers, so the clock may run past 2^31); a bit per timer says it runs. */
export const enum Timer {
  Retransmit = 0,
  Persist,
  DelayedAck,
  Keepalive,
  /** FIN-WAIT-2 orphan timeout, or in-slot TIME-WAIT expiry. */
  Close,
  /** Tail loss probe (RFC 8985 §7), earlier than the retransmission timer. */
  LossProbe,
  /** A close with a deadline (SO_LINGER {1, N}): reset if our FIN is not ACKed by then. */
  Linger,
}
export const TIMER_KINDS = 7;

/** Tcb.rackStats: min_RTT in the low 16 bits (ms, at most 65,535; 0 before a sample),
 *  the reordering degree above them (at most 300). */
export const enum RackStats {
  MIN_RTT_MASK = 0xffff,
  REORDERING_SHIFT = 16,
}

/** App notifications waiting to be delivered: bits of Tcb.flags above the Flag bits
 *  (one word less a slot), set and cleared together by Stack's delivery. */
export const enum Event {
  Readable = 1 << 23,
  Writable = 1 << 24,
  End = 1 << 25,
  ALL = Readable | Writable | End,
}

/** The control block's fields: one row of 32-bit words per slot in Slots.tcb, read and
 *  written as `tcb[s * Tcb.ROW + Tcb.field]`. The layout is declared once, here: a new
 *  field is one line, every field of a fresh slot is 0 (reset), and the row size gives
 *  the memory figure. Sequence numbers, addresses and deadlines are signed 32-bit (see
 *  seq.ts); every other field stays below 2^31. One typed array for the whole table
 *  keeps the XS heap small: each typed array costs the engine about 8 slots (16 B each
 *  on a 32-bit board) whatever its length. */
export const enum Tcb {
  state,
  /** Bits of Flag, and of Event above them. */
  flags,
  listener,
  retries,
  dupAcks,
  /** Four bytes (Probes): keepalive probes sent since the peer was last heard from,
   *  zero-window probes likewise (counted apart: one kind of probing must not use up the
   *  other's allowance; saturating at 255, past any maxRetries), the keepalive probe count
   *  allowed (TCP_KEEPCNT, 1..255), and the window scale agreed in the handshake (wire.ts
   *  WindowScale: 0 for none, else Offered | the peer's shift; set once, at open). */
  probes,
  /** Out-of-order ranges held in the rx ring (reassembly.ts): their count, then
   *  OUT_OF_ORDER_RANGES starts and as many ends. */
  heldCount,
  heldStart,
  heldEnd = heldStart + 4,
  /** The send side's SACK scoreboard (sack.ts): ranges above SND.UNA the peer reported
   *  holding, SACK_RANGES of them. */
  sackedCount = heldEnd + 4,
  sackedStart,
  sackedEnd = sackedStart + 4,
  /** HighRxt: the end of the last hole resent in this recovery (RFC 6675). */
  highRxt = sackedEnd + 4,
  /** SND.MAX when a segment was last resent: once enough data sent after it is SACKed,
   *  every resend before it should have arrived, so a hole still open was lost again. */
  resendMark,
  /** SND.MAX just after the last tail loss probe went out (valid with Flag.ProbeOut,
   *  which recovery never has). In recovery the word is resentAt instead: when the last
   *  resend went out (ms). */
  probeEnd,
  // RACK (RFC 8985 §6, rack.ts). rackEnd is RACK.end_seq: the end of the highest segment
  // sent once that the peer has delivered (cumulatively or SACKed); rackAt is when the ACK
  // that delivered it arrived, RACK.xmit_ts + RACK.rtt for that segment. Unsacked data
  // below lostTo is taken as lost.
  rackEnd,
  rackAt,
  lostTo,
  /** Two counts in one word (RACK_STATS below): RACK.min_RTT in ms, and the reordering
   *  seen in segments, the farthest data sent once was delivered below the highest byte
   *  delivered before it (at least DupThresh, 3; Linux's tcp_info reordering). */
  rackStats,
  /** localPort << 16 | remotePort, as a TIME-WAIT record keeps them: one compare finds a
   *  connection's ports. */
  ports,
  /** Send MSS: the peer's MSS option (536 if absent) capped by ours. */
  mss,
  remoteAddr,
  /** Moves on each time the slot is reused; part of the handle (core.ts handleOf). */
  generation,
  /** Order in which connections became ready to accept (smallest first; compared
   *  wrapping, a whole word: a connection may wait while any number of others come and
   *  go on other listeners). */
  acceptOrder,
  // Send sequence space (RFC 9293 §3.3.1). sndMax is the highest sequence ever sent, so
  // ACKs for data sent before a go-back-N retransmission are still recognised.
  iss,
  sndUna,
  sndNxt,
  sndMax,
  sndWnd,
  maxSndWnd,
  sndWl1,
  sndWl2,
  /** Sequence number of our FIN, valid while Flag.FinQueued is set. */
  finSeq,
  cwnd,
  ssthresh,
  rttSeq,
  /** When we last answered an unacceptable segment with an ACK (rate limit). */
  oowAckAt,
  /** Fast recovery ends when this (SND.MAX at its start) is acknowledged (RFC 6582). */
  recover,
  /** End of the last segment sent shorter than the MSS (Nagle, Minshall's variant). */
  smallEnd,
  /** The most bytes in flight since everything sent was last acknowledged: with
   *  config.cwndValidation the window grows only while it is less than twice this. */
  maxFlight,
  /** When data or a FIN was last sent (new or again): slow start restarts after an idle
   *  time longer than the RTO (RFC 5681 §4.1, recovery.ts idleRestart). */
  lastSentAt,
  // Receive sequence space. rcvAdv is the right edge of the window we last advertised.
  irs,
  rcvNxt,
  rcvAdv,
  /** Sequence number of the peer's FIN held out of order (valid with Flag.FinHeld). */
  finRcvSeq,
  // Rings: the rx ring holds received unread bytes; the tx ring holds bytes from sndUna
  // on (sent but unacknowledged, then unsent).
  rxStart,
  rxLength,
  txStart,
  txLength,
  // RFC 6298 estimator in integer milliseconds, scaled as in BSD: srtt × 8, rttvar × 4.
  srtt8,
  rttvar4,
  rto,
  rttStart,
  /** Persist timer backoff: the current probe interval. */
  persistInterval,
  /** Keepalive (RFC 1122 §4.2.3.6) as the listener had it when the connection opened:
   *  idle time (0 = off), probe interval, unanswered probes before giving up. Copied, as
   *  the listener's entry may be freed and reused while the connection lives. */
  keepIdle,
  keepInterval,
  /** TCP_USER_TIMEOUT (RFC 9293 §3.9.1, RFC 5482), ms, as the listener had it when the
   *  connection opened or setUserTimeout set it: data unacknowledged (or a zero window
   *  probed) this long resets the connection, in place of maxRetries; 0 = maxRetries. */
  userTimeout,
  /** When the present wait began: the oldest unacknowledged data started waiting (the
   *  retransmission timer started from idle, or an ACK of new data restarted it), or the
   *  first zero-window probe of the run went out. The user timeout counts from here. */
  stalledSince,
  /** TCP_NOTSENT_LOWAT set for this connection (Stack.setNotsentLowat), bytes; 0:
   *  config.notsentLowat applies (connection.ts notsentLowat). */
  notsentLowat,
  /** Low 16 bits: IP_TOS and IP_TTL of every segment it sends, tos << 8 | ttl (wire.ts
   *  ipTosTtl): the listener's when it opened (its SYN-ACK on), or what setTos and setTtl
   *  set since. High 16 bits: our MSS, the SYN-ACK's MSS option and the cap on the send
   *  MSS (config.mss, or the listener's TCP_MAXSEG when it opened). */
  tosTtlMss,
  /** The duplicate range the next segment reports first (valid with Flag.Dsack). */
  dsackStart,
  dsackEnd,
  /** End-of-record marks (MSG_EOR, output.ts recordEnd): no segment carries bytes from
   *  both sides of one, as Linux never merges data across them. recordEnd is the sequence
   *  number just past the latest mark; recordRun packs how many marks the run holds (the
   *  bits from RecordRun.CountShift up; 0 = none) and the equal length of its records:
   *  the marks are recordEnd − k × length for k below the count. */
  recordEnd,
  recordRun,
  /** config.congestion 'cubic' (cubic.ts), counts in segments: outside recovery, when
   *  the present congestion avoidance epoch began (ms; 0: none) | the ACKed segments
   *  counted for the Reno-friendly estimate << 16 and that estimate | when the growth
   *  rate was last worked out (ms, low 16 bits) << 16 and that rate (segments ACKed per
   *  segment of growth). In recovery the three are Proportional Rate Reduction's
   *  bytes delivered, bytes sent, and the window before the loss (RFC 6937). Then W_max
   *  << 16 | the ACKed segments towards the next segment of growth; the window when the
   *  epoch began << 16 | the least RTT sampled (ms). In slow start with no epoch,
   *  ccCount, ccLast, ccBase's high half and ccMax's low half hold HyStart's round. */
  ccEpoch,
  ccCount,
  ccLast,
  ccMax,
  ccBase,
  /** Running timers (bit 1 << Timer), then TIMER_KINDS deadlines. */
  timers,
  deadlines,
  /** Words per slot. */
  ROW = deadlines + 7, // TIMER_KINDS
  /** In recovery: when the last resend went out (ms), in probeEnd's word (see there). */
  resentAt = probeEnd,
}

/** The bytes of Tcb.probes. */
export const enum Probes {
  Keepalive = 0, // shift of the keepalive probes sent
  Persist = 8, // shift of the zero-window probes sent
  Allowed = 16, // shift of TCP_KEEPCNT
  WindowScale = 24, // shift of the WindowScale byte (below 0x20: the word stays positive)
}

export class Slots {
  readonly count: number;
  readonly rxBytes: number;
  readonly txBytes: number;
  /** Every slot's control block, Tcb.ROW words a slot. */
  readonly tcb: Int32Array;
  /** Where the rx and tx rings start in the stack's buffer (core.memory). */
  readonly rxBase: number;
  readonly txBase: number;

  constructor(count: number, rxBytes: number, txBytes: number, rxBase: number, txBase: number) {
    this.count = count;
    this.rxBytes = rxBytes;
    this.txBytes = txBytes;
    this.tcb = new Int32Array(count * Tcb.ROW);
    this.rxBase = rxBase;
    this.txBase = txBase;
  }

  /** Bytes of per-slot state, not counting the rx and tx rings. */
  stateBytesPerSlot(): number {
    return Tcb.ROW * 4;
  }

  /** Resets slot s to a fresh connection: every field 0 but the generation, which moves
   *  on (23 bits: a handle is generation << 8 | slot and stays a positive int32). */
  reset(s: number): void {
    const row = s * Tcb.ROW;
    const generation = (this.tcb[row + Tcb.generation] + 1) & 0x7fffff;
    this.tcb.fill(0, row, row + Tcb.ROW);
    this.tcb[row + Tcb.generation] = generation;
  }

  arm(s: number, timer: Timer, at: number): void {
    const row = s * Tcb.ROW;
    this.tcb[row + Tcb.deadlines + timer] = at;
    this.tcb[row + Tcb.timers] |= 1 << timer;
  }

  disarm(s: number, timer: Timer): void {
    this.tcb[s * Tcb.ROW + Tcb.timers] &= ~(1 << timer);
  }

  running(s: number, timer: Timer): boolean {
    return (this.tcb[s * Tcb.ROW + Tcb.timers] & (1 << timer)) !== 0;
  }

  deadline(s: number, timer: Timer): number {
    return this.tcb[s * Tcb.ROW + Tcb.deadlines + timer];
  }

  /** Running and its deadline reached at `now`. */
  due(s: number, timer: Timer, now: number): boolean {
    const row = s * Tcb.ROW;
    return (this.tcb[row + Tcb.timers] & (1 << timer)) !== 0 && ((this.tcb[row + Tcb.deadlines + timer] - now) | 0) <= 0;
  }
}
