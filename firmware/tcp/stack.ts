// The stack: what the platform drives (receive, poll, nextDeadline) and what the app
// layer calls (listen, accept, read, write, close, shutdown, abort). Connections are
// named by integer handles (slot index plus generation), so no object is made per
// connection and a stale handle can never reach a newer connection in the same slot.
import { BytePrimitives, jsBytes } from './bytes';
import { Count } from './counters';
import {
  announceWindow, appAbort, appClose, appShutdown, armLinger, listenerGone, pendingConnections, readConsumed, restartKeepalive,
  sendOpen, sendRoom,
} from './connection';
import { ConfigError, StackConfig, makeConfig } from './config';
import { Core, StackEvents, Lst } from './core';
import { segmentArrives } from './input';
import { Push, output, unsentBytes } from './output';
import { Clock, PacketPort, RandomSource } from './platform';
import { Event, Flag, Probes, RackStats, State, Timer, stateNames, Tcb } from './slots';
import { seqDiff } from './seq';
import { highestSacked, lostBytes, sackedBelow } from './sack';
import { markRecordEnd, rxAddress, rxTake, txPut } from './ring';
import { TraceHook, drop } from './trace';
import { msUntilNextDeadline, runTimers } from './timers';
import { Refusal, Seg, WindowScale, ipTosTtl, parsePacket } from './wire';

/** Stack.write()'s flags, as send(2)'s (bits; 0 for none). */
export const enum WriteFlag {
  /** MSG_MORE: more data follows at once, so a part segment at the end waits for it. */
  More = 1,
  /** MSG_EOR: the bytes end a record; bytes written later never share a segment with them. */
  EndOfRecord = 2,
}

export interface ListenOptions {
  /** Connections not yet accepted (half-open included) before new SYNs are dropped. */
  backlog?: number;
  /** Turn Nagle's algorithm off for accepted connections. */
  noDelay?: boolean;
  /** RFC 1122 keepalive: idle time before probing, interval between probes, probes
   *  unanswered before the connection is dropped. Off when absent. */
  keepalive?: { idleMs: number; intervalMs: number; count: number };
  /** TCP_MAXSEG: the MSS accepted connections offer in the SYN-ACK and the most they send
   *  in a segment (the peer's MSS may cap it lower); 64..config.mss, default config.mss. */
  mss?: number;
  /** TCP_USER_TIMEOUT (RFC 9293 §3.9.1, RFC 5482), ms: how long data may wait
   *  unacknowledged (or a zero window be probed) before the connection is reset and the
   *  app told TimedOut, in place of config.maxRetries. Below 2^30; 0 (default): maxRetries. */
  userTimeoutMs?: number;
  /** TCP_NOOPT (FreeBSD): SYN-ACKs carry no options, neither MSS (the peer then assumes
   *  536, RFC 9293 §3.7.1) nor SACK-permitted (so SACK is off); the peer's MSS is still
   *  honoured. For peers that choke on options. */
  noOptions?: boolean;
  /** IP_TOS: the IPv4 TOS byte of the SYN-ACKs and of every segment of the connections it
   *  accepts, 0..255 (IPTOS_DSCP_*: the DSCP in its upper 6 bits, RFC 2474); the 2 ECN
   *  bits are sent as 0 (Not-ECT, RFC 3168 §5: slotcp does not do ECN). Default 0. */
  tos?: number;
  /** IP_TTL: the IPv4 TTL of the same segments, 1..255 (RFC 1122 §3.2.1.7: never 0).
   *  Default config.ttl. */
  ttl?: number;
}

/** The largest timer setting in ms (under 2^30, as setKeepalive's and closeWithin's):
 *  deadlines wrap at 2^32 and compare within 2^31. */
const MAX_MS = 0x3fffffff;

/** Checks a user timeout the app passes (whole ms below 2^30); throws `error` if bad. */
function checkUserTimeout(call: string, ms: number, error: new (message: string) => Error): void {
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_MS) {
    throw new error(`slotcp ${call}: userTimeoutMs must be a whole number of ms up to 2^30, got ${ms}`);
  }
}

/** The TOS an app may set (a byte), with the ECN bits cleared: a sender that does not do
 *  ECN marks its packets Not-ECT (RFC 3168 §5). Throws `error` if bad. */
function checkedTos(call: string, tos: number, error: new (message: string) => Error): number {
  if (!Number.isInteger(tos) || tos < 0 || tos > 255) throw new error(`slotcp ${call}: tos must be a whole number from 0 to 255, got ${tos}`);
  return tos & 0xfc;
}

/** A TTL the app may set: 1..255 (RFC 1122 §3.2.1.7: a host never sends TTL 0). */
function checkTtl(call: string, ttl: number, error: new (message: string) => Error): void {
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 255) throw new error(`slotcp ${call}: ttl must be a whole number from 1 to 255, got ${ttl}`);
}

/** One row of the connection listing (netstat). */
export interface ConnectionInfo {
  handle: number;
  state: string;
  localPort: number;
  /** Unsigned 32-bit IPv4 address. */
  remoteAddr: number;
  remotePort: number;
  rxQueued: number;
  txQueued: number;
}

/** One connection's TCP variables, read by Stack.info() into a caller's object (for
 *  diagnostics and test scripts, like Linux's tcp_info). Sizes are bytes, times ms. */
export interface TcpInfo {
  state: string;
  /** Retransmission timeout now, and RFC 6298's SRTT and RTTVAR (0 before a sample). */
  rto: number;
  srtt: number;
  rttvar: number;
  cwnd: number;
  ssthresh: number;
  /** Bytes sent and not yet acknowledged (SND.MAX - SND.UNA). */
  unacked: number;
  /** Consecutive retransmissions (timeouts) of the oldest unacknowledged data. */
  retransmits: number;
  /** Unanswered persist probes of the present run: zero-window probes, and tries of new
   *  data the local link refused (Linux's tcpi_probes). */
  probes: number;
  /** The segment size we send (the peer's MSS, capped by ours). */
  mss: number;
  /** The MSS we offered (config.mss, or the listener's ListenOptions.mss). */
  advMss: number;
  /** Both ends agreed to SACK (RFC 2018). */
  sackOk: boolean;
  /** The shift the peer's windows are scaled by (RFC 7323 §2, Linux's tcpi_snd_wscale),
   *  or -1 when the handshake agreed to no window scaling. */
  sndWscale: number;
  /** TCP_USER_TIMEOUT in ms; 0: config.maxRetries applies. */
  userTimeout: number;
  /** TCP_NOTSENT_LOWAT set for this connection, bytes; 0: config.notsentLowat applies. */
  notsentLowat: number;
  /** IP_TOS and IP_TTL of its segments (the listener's, or setTos/setTtl's). */
  tos: number;
  ttl: number;
  sndWnd: number;
  /** In fast recovery (RFC 5681/6675). */
  recovery: boolean;
  /** Resending after a retransmission timeout, until what was sent before it is
   *  acknowledged (RFC 6582 §4.1: no fast retransmit meanwhile). */
  afterTimeout: boolean;
  /** Duplicate ACKs in a row, and bytes above SND.UNA the peer has SACKed: outside
   *  recovery, signs of loss or reordering being watched. */
  dupAcks: number;
  sacked: number;
  /** Bytes in holes below the highest SACKed byte taken as lost (RFC 6675 IsLost or
   *  RACK, RFC 8985 §6), resent or not, and of those, bytes resent in this recovery. */
  lost: number;
  retrans: number;
  /** The reordering seen, in segments (at least 3; RFC 8985 §6.2 step 3's RACK.reord
   *  with its distance, Linux's tcp_info reordering). */
  reordering: number;
  rxQueued: number;
  txQueued: number;
}

/** Checks an offset and length the app passes with a buffer of `size` bytes: integers,
 *  0 <= offset <= size, 0 <= length <= size - offset. The engine trusts them from here on
 *  (a bad one would corrupt the ring's start and length words), so a bad one throws. */
function checkRange(call: string, size: number, offset: number, length: number): void {
  if (!Number.isInteger(offset)) throw new RangeError(`slotcp ${call}: offset ${offset} is not an integer`);
  if (offset < 0 || offset > size) throw new RangeError(`slotcp ${call}: offset ${offset} is out of range for a buffer of ${size} bytes`);
  if (!Number.isInteger(length)) throw new RangeError(`slotcp ${call}: length ${length} is not an integer`);
  if (length < 0 || length > size - offset) {
    throw new RangeError(`slotcp ${call}: length ${length} is out of range for offset ${offset} in a buffer of ${size} bytes`);
  }
}

/** deliverEvents(): no slot, or every one, rather than one slot's. */
const NO_SLOT = -1;
const EVERY_SLOT = -2;

export class Stack {
  private readonly core: Core;

  /** `bytes`: the checksum sum and byte copies (bytes.ts); default the portable jsBytes. */
  constructor(config: Partial<StackConfig>, port: PacketPort, clock: Clock, random: RandomSource, bytes: BytePrimitives = jsBytes) {
    this.core = new Core(makeConfig(config), port, clock, random, bytes);
    this.core.tick();
  }

  get config(): Readonly<StackConfig> {
    return this.core.config;
  }

  get counters() {
    return this.core.counters;
  }

  /** Tells `hook` of every segment in and out and every drop with its reason (trace.ts);
   *  undefined turns tracing off (the default). */
  setTrace(hook: TraceHook | undefined): void {
    this.core.trace = hook;
  }

  /** Where accept/readable/writable/end/error notifications go (the socket layer). */
  /** Where the stack's events go (setEvents). */
  get events(): StackEvents {
    return this.core.events;
  }

  setEvents(events: StackEvents): void {
    this.core.events = events;
  }

  /** Bytes fixed at construction: per slot (state + rings), per TIME-WAIT record, the
   *  packet buffers (one outgoing, one input), and the total. */
  memory(): { perSlot: number; perTimeWait: number; packetBuffers: number; tables: number; total: number } {
    const { slots, timeWait, config, out, input, count, listeners, segment, hash } = this.core;
    const perSlot = slots.stateBytesPerSlot() + config.rxBytes + config.txBytes;
    const perTimeWait = timeWait.bytesPerRecord();
    const packetBuffers = out.length + input.length;
    // The rest of the typed arrays: counters, listener table, the parsed segment, SipHash
    // state and its message scratch.
    const tables = count.byteLength + listeners.table.byteLength + segment.byteLength + hash.stateBytes;
    return {
      perSlot, perTimeWait, packetBuffers, tables,
      total: perSlot * config.slots + perTimeWait * config.timeWaitCapacity + packetBuffers + tables,
    };
  }

  /** A buffer the platform may receive a packet into and then pass to receive(): the
   *  payload then reaches the rx ring by a copy within one array (copyWithin in jsBytes),
   *  without a byte loop. */
  get inputBuffer(): Uint8Array {
    return this.core.input;
  }

  // ---- platform side -------------------------------------------------------------

  /** Processes one received IPv4 packet. Never throws on bad input: drops and counts. */
  receive(packet: Uint8Array, length: number = packet.length): void {
    const core = this.core;
    core.tick();
    core.count[Count.packetsIn]++;
    let s = NO_SLOT;
    const refusal = parsePacket(packet, length, core.segment, core.bytes);
    if (refusal !== Refusal.None) {
      this.countRefusal(refusal);
    } else if (core.segment[Seg.dstAddr] !== core.localAddr) {
      drop(core, Count.droppedWrongAddress);
    } else {
      core.packet = packet;
      s = segmentArrives(core);
    }
    // Input leaves events, an announced listener and a held ACK on the slot the segment
    // went to, and nowhere else (the app's calls send at once, and timers are poll()'s):
    // only that slot and its listener are looked at.
    const failure = this.deliverEvents(s);
    if (s !== NO_SLOT) this.flushAck(s);
    if (failure !== undefined) throw failure.error;
  }

  /** Sends the ACK input left pending in slot s for after the app's callbacks. */
  private flushAck(s: number): void {
    // A free slot's row is zeroed (Slots.reset), so it never has AckNow.
    if (this.core.slots.tcb[s * Tcb.ROW + Tcb.flags] & Flag.AckNow) output(this.core, s);
  }

  /** Runs the timers that are due. */
  poll(): void {
    const core = this.core;
    core.tick();
    runTimers(core);
    const failure = this.deliverEvents(EVERY_SLOT);
    if (failure !== undefined) throw failure.error;
  }

  /** Asks for an event delivery soon: nextDeadline() says now, and the next poll() or
   *  receive() calls the app layer's deferred() first. The app layer uses it to call
   *  back after, never inside, one of the app's own calls (ECMA-419). */
  requestDelivery(): void {
    if (this.core.deliveryRequested) return;
    this.core.deliveryRequested = true;
    this.wake?.();
  }

  /** Called when a delivery is requested, so the platform polls soon even when the app
   *  called from outside the stack's callbacks (a timer of its own, say). It must not call
   *  into the stack itself: it only arranges for poll() to run. */
  private wake: (() => void) | undefined;

  setWake(wake: (() => void) | undefined): void {
    this.wake = wake;
  }

  /** When poll() should next run (a time on the stack's clock), or -1 when no timer is
   *  running. */
  nextDeadline(): number {
    const now = this.core.tick();
    if (this.core.deliveryRequested) return now;
    const ms = msUntilNextDeadline(this.core);
    return ms < 0 ? -1 : now + ms;
  }

  private countRefusal(refusal: Refusal): void {
    const core = this.core;
    switch (refusal) {
      case Refusal.NotIpv4: drop(core, Count.droppedNotIpv4); break;
      case Refusal.BadIpHeader: drop(core, Count.droppedBadIpHeader); break;
      case Refusal.Fragment: drop(core, Count.droppedFragment); break;
      case Refusal.NotTcp: drop(core, Count.droppedNotTcp); break;
      case Refusal.BadTcpHeader: drop(core, Count.droppedBadTcpHeader); break;
      case Refusal.BadChecksum: drop(core, Count.droppedBadChecksum); break;
      case Refusal.BadOptions: drop(core, Count.droppedBadOptions); break;
      case Refusal.BadAddress: drop(core, Count.droppedBadAddress); break;
    }
  }

  /** Tells the app layer what the last packet or timer changed, once it is all done:
   *  the events of slot `only` and its listener's new connections, or of every slot and
   *  listener (EVERY_SLOT), or none (NO_SLOT), with a deferred delivery first and last.
   *  An exception from the app's code is caught, counted and returned (the first one),
   *  so that every other event is still delivered and the caller finishes its work (held
   *  ACKs) before rethrowing it. */
  private deliverEvents(only: number): { error: unknown } | undefined {
    const core = this.core;
    let failure = core.deliveryRequested ? this.deliverDeferred(undefined) : undefined;
    if (only === NO_SLOT) return core.deliveryRequested ? this.deliverDeferred(failure) : failure;
    const { slots, listeners, events } = core;
    const tcb = slots.tcb;
    const every = only === EVERY_SLOT;
    const firstListener = every ? 0 : tcb[only * Tcb.ROW + Tcb.listener];
    const endListener = every ? listeners.count : firstListener + 1;
    for (let l = firstListener; l < endListener; l++) {
      if (!listeners.table[l * Lst.ROW + Lst.announce]) continue;
      listeners.table[l * Lst.ROW + Lst.announce] = 0;
      const count = pendingConnections(core, l);
      try {
        if (count > 0) events.acceptable(l, count);
      } catch (error) {
        failure = this.appFailed(failure, error);
      }
    }
    const endSlot = every ? slots.count : only + 1;
    for (let s = every ? 0 : only; s < endSlot; s++) {
      const row = s * Tcb.ROW;
      const pending = tcb[row + Tcb.flags] & Event.ALL;
      if (pending === 0) continue;
      tcb[row + Tcb.flags] &= ~Event.ALL;
      if ((tcb[row + Tcb.flags] & (Flag.Accepted | Flag.AppClosed)) !== Flag.Accepted) continue;
      const handle = core.handleOf(s);
      try {
        if (pending & Event.Readable && tcb[row + Tcb.rxLength] > 0) events.readable(handle, tcb[row + Tcb.rxLength]);
        if (pending & Event.Writable) {
          // -1 if a callback above closed the connection.
          const room = this.writable(handle);
          if (room > 0) events.writable(handle, room);
        }
        if (pending & Event.End && this.slot(handle, false) === s) events.ended(handle);
      } catch (error) {
        failure = this.appFailed(failure, error);
      }
    }
    // What the callbacks just did (accepting a connection, say) may have asked for a
    // delivery: their own calls have returned, so it can run now.
    return core.deliveryRequested ? this.deliverDeferred(failure) : failure;
  }

  private deliverDeferred(failure: { error: unknown } | undefined): { error: unknown } | undefined {
    const core = this.core;
    if (!core.deliveryRequested) return failure;
    core.deliveryRequested = false;
    try {
      core.events.deferred?.();
    } catch (error) {
      return this.appFailed(failure, error);
    }
    return failure;
  }

  private appFailed(first: { error: unknown } | undefined, error: unknown): { error: unknown } {
    this.core.count[Count.appExceptions]++;
    return first ?? { error };
  }

  // ---- app side ------------------------------------------------------------------

  /** The one guard from the app's handle to its slot: -1 for a stale, closed or invalid
   *  handle (see Core.slotOf). `acting`: the call changes the connection, so the clock is
   *  read first. */
  private slot(handle: number, acting: boolean): number {
    const s = this.core.slotOf(handle);
    if (s >= 0 && acting) this.core.tick();
    return s;
  }

  /** Listens on `port`; returns the listener id. Throws on a bad port or a full table. */
  listen(port: number, options: ListenOptions = {}): number {
    const listeners = this.core.listeners;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError(`slotcp listen: bad port ${port}`);
    if (listeners.find(port) >= 0) throw new ConfigError(`slotcp listen: port ${port} is already listening`);
    const l = listeners.free();
    if (l < 0) throw new ConfigError(`slotcp listen: all ${listeners.count} listeners in use`);
    const backlog = options.backlog ?? this.core.config.slots;
    if (!Number.isInteger(backlog) || backlog < 1 || backlog > 255) {
      throw new ConfigError(`slotcp listen: backlog must be 1..255, got ${backlog}`);
    }
    const keepalive = options.keepalive;
    const ms = (v: number) => Number.isInteger(v) && v > 0 && v <= 0x3fffffff;
    if (keepalive && !(ms(keepalive.idleMs) && ms(keepalive.intervalMs) && keepalive.count >= 1 && keepalive.count <= 255)) {
      throw new ConfigError('slotcp listen: keepalive needs whole idleMs and intervalMs from 1 to 2^30 and count 1..255');
    }
    if (options.mss !== undefined) this.checkMss('listen', options.mss);
    if (options.userTimeoutMs !== undefined) checkUserTimeout('listen', options.userTimeoutMs, ConfigError);
    const tos = options.tos === undefined ? 0 : checkedTos('listen', options.tos, ConfigError);
    if (options.ttl !== undefined) checkTtl('listen', options.ttl, ConfigError);
    const packetPort = this.core.port;
    if (packetPort.addPort && !packetPort.addPort(port)) {
      throw new ConfigError(`slotcp listen: the packet path has no room for port ${port}`);
    }
    listeners.table[l * Lst.ROW + Lst.port] = port;
    listeners.table[l * Lst.ROW + Lst.backlog] = backlog;
    listeners.table[l * Lst.ROW + Lst.noDelay] = options.noDelay ? 1 : 0;
    listeners.table[l * Lst.ROW + Lst.keepIdle] = keepalive ? keepalive.idleMs : 0;
    listeners.table[l * Lst.ROW + Lst.keepInterval] = keepalive ? keepalive.intervalMs : 0;
    listeners.table[l * Lst.ROW + Lst.keepCount] = keepalive ? keepalive.count : 0;
    listeners.table[l * Lst.ROW + Lst.mss] = options.mss ?? 0;
    listeners.table[l * Lst.ROW + Lst.userTimeout] = options.userTimeoutMs ?? 0;
    listeners.table[l * Lst.ROW + Lst.noOptions] = options.noOptions ? 1 : 0;
    listeners.table[l * Lst.ROW + Lst.ipTosTtl] = ipTosTtl(tos, options.ttl ?? this.core.config.ttl);
    return l;
  }

  /** Changes a listener's `mss`, `userTimeoutMs`, `noOptions`, `tos` and `ttl`
   *  (ListenOptions; those absent stay) for the connections it opens from now on (and,
   *  for tos and ttl, its own SYN-ACKs and resets), as setsockopt on a listening socket
   *  does. Throws a ConfigError on a bad value or a listener not listening. */
  setListenOptions(listener: number, options: Pick<ListenOptions, 'mss' | 'userTimeoutMs' | 'noOptions' | 'tos' | 'ttl'>): void {
    const listeners = this.core.listeners;
    if (!(Number.isInteger(listener) && listener >= 0 && listener < listeners.count && listeners.table[listener * Lst.ROW + Lst.port] !== 0)) {
      throw new ConfigError(`slotcp setListenOptions: ${listener} is not a listener`);
    }
    if (options.mss !== undefined) this.checkMss('setListenOptions', options.mss);
    if (options.userTimeoutMs !== undefined) checkUserTimeout('setListenOptions', options.userTimeoutMs, ConfigError);
    const at = listener * Lst.ROW + Lst.ipTosTtl;
    const tos = options.tos === undefined ? listeners.table[at] >>> 8 : checkedTos('setListenOptions', options.tos, ConfigError);
    if (options.ttl !== undefined) checkTtl('setListenOptions', options.ttl, ConfigError);
    listeners.table[at] = ipTosTtl(tos, options.ttl ?? listeners.table[at] & 0xff);
    if (options.mss !== undefined) listeners.table[listener * Lst.ROW + Lst.mss] = options.mss;
    if (options.userTimeoutMs !== undefined) listeners.table[listener * Lst.ROW + Lst.userTimeout] = options.userTimeoutMs;
    if (options.noOptions !== undefined) listeners.table[listener * Lst.ROW + Lst.noOptions] = options.noOptions ? 1 : 0;
  }

  /** A listener's MSS must be whole, at least 64 (as config.mss) and at most config.mss
   *  (the packet buffers are sized by it). */
  private checkMss(call: string, mss: number): void {
    const most = this.core.config.mss;
    if (!Number.isInteger(mss) || mss < 64 || mss > most) {
      throw new ConfigError(`slotcp ${call}: mss must be a whole number from 64 to config.mss (${most}), got ${mss}`);
    }
  }

  /** Stops listening. Connections not yet accepted are reset (half-open ones dropped), and
   *  the port goes back to the packet path (PacketPort.removePort). */
  unlisten(listener: number): void {
    const core = this.core;
    const listeners = core.listeners;
    if (!(listener >= 0 && listener < listeners.count)) return;
    const port = listeners.table[listener * Lst.ROW + Lst.port];
    if (port === 0) return;
    listeners.table[listener * Lst.ROW + Lst.port] = 0;
    listenerGone(core, listener);
    core.port.removePort?.(port);
  }

  /** Connections waiting in the listener's accept queue. */
  acceptable(listener: number): number {
    return pendingConnections(this.core, listener);
  }

  /** The oldest connection waiting on the listener, as a handle, or -1. */
  accept(listener: number): number {
    const { slots } = this.core;
    let best = -1;
    for (let s = 0; s < slots.count; s++) {
      const state = slots.tcb[s * Tcb.ROW + Tcb.state];
      if (state === State.Free || state === State.SynReceived || slots.tcb[s * Tcb.ROW + Tcb.listener] !== listener
        || (slots.tcb[s * Tcb.ROW + Tcb.flags] & Flag.Accepted)) continue;
      if (best < 0 || seqDiff(slots.tcb[s * Tcb.ROW + Tcb.acceptOrder], slots.tcb[best * Tcb.ROW + Tcb.acceptOrder]) < 0) best = s;
    }
    if (best < 0) return -1;
    slots.tcb[best * Tcb.ROW + Tcb.flags] |= Flag.Accepted;
    return this.core.handleOf(best);
  }

  /** Received bytes waiting to be read; -1 for a dead handle. */
  available(handle: number): number {
    const s = this.slot(handle, false);
    return s < 0 ? -1 : this.core.slots.tcb[s * Tcb.ROW + Tcb.rxLength];
  }

  /** True once the peer has closed and every byte it sent has been read. */
  ended(handle: number): boolean {
    const s = this.slot(handle, false);
    if (s < 0) return true;
    const tcb = this.core.slots.tcb;
    const row = s * Tcb.ROW;
    return (tcb[row + Tcb.flags] & Flag.PeerFin) !== 0 && tcb[row + Tcb.rxLength] === 0;
  }

  /** True once the peer's FIN has come, whether or not every byte it sent before has
   *  been read (ended() waits for that); true for a dead handle. */
  peerClosed(handle: number): boolean {
    const s = this.slot(handle, false);
    return s < 0 || (this.core.slots.tcb[s * Tcb.ROW + Tcb.flags] & Flag.PeerFin) !== 0;
  }

  /** Copies up to `length` received bytes into `into` at `offset`; returns the count, or
   *  -1 for a dead handle (a RangeError for an offset or length outside `into`, see
   *  checkRange). Reading may open the window: a window update goes out when it
   *  grows enough to matter (RFC 1122 §4.2.3.3). */
  read(handle: number, into: Uint8Array, offset = 0, length = into.length - offset): number {
    checkRange('read', into.length, offset, length);
    const s = this.slot(handle, false);
    if (s < 0) return -1;
    const count = rxTake(this.core, s, into, offset, length);
    this.consume(s, count);
    return count;
  }

  /** Reads up to `length` received bytes into a new ArrayBuffer (ECMA-419's read(); the
   *  app asked for a new buffer, so this allocates one, copied natively by slice()).
   *  Returns undefined when nothing waits or the handle is dead. `length` is a whole
   *  number, or Infinity for everything waiting. */
  readBuffer(handle: number, length: number): ArrayBuffer | undefined {
    if (!(length >= 0 && (Number.isInteger(length) || length === Infinity))) {
      throw new RangeError(`slotcp readBuffer: length ${length} is not a whole number of bytes`);
    }
    const core = this.core;
    const s = this.slot(handle, false);
    if (s < 0) return undefined;
    const slots = core.slots;
    const row = s * Tcb.ROW;
    const count = Math.min(length, slots.tcb[row + Tcb.rxLength]);
    if (count <= 0) return undefined;
    if (slots.tcb[row + Tcb.rxStart] + count <= slots.rxBytes) {
      const start = rxAddress(slots, s);
      const buffer = core.memory.slice(start, start + count).buffer;
      this.consume(s, count);
      return buffer;
    }
    const bytes = new Uint8Array(count);
    this.read(handle, bytes);
    return bytes.buffer;
  }

  /** Drops `count` bytes, copied out, from the front of slot s's rx ring; a window update
   *  goes out if the read opened the window enough to matter. */
  private consume(s: number, count: number): void {
    const core = this.core;
    if (readConsumed(core, s, count)) {
      core.tick();
      announceWindow(core, s);
    }
  }

  /** Send-buffer room; 0 once the app has closed or shut down writing, or while the
   *  bytes not yet sent have reached the connection's TCP_NOTSENT_LOWAT
   *  (setNotsentLowat, config.notsentLowat); -1 for a dead handle. */
  writable(handle: number): number {
    const s = this.slot(handle, false);
    if (s < 0) return -1;
    return sendRoom(this.core, s);
  }

  /** Queues up to `length` bytes for sending and sends what it may; returns the count
   *  queued (limited by writable()), -1 for a dead handle, or -2 when the send side is
   *  closed (shut down, or the connection past ESTABLISHED/CLOSE-WAIT) (a RangeError for
   *  an offset or length outside `from`, see checkRange; for `flags` other than
   *  WriteFlag bits). `flags`, as send(2)'s: WriteFlag.More (MSG_MORE): a part segment at
   *  the end waits, as under setCork, until the next write without it, an arriving segment
   *  or the persist timer's ceiling, and carries no PSH. WriteFlag.EndOfRecord (MSG_EOR):
   *  if all `length` bytes are taken, they end a record, and bytes written later never
   *  share a segment with them, sent or resent (Linux's semantics; see ring.ts
   *  markRecordEnd). */
  write(handle: number, from: Uint8Array, offset = 0, length = from.length - offset, flags = 0): number {
    checkRange('write', from.length, offset, length);
    if ((flags & ~(WriteFlag.More | WriteFlag.EndOfRecord)) !== 0 || (flags | 0) !== flags) {
      throw new RangeError(`slotcp write: flags must be WriteFlag bits (More 1, EndOfRecord 2), got ${flags}`);
    }
    const core = this.core;
    const s = this.slot(handle, false);
    if (s < 0) return -1;
    if (!sendOpen(core.slots, s)) return -2;
    const room = sendRoom(core, s);
    const count = txPut(core, s, from, offset, length < room ? length : room);
    if (count > 0) {
      const tcb = core.slots.tcb;
      const row = s * Tcb.ROW;
      // A write cut short by the buffer (or the low-water mark) pushes what it queued, as
      // Linux does before it waits for room: MSG_MORE holds only a write taken whole.
      const more = (flags & WriteFlag.More) !== 0 && count === length;
      if (more) tcb[row + Tcb.flags] |= Flag.More;
      else tcb[row + Tcb.flags] &= ~Flag.More;
      if ((flags & WriteFlag.EndOfRecord) !== 0 && count === length) {
        markRecordEnd(core.slots, s);
        // The record's end is a push point (PSH) unless its write said more follows.
        if (more) tcb[row + Tcb.flags] |= Flag.RecordMore;
        else tcb[row + Tcb.flags] &= ~Flag.RecordMore;
      }
      core.tick();
      output(core, s, false, count < length ? Push.All : Push.None);
    }
    return count;
  }

  /** Keepalive for one connection (RFC 1122 §4.2.3.6): a probe after `idleMs` without
   *  a segment from the peer, then every `intervalMs`; after `count` unanswered probes the
   *  connection is reset. idleMs 0 turns it off. Throws on a bad value; does nothing for a
   *  dead handle. */
  setKeepalive(handle: number, idleMs: number, intervalMs: number, count: number): void {
    const ms = (v: number) => Number.isInteger(v) && v >= 0 && v <= 0x3fffffff;
    if (!ms(idleMs) || !ms(intervalMs) || (idleMs > 0 && (intervalMs < 1 || !Number.isInteger(count) || count < 1 || count > 255))) {
      throw new RangeError('slotcp setKeepalive: whole idleMs and intervalMs up to 2^30 (interval at least 1), count 1..255');
    }
    const core = this.core;
    const s = this.slot(handle, true);
    if (s < 0) return;
    const tcb = core.slots.tcb;
    const row = s * Tcb.ROW;
    tcb[row + Tcb.keepIdle] = idleMs;
    tcb[row + Tcb.keepInterval] = intervalMs;
    tcb[row + Tcb.probes] = (tcb[row + Tcb.probes] & ~(0xff << Probes.Allowed)) | ((count & 0xff) << Probes.Allowed);
    restartKeepalive(core, s);
  }

  /** TCP_USER_TIMEOUT for one connection (ListenOptions.userTimeoutMs): from now on,
   *  data unacknowledged (or a zero window probed) for `ms` resets the connection, in
   *  place of config.maxRetries; 0 goes back to maxRetries. Throws a RangeError on a bad
   *  value; does nothing for a dead handle. */
  setUserTimeout(handle: number, ms: number): void {
    checkUserTimeout('setUserTimeout', ms, RangeError);
    const s = this.slot(handle, false);
    if (s >= 0) this.core.slots.tcb[s * Tcb.ROW + Tcb.userTimeout] = ms;
  }

  /** TCP_NOTSENT_LOWAT for one connection, bytes: it is writable (writable() above 0,
   *  the writable event, write() takes data) only while fewer bytes than this are queued
   *  and not yet sent; 0 goes back to config.notsentLowat. Throws a RangeError on a bad
   *  value; does nothing for a dead handle. */
  setNotsentLowat(handle: number, bytes: number): void {
    if (!Number.isInteger(bytes) || bytes < 0 || bytes > 0x3fffffff) { // config.notsentLowat's bound
      throw new RangeError(`slotcp setNotsentLowat: bytes must be a whole number up to 2^30, got ${bytes}`);
    }
    const s = this.slot(handle, false);
    if (s < 0) return;
    const core = this.core;
    const blocked = sendRoom(core, s) === 0;
    core.slots.tcb[s * Tcb.ROW + Tcb.notsentLowat] = bytes;
    // A mark raised (or taken away) may make a blocked writer writable: tell it, as
    // Linux's setsockopt wakes the socket's writers.
    if (blocked && sendRoom(core, s) > 0) {
      core.slots.tcb[s * Tcb.ROW + Tcb.flags] |= Event.Writable;
      this.requestDelivery();
    }
  }

  /** IP_TOS for one connection (ListenOptions.tos): its segments from now on (data, FIN,
   *  ACKs, RST) carry `tos`, ECN bits cleared. Throws a RangeError on a bad value; does
   *  nothing for a dead handle. */
  setTos(handle: number, tos: number): void {
    const checked = checkedTos('setTos', tos, RangeError);
    const s = this.slot(handle, false);
    if (s < 0) return;
    const at = s * Tcb.ROW + Tcb.tosTtlMss;
    const tcb = this.core.slots.tcb;
    tcb[at] = (tcb[at] & ~0xffff) | ipTosTtl(checked, tcb[at] & 0xff);
  }

  /** IP_TTL for one connection (ListenOptions.ttl), 1..255: as setTos. */
  setTtl(handle: number, ttl: number): void {
    checkTtl('setTtl', ttl, RangeError);
    const s = this.slot(handle, false);
    if (s < 0) return;
    const at = s * Tcb.ROW + Tcb.tosTtlMss;
    const tcb = this.core.slots.tcb;
    tcb[at] = (tcb[at] & ~0xffff) | ipTosTtl((tcb[at] >>> 8) & 0xff, ttl);
  }

  /** Nagle's algorithm on (false) or off (true) for one connection. Turning it off (as
   *  setting TCP_NODELAY in Linux, even when already set) sends what is held now, a part
   *  segment under setCork or MSG_MORE too; the cork holds again for later writes. */
  setNoDelay(handle: number, noDelay: boolean): void {
    const s = this.slot(handle, false);
    if (s < 0) return;
    const tcb = this.core.slots.tcb;
    const row = s * Tcb.ROW;
    if (noDelay) tcb[row + Tcb.flags] |= Flag.NoDelay;
    else tcb[row + Tcb.flags] &= ~Flag.NoDelay;
    if (noDelay) this.push(s, Push.All);
  }

  /** TCP_CORK for one connection (tcp(7)): while on, a part segment at the end of what
   *  was written waits for more (full segments still go), until the cork comes off (then
   *  it goes, Nagle permitting), setNoDelay(true), a close or the persist timer (at the
   *  RTO, with nothing in flight: Linux's 200 ms ceiling). */
  setCork(handle: number, cork: boolean): void {
    const s = this.slot(handle, false);
    if (s < 0) return;
    const tcb = this.core.slots.tcb;
    const row = s * Tcb.ROW;
    if (cork) {
      tcb[row + Tcb.flags] |= Flag.Corked;
    } else {
      tcb[row + Tcb.flags] &= ~Flag.Corked;
      this.push(s, Push.More);
    }
  }

  /** Sends what slot s holds that `push` lets go (setNoDelay, setCork); nothing to do
   *  (and no clock read) when nothing waits. */
  private push(s: number, push: Push): void {
    if (unsentBytes(this.core.slots, s) === 0) return;
    this.core.tick();
    output(this.core, s, false, push);
  }

  /** Closes the connection and lets go of the handle. With unread received data the
   *  connection is reset at once (RFC 2525 §2.17, RFC 9293 SHLD-3); otherwise a FIN
   *  follows the queued data and the slot is freed when the close completes. */
  close(handle: number): void {
    const s = this.slot(handle, true);
    if (s >= 0) appClose(this.core, s);
  }

  /** Closes like close(), with a deadline (SO_LINGER {1, N}): if what was written and
   *  our FIN are not acknowledged within `lingerMs`, the connection is reset. 0 resets at
   *  once, like abort(). */
  closeWithin(handle: number, lingerMs: number): void {
    if (!Number.isInteger(lingerMs) || lingerMs < 0 || lingerMs > 0x3fffffff) {
      throw new RangeError(`slotcp closeWithin: lingerMs must be a whole number of ms up to 2^30, got ${lingerMs}`);
    }
    if (lingerMs === 0) {
      this.abort(handle);
      return;
    }
    const s = this.slot(handle, true);
    if (s < 0) return;
    appClose(this.core, s);
    armLinger(this.core, s, lingerMs);
  }

  /** Half-close (shutdown SHUT_WR): a FIN follows the queued data; reading goes on. */
  shutdown(handle: number): void {
    const s = this.slot(handle, true);
    if (s >= 0) appShutdown(this.core, s);
  }

  /** Resets the connection (RST) and lets go of the handle. */
  abort(handle: number): void {
    const s = this.slot(handle, true);
    if (s >= 0) appAbort(this.core, s);
  }

  /** The peer's IPv4 address (unsigned), or -1 for a dead handle. */
  remoteAddress(handle: number): number {
    const s = this.slot(handle, false);
    return s < 0 ? -1 : this.core.slots.tcb[s * Tcb.ROW + Tcb.remoteAddr] >>> 0;
  }

  /** The peer's port, or -1 for a dead handle. */
  remotePort(handle: number): number {
    const s = this.slot(handle, false);
    return s < 0 ? -1 : this.core.slots.tcb[s * Tcb.ROW + Tcb.ports] & 0xffff;
  }

  /** The connection's RFC 9293 state name, or 'CLOSED' for a dead handle. */
  state(handle: number): string {
    const s = this.slot(handle, false);
    return s < 0 ? 'CLOSED' : stateNames[this.core.slots.tcb[s * Tcb.ROW + Tcb.state]];
  }

  /** Fills `into` with the connection's TCP variables; false (and `into` untouched) for
   *  a dead handle. Changes nothing. */
  info(handle: number, into: TcpInfo): boolean {
    const s = this.slot(handle, false);
    if (s < 0) return false;
    const tcb = this.core.slots.tcb;
    const row = s * Tcb.ROW;
    into.state = stateNames[tcb[row + Tcb.state]];
    into.rto = tcb[row + Tcb.rto];
    into.srtt = tcb[row + Tcb.srtt8] >> 3;
    into.rttvar = tcb[row + Tcb.rttvar4] >> 2;
    into.cwnd = tcb[row + Tcb.cwnd];
    into.ssthresh = tcb[row + Tcb.ssthresh];
    into.unacked = Math.max(0, seqDiff(tcb[row + Tcb.sndMax], tcb[row + Tcb.sndUna]));
    into.retransmits = tcb[row + Tcb.retries];
    into.probes = (tcb[row + Tcb.probes] >>> Probes.Persist) & 0xff;
    into.mss = tcb[row + Tcb.mss];
    into.advMss = tcb[row + Tcb.tosTtlMss] >>> 16;
    into.sackOk = (tcb[row + Tcb.flags] & Flag.Sack) !== 0;
    const windowScale = (tcb[row + Tcb.probes] >>> Probes.WindowScale) & 0xff;
    into.sndWscale = windowScale === 0 ? -1 : windowScale & WindowScale.SHIFT_MASK;
    into.userTimeout = tcb[row + Tcb.userTimeout];
    into.notsentLowat = tcb[row + Tcb.notsentLowat];
    into.tos = (tcb[row + Tcb.tosTtlMss] >>> 8) & 0xff;
    into.ttl = tcb[row + Tcb.tosTtlMss] & 0xff;
    into.sndWnd = tcb[row + Tcb.sndWnd];
    into.recovery = (tcb[row + Tcb.flags] & Flag.Recovery) !== 0;
    into.afterTimeout = (tcb[row + Tcb.flags] & Flag.AfterTimeout) !== 0;
    into.dupAcks = tcb[row + Tcb.dupAcks];
    into.sacked = sackedBelow(this.core.slots, s, highestSacked(this.core.slots, s)); // every SACKed byte
    into.lost = lostBytes(this.core.slots, s, false);
    into.retrans = lostBytes(this.core.slots, s, true);
    into.reordering = tcb[row + Tcb.rackStats] >>> RackStats.REORDERING_SHIFT;
    into.rxQueued = tcb[row + Tcb.rxLength];
    into.txQueued = tcb[row + Tcb.txLength];
    return true;
  }

  /** Every slot in use and every TIME-WAIT record, for a netstat-like listing. */
  connections(): ConnectionInfo[] {
    const core = this.core;
    const { slots } = core;
    const rows: ConnectionInfo[] = [];
    for (let s = 0; s < slots.count; s++) {
      if (slots.tcb[s * Tcb.ROW + Tcb.state] === State.Free) continue;
      rows.push({
        handle: core.handleOf(s), state: stateNames[slots.tcb[s * Tcb.ROW + Tcb.state]], localPort: slots.tcb[s * Tcb.ROW + Tcb.ports] >>> 16,
        remoteAddr: slots.tcb[s * Tcb.ROW + Tcb.remoteAddr] >>> 0, remotePort: slots.tcb[s * Tcb.ROW + Tcb.ports] & 0xffff, rxQueued: slots.tcb[s * Tcb.ROW + Tcb.rxLength],
        txQueued: slots.tcb[s * Tcb.ROW + Tcb.txLength],
      });
    }
    core.timeWait.forEach(core.tick(), (remoteAddr, remotePort, localPort) => {
      rows.push({ handle: -1, state: 'TIME-WAIT', localPort, remoteAddr: remoteAddr >>> 0, remotePort, rxQueued: 0, txQueued: 0 });
    });
    return rows;
  }

  /** Slots in use, and TIME-WAIT records held. */
  usage(): { slotsInUse: number; timeWait: number } {
    const { slots, timeWait } = this.core;
    let inUse = 0;
    for (let s = 0; s < slots.count; s++) if (slots.tcb[s * Tcb.ROW + Tcb.state] !== State.Free) inUse++;
    return { slotsInUse: inUse, timeWait: timeWait.size };
  }
}
