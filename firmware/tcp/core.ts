// The state every part of the engine shares: config, slots, TIME-WAIT table, listener
// table, counters, the packet scratch buffers and the platform. Built once; the engine's
// functions (input.ts, output.ts, timers.ts) take it as their first argument, the way
// lwIP's tcp_in.c / tcp_out.c share the pcb lists.
import { BytePrimitives } from './bytes';
import { StackConfig } from './config';
import { Count, Counters, counterView } from './counters';
import { Clock, PacketPort, RandomSource } from './platform';
import { Flag, Slots, State, Tcb } from './slots';
import { SipHash24, sipHashScratchBytes } from './siphash';
import { TimeWaitTable } from './timewait';
import { TraceHook } from './trace';
import { IPV4_HEADER, MSS_OPTION, Segment, TCP_HEADER, newSegment } from './wire';

/** Why a connection died, as told to the app. */
export const enum ConnectionError {
  /** The peer reset the connection. */
  Reset = 1,
  /** Retransmissions, keepalive probes or zero-window probes went unanswered. */
  TimedOut = 2,
  /** The stack reset it (data arrived after close, or the listener went away). */
  Aborted = 3,
}

/** Where the engine reports to the app layer (socket.ts). Called after a segment or a
 *  timer has been fully processed, except `error`, which is called as the slot dies (so
 *  it must not call into the app: the socket layer defers it). */
export interface StackEvents {
  /** The app layer asked for a delivery (Stack.requestDelivery): deliver what it
   *  deferred. Called before the other events of the same delivery. */
  deferred?(): void;
  /** Connections are waiting in listener `listener`'s accept queue. */
  acceptable(listener: number, count: number): void;
  readable(handle: number, bytes: number): void;
  writable(handle: number, bytes: number): void;
  /** The peer closed its side: everything it sent has been made readable. */
  ended(handle: number): void;
  error(handle: number, error: ConnectionError): void;
}

const noEvents: StackEvents = Object.freeze({
  deferred() {},
  acceptable() {},
  readable() {},
  writable() {},
  ended() {},
  error() {},
});

/** A listener's fields: one row of 32-bit words per listener in Listeners.table. */
export const enum Lst {
  /** Listening port; 0 = unused. */
  port,
  backlog,
  noDelay,
  /** Keepalive for the connections it accepts (RFC 1122 §4.2.3.6): idle 0 = off. Each
   *  connection copies these when it opens (Tcb.keepIdle...), as this entry may be reused. */
  keepIdle,
  keepInterval,
  keepCount,
  /** TCP_USER_TIMEOUT (ms, 0 = maxRetries) and TCP_MAXSEG (our MSS; 0 = config.mss) for
   *  the connections it opens from now on, copied into each (Tcb.userTimeout, advMss). */
  userTimeout,
  mss,
  /** 1: TCP_NOOPT (FreeBSD), SYN-ACKs without options (Flag.NoOptions). */
  noOptions,
  /** IP_TOS and IP_TTL (tos << 8 | ttl) of its cookie SYN-ACKs and of the connections it
   *  opens from now on, copied into each (Tcb.tosTtlMss). */
  ipTosTtl,
  /** Connections ready to accept have been announced since the last acceptable event. */
  announce,
  ROW,
}

export class Listeners {
  readonly count: number;
  readonly table: Int32Array;

  constructor(count: number) {
    this.count = count;
    this.table = new Int32Array(count * Lst.ROW);
  }

  /** The listener on this port, or -1 (port 0 finds nothing). */
  find(port: number): number {
    if (port === 0) return -1;
    for (let l = 0; l < this.count; l++) if (this.table[l * Lst.ROW + Lst.port] === port) return l;
    return -1;
  }

  /** An unused entry, or -1. */
  free(): number {
    for (let l = 0; l < this.count; l++) if (this.table[l * Lst.ROW + Lst.port] === 0) return l;
    return -1;
  }
}

/** The ISN key and the SYN cookie key (isn.ts, syncookie.ts). */
const SIPHASH_KEYS = 2;

export class Core {
  readonly config: StackConfig;
  /** config.localAddr as the core holds addresses: signed 32-bit (see seq.ts). */
  readonly localAddr: number;
  readonly slots: Slots;
  readonly timeWait: TimeWaitTable;
  readonly listeners: Listeners;
  /** The MIB counters by Count, and a read-only view of them by name for apps. */
  readonly count = new Uint32Array(Count.SIZE);
  readonly counters: Counters = counterView(this.count);
  readonly port: PacketPort;
  readonly clock: Clock;
  /** SipHash-2-4 with the ISN and SYN cookie keys (isn.ts, syncookie.ts). */
  readonly hash: SipHash24;
  /** The checksum sum, byte copies and SipHash (bytes.ts): portable JS unless the
   *  platform gave native ones. */
  readonly bytes: BytePrimitives;
  events: StackEvents = noEvents;
  /** Told of every segment in and out and every drop (trace.ts); undefined: off. */
  trace: TraceHook | undefined = undefined;

  /** The segment being processed (Seg fields), then the one being built (Out fields). */
  readonly segment: Segment = newSegment();
  /** The stack's one byte buffer: rx rings, tx rings, the outgoing packet, and an input
   *  buffer the platform may receive packets into. Being one buffer, payload moves
   *  between them as copies within one array: copyWithin in jsBytes, native speed and no
   *  allocation (a subarray() view per copy would allocate, and a JS byte loop is ten
   *  times slower on XS). */
  readonly memory: Uint8Array;
  /** The packet being built: a view of memory, at out.byteOffset (not kept in a property
   *  of its own: the stack's objects hold to 150 XS slots). */
  readonly out: Uint8Array;
  /** Where the platform may write a received packet before calling receive() with it. */
  readonly input: Uint8Array;
  readonly inputBase: number;
  /** The packet being processed (its payload is copied from here into the rx ring). */
  packet: Uint8Array;
  /** Current time as a wrapping 32-bit ms count (see Timer in slots.ts), read from the
   *  clock once per receive(), poll() or app call. */
  now = 0;
  acceptCounter = 0;
  /** When the last SYN cookie was sent, and whether one ever was (see cookieInput). */
  lastCookieAt = 0;
  cookiesSent = false;
  /** RFC 5961 challenge ACK rate limit: count sent in the second starting at windowStart. */
  challengeWindowStart = 0;
  challengeCount = 0;
  /** The app layer asked for an event delivery at the next poll (requestDelivery). */
  deliveryRequested = false;

  constructor(config: StackConfig, port: PacketPort, clock: Clock, random: RandomSource, bytes: BytePrimitives) {
    this.config = config;
    this.localAddr = config.localAddr | 0;
    this.port = port;
    this.clock = clock;
    this.bytes = bytes;
    const rxSize = config.slots * config.rxBytes;
    const txSize = config.slots * config.txBytes;
    const outSize = IPV4_HEADER + TCP_HEADER + MSS_OPTION + config.mss;
    // The largest segment a peer may send us: full IPv4 and TCP headers, and our MSS.
    const inputSize = 60 + 60 + config.mss;
    this.memory = new Uint8Array(rxSize + txSize + outSize + inputSize + sipHashScratchBytes(SIPHASH_KEYS));
    this.slots = new Slots(config.slots, config.rxBytes, config.txBytes, 0, rxSize);
    const outBase = rxSize + txSize;
    this.out = this.memory.subarray(outBase, outBase + outSize);
    this.inputBase = outBase + outSize;
    this.input = this.memory.subarray(this.inputBase, this.inputBase + inputSize);
    this.packet = this.input;
    this.timeWait = new TimeWaitTable(config.timeWaitCapacity);
    this.listeners = new Listeners(config.listeners);
    // Two SipHash keys from the platform's random source, ISN_KEY's first: one hasher
    // serves both, its keys and scratch in the stack's buffer.
    const keys = new Uint8Array(16 * SIPHASH_KEYS);
    random.fill(keys.subarray(0, 16));
    random.fill(keys.subarray(16, 32));
    this.hash = new SipHash24(keys, this.memory, this.inputBase + inputSize, bytes.sipHash24);
    for (let s = 0; s < config.slots; s++) this.slots.reset(s);
  }

  /** Reads the clock into `now`; returns the clock's own (unwrapped) value. */
  tick(): number {
    const t = this.clock.now();
    this.now = t | 0;
    return t;
  }

  /** Handle for the connection in slot s: the slot's generation and its index. */
  handleOf(s: number): number {
    const tcb = this.slots.tcb;
    const row = s * Tcb.ROW;
    return (tcb[row + Tcb.generation] << 8) | s;
  }

  /** The slot of a handle the app may still use, or -1 for a stale, closed or invalid one. */
  slotOf(handle: number): number {
    if (!Number.isInteger(handle) || handle < 0) return -1;
    const s = handle & 0xff;
    const slots = this.slots;
    const tcb = slots.tcb;
    const row = s * Tcb.ROW;
    if (s >= slots.count || tcb[row + Tcb.state] === State.Free || (tcb[row + Tcb.flags] & Flag.AppClosed)) return -1;
    return tcb[row + Tcb.generation] === handle >>> 8 ? s : -1;
  }
}
