// Fixed connection slots. Each field of the transmission control block is one typed
// array indexed by slot number, and the receive and send rings of all slots are two
// regions of the stack's one byte buffer (see core.ts), so the whole table is a handful
// of allocations made once, its size known from the config (stateBytesPerSlot()).

import { OUT_OF_ORDER_RANGES } from './reassembly';
import { SACK_RANGES } from './sack';

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

/** Bits of Slots.flags. */
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
}
export const TIMER_KINDS = 6;

/** Bits of Slots.events: app notifications waiting to be delivered. */
export const enum Event {
  Readable = 1,
  Writable = 2,
  End = 4,
}

export class Slots {
  readonly count: number;
  readonly rxBytes: number;
  readonly txBytes: number;

  readonly state: Uint8Array;
  readonly flags: Uint16Array;
  readonly events: Uint8Array;
  readonly listener: Uint8Array;
  readonly retries: Uint8Array;
  readonly dupAcks: Uint8Array;
  /** In-order segments received since we last sent an ACK (delayed ACK). */
  readonly unackedSegments: Uint8Array;
  readonly keepaliveProbes: Uint8Array;
  /** Out-of-order data arrived since the last in-order segment: the segment that fills
   *  the hole is ACKed at once (RFC 5681 §4.2). */
  readonly holePending: Uint8Array;
  /** Out-of-order ranges held in the rx ring (reassembly.ts): count per slot, and
   *  OUT_OF_ORDER_RANGES starts and ends per slot. */
  readonly heldCount: Uint8Array;
  readonly heldStart: Int32Array;
  readonly heldEnd: Int32Array;
  /** The send side's SACK scoreboard (sack.ts): ranges above SND.UNA the peer reported
   *  holding, SACK_RANGES per slot, and HighRxt, the end of the last hole resent in this
   *  recovery (RFC 6675). */
  readonly sackedCount: Uint8Array;
  readonly sackedStart: Int32Array;
  readonly sackedEnd: Int32Array;
  readonly highRxt: Int32Array;
  /** SND.MAX when a segment was last resent: once enough data sent after it is SACKed,
   *  every resend before it should have arrived, so a hole still open was lost again. */
  readonly resendMark: Int32Array;
  /** SND.MAX just after the last tail loss probe went out (valid with Flag.ProbeOut). */
  readonly probeEnd: Int32Array;
  readonly localPort: Uint16Array;
  readonly remotePort: Uint16Array;
  /** Send MSS: the peer's MSS option (536 if absent) capped by ours. */
  readonly mss: Uint16Array;
  /** IPv4 address, signed 32-bit (see seq.ts). */
  readonly remoteAddr: Int32Array;
  readonly generation: Uint32Array;
  /** Order in which connections became ready to accept (smallest first). */
  readonly acceptOrder: Uint32Array;

  // Send sequence space (RFC 9293 §3.3.1), signed 32-bit (see seq.ts). sndMax is the
  // highest sequence ever sent, so ACKs for data sent before a go-back-N retransmission
  // are still recognised.
  readonly iss: Int32Array;
  readonly sndUna: Int32Array;
  readonly sndNxt: Int32Array;
  readonly sndMax: Int32Array;
  readonly sndWnd: Uint32Array;
  readonly maxSndWnd: Uint32Array;
  readonly sndWl1: Int32Array;
  readonly sndWl2: Int32Array;
  /** Sequence number of our FIN, valid while Flag.FinQueued is set. */
  readonly finSeq: Int32Array;
  readonly cwnd: Uint32Array;
  readonly ssthresh: Uint32Array;
  readonly rttSeq: Int32Array;
  /** When we last answered an unacceptable segment with an ACK (rate limit). */
  readonly oowAckAt: Int32Array;
  /** Fast recovery ends when this (SND.MAX at its start) is acknowledged (RFC 6582). */
  readonly recover: Int32Array;
  /** End of the last segment sent shorter than the MSS (Nagle, Minshall's variant). */
  readonly smallEnd: Int32Array;

  // Receive sequence space. rcvAdv is the right edge of the window we last advertised.
  readonly irs: Int32Array;
  readonly rcvNxt: Int32Array;
  readonly rcvAdv: Int32Array;

  // Rings: the rx ring holds received unread bytes; the tx ring holds bytes from sndUna on
  // (sent but unacknowledged, then unsent).
  readonly rxStart: Uint32Array;
  readonly rxLength: Uint32Array;
  readonly txStart: Uint32Array;
  readonly txLength: Uint32Array;
  /** Views of the stack's buffer; rxBase and txBase are where they start in it. */
  readonly rx: Uint8Array;
  readonly tx: Uint8Array;
  readonly rxBase: number;
  readonly txBase: number;

  // RFC 6298 estimator in integer milliseconds, scaled as in BSD: srtt × 8, rttvar × 4.
  readonly srtt8: Int32Array;
  readonly rttvar4: Int32Array;
  readonly rto: Int32Array;
  readonly rttStart: Int32Array;
  /** Persist timer backoff: the current probe interval. */
  readonly persistInterval: Int32Array;

  /** Running timers (bit 1 << Timer) and their deadlines ([slot * TIMER_KINDS + timer]). */
  readonly timers: Uint8Array;
  readonly deadlines: Int32Array;

  constructor(count: number, rxBytes: number, txBytes: number, memory: Uint8Array, rxBase: number, txBase: number) {
    this.count = count;
    this.rxBytes = rxBytes;
    this.txBytes = txBytes;
    const u8 = () => new Uint8Array(count);
    const u16 = () => new Uint16Array(count);
    const u32 = () => new Uint32Array(count);
    const i32 = () => new Int32Array(count);
    this.state = u8();
    this.flags = u16();
    this.events = u8();
    this.listener = u8();
    this.retries = u8();
    this.dupAcks = u8();
    this.unackedSegments = u8();
    this.keepaliveProbes = u8();
    this.holePending = u8();
    this.heldCount = u8();
    this.heldStart = new Int32Array(count * OUT_OF_ORDER_RANGES);
    this.heldEnd = new Int32Array(count * OUT_OF_ORDER_RANGES);
    this.sackedCount = u8();
    this.sackedStart = new Int32Array(count * SACK_RANGES);
    this.sackedEnd = new Int32Array(count * SACK_RANGES);
    this.highRxt = i32();
    this.resendMark = i32();
    this.probeEnd = i32();
    this.localPort = u16();
    this.remotePort = u16();
    this.mss = u16();
    this.remoteAddr = i32();
    this.generation = u32();
    this.acceptOrder = u32();
    this.iss = i32();
    this.sndUna = i32();
    this.sndNxt = i32();
    this.sndMax = i32();
    this.sndWnd = u32();
    this.maxSndWnd = u32();
    this.sndWl1 = i32();
    this.sndWl2 = i32();
    this.finSeq = i32();
    this.cwnd = u32();
    this.ssthresh = u32();
    this.rttSeq = i32();
    this.smallEnd = i32();
    this.recover = i32();
    this.oowAckAt = i32();
    this.irs = i32();
    this.rcvNxt = i32();
    this.rcvAdv = i32();
    this.rxStart = u32();
    this.rxLength = u32();
    this.txStart = u32();
    this.txLength = u32();
    this.srtt8 = i32();
    this.rttvar4 = i32();
    this.rto = i32();
    this.rttStart = i32();
    this.persistInterval = i32();
    this.timers = u8();
    this.deadlines = new Int32Array(count * TIMER_KINDS);
    this.rxBase = rxBase;
    this.txBase = txBase;
    this.rx = memory.subarray(rxBase, rxBase + count * rxBytes);
    this.tx = memory.subarray(txBase, txBase + count * txBytes);
  }

  /** Bytes of per-slot state, not counting the rx and tx rings. */
  stateBytesPerSlot(): number {
    let bytes = 0;
    for (const value of Object.values(this)) {
      if (ArrayBuffer.isView(value) && value !== this.rx && value !== this.tx) bytes += value.byteLength;
    }
    return bytes / this.count;
  }

  /** Resets slot s to a fresh connection's starting values (the generation moves on). */
  reset(s: number): void {
    this.flags[s] = 0;
    this.events[s] = 0;
    this.retries[s] = 0;
    this.dupAcks[s] = 0;
    this.unackedSegments[s] = 0;
    this.keepaliveProbes[s] = 0;
    this.holePending[s] = 0;
    this.heldCount[s] = 0;
    this.sackedCount[s] = 0;
    this.generation[s] = (this.generation[s] + 1) & 0x7fffff;
    this.rxStart[s] = 0;
    this.rxLength[s] = 0;
    this.txStart[s] = 0;
    this.txLength[s] = 0;
    this.srtt8[s] = 0;
    this.rttvar4[s] = 0;
    this.persistInterval[s] = 0;
    this.timers[s] = 0;
  }

  arm(s: number, timer: Timer, at: number): void {
    this.deadlines[s * TIMER_KINDS + timer] = at;
    this.timers[s] |= 1 << timer;
  }

  disarm(s: number, timer: Timer): void {
    this.timers[s] &= ~(1 << timer);
  }

  running(s: number, timer: Timer): boolean {
    return (this.timers[s] & (1 << timer)) !== 0;
  }

  deadline(s: number, timer: Timer): number {
    return this.deadlines[s * TIMER_KINDS + timer];
  }

  /** Running and its deadline reached at `now`. */
  due(s: number, timer: Timer, now: number): boolean {
    return (this.timers[s] & (1 << timer)) !== 0 && ((this.deadlines[s * TIMER_KINDS + timer] - now) | 0) <= 0;
  }
}
