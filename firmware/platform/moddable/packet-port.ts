// The device packet path: slotcp's PacketPort over lwIP, through the native module in
// slotcp_lwip.c (raw pcb, filter, ring, send) and slotcp_xs.c (host functions, wake-up).
//
//   const port = new LwipPacketPort();
//   const stack = new Stack({ localAddr }, port, new TicksClock(), new MathRandomSource());
//   const poller = new PollTimer(stack, clock);
//   port.start(stack, localAddr, { afterReceive: () => poller.reschedule() });
//   port.addPort(7);                       // with every stack.listen(7) / layer.listen({port: 7})
//
// lwIP keeps every TCP segment that is not for slotcp's address and listening ports, so
// lwIP's own TCP (HTTP client, OTA, the debugger's connection) keeps working next to
// slotcp. A port slotcp listens on must not be one lwIP uses: keep them below 49152,
// where lwIP picks its local ports.
import type { PacketPort } from '../../tcp/platform';
import type { Stack } from '../../tcp/stack';
import Timer from 'timer';
import LwipRaw from './lwip-raw';

/** The packet path's counters since start(). */
export interface LwipPortCounters {
  /** Segments for slotcp copied into the ring. */
  eaten: number;
  /** Segments for slotcp dropped because the ring was full (the peer retransmits). */
  droppedRingFull: number;
  /** Segments for slotcp dropped because they were larger than a ring slot. */
  droppedTooBig: number;
  /** TCP segments the raw pcb saw and left to lwIP's own TCP (with a localAddr: those
   *  to that address for ports slotcp does not listen on). */
  passedToLwip: number;
  /** Wake-up messages posted to JS, and those that could not be posted. */
  wakes: number;
  wakeFailures: number;
  /** Packets lwIP accepted for sending, and packets it (or the check before it) refused. */
  sent: number;
  sendErrors: number;
  /** Packets handed to stack.receive(). */
  received: number;
}

export interface LwipPortOptions {
  /** Packets handed to the stack per wake-up before the JS thread is let go (timers and
   *  other messages run), the rest following from an immediate timer. Default: the
   *  ring's size. */
  batch?: number;
  /** Runs after each batch of packets went to the stack, e.g. to re-arm the poll timer. */
  afterReceive?: () => void;
}

/** Idle interval of the continuation timer: it stays allocated, unscheduled. */
const PARKED_MS = 0x3fffffff;

/** lwIP's err_t values for "no buffer now" (lwip/err.h): ERR_MEM out of memory, ERR_BUF
 *  buffer error (the netif's transmit queue full). */
const enum LwipErr {
  Mem = -1,
  Buf = -2,
}

export class LwipPacketPort implements PacketPort {
  /** The build's ring size, bytes per ring slot and port-table size (manifest defines
   *  slotcp.ring.packets, slotcp.ring.packet_bytes, slotcp.ports). */
  readonly ringPackets: number;
  readonly packetBytes: number;
  readonly maxPorts: number;

  private readonly rx: Uint8Array;
  private readonly raw: Uint32Array;
  private readonly values: LwipPortCounters = {
    eaten: 0, droppedRingFull: 0, droppedTooBig: 0, passedToLwip: 0,
    wakes: 0, wakeFailures: 0, sent: 0, sendErrors: 0, received: 0,
  };
  private stack: Stack | null = null;
  private batch = 0;
  private afterReceive: (() => void) | undefined = undefined;
  private received = 0;
  private continuation: Timer | undefined = undefined;
  private readonly wake = (): void => {
    this.service();
  };

  constructor() {
    const config = new Uint32Array(4);
    LwipRaw.config(config);
    this.ringPackets = config[0];
    this.packetBytes = config[1];
    this.maxPorts = config[2];
    this.raw = new Uint32Array(config[3]);
    this.rx = new Uint8Array(this.packetBytes);
  }

  /** Takes slotcp's segments from lwIP and hands them to `stack`. `localAddr` is the
   *  stack's config.localAddr (0: any address of the board). Throws when already
   *  started or when lwIP has no raw pcb to give. */
  start(stack: Stack, localAddr: number, options: LwipPortOptions = {}): void {
    if (this.stack) throw new Error('slotcp: packet port already started');
    const batch = options.batch ?? this.ringPackets;
    if (!(batch >= 1)) throw new RangeError('slotcp: batch must be at least 1');
    this.batch = batch;
    this.afterReceive = options.afterReceive;
    this.received = 0;
    LwipRaw.start(this.wake, localAddr >>> 0);
    this.stack = stack;
  }

  /** Gives every segment back to lwIP; packets still in the ring are dropped. */
  stop(): void {
    if (!this.stack) return;
    LwipRaw.stop();
    this.stack = null;
    if (this.continuation) Timer.schedule(this.continuation);
  }

  /** Takes segments for `port` from now on (mirror every listen()). False when the
   *  port table is full. */
  addPort(port: number): boolean {
    return LwipRaw.addPort(port);
  }

  /** Leaves segments for `port` to lwIP again. False when it was not in the table. */
  removePort(port: number): boolean {
    return LwipRaw.removePort(port);
  }

  /** PacketPort: sends through lwIP's raw_sendto. A packet refused for want of buffers
   *  (ERR_MEM, ERR_BUF: the Wi-Fi transmit queue is full) answers false, so new data it
   *  carried stays unsent and is retried; any other refusal is counted (sendErrors) and
   *  otherwise treated as lost: TCP retransmits. */
  send(packet: Uint8Array, length: number): boolean {
    const status = LwipRaw.send(packet, length);
    return status !== LwipErr.Mem && status !== LwipErr.Buf;
  }

  /** Hands waiting packets to the stack, at most `batch` of them; returns the count. Runs
   *  on every wake-up; calling it at other times is harmless. */
  service(): number {
    const stack = this.stack;
    if (!stack) return 0;
    // Reading into the stack's own input buffer lets it move the payload with copyWithin.
    const rx = stack.inputBuffer.length >= this.packetBytes ? stack.inputBuffer : this.rx;
    let count = 0;
    while (count < this.batch) {
      const length = LwipRaw.read(rx);
      if (length === 0) break;
      this.received++;
      count++;
      stack.receive(rx, length);
    }
    if (count === this.batch) this.continueSoon();
    if (count > 0 && this.afterReceive) this.afterReceive();
    return count;
  }

  /** The counters since start(), in one object that is refilled by every call. */
  counters(): LwipPortCounters {
    const raw = this.raw;
    const v = this.values;
    LwipRaw.counters(raw);
    v.eaten = raw[0];
    v.droppedRingFull = raw[1];
    v.droppedTooBig = raw[2];
    v.passedToLwip = raw[3];
    v.wakes = raw[4];
    v.wakeFailures = raw[5];
    v.sent = raw[6];
    v.sendErrors = raw[7];
    v.received = this.received;
    return v;
  }

  /** The ring may hold more than one batch: finish from an immediate timer, after the
   *  timers and messages already due. The timer is made once and parked in between. */
  private continueSoon(): void {
    if (!this.continuation) {
      this.continuation = Timer.repeat((timer) => {
        Timer.schedule(timer);
        this.service();
      }, PARKED_MS);
    }
    Timer.schedule(this.continuation, 0, PARKED_MS);
  }
}
