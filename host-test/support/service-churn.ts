// The example services' driver: whole requests to a service (firmware/apps) on a virtual
// clock without allocating. Client segments are built as ChurnDriver builds them (one
// ClientSegment record, written into the stack's input buffer), the stack's replies are
// read field by field as they are sent, and app timers (hold:MS) live in fixed arrays. Portable (no Node APIs), so the same driver runs on Node
// and on XS, where the heap counter shows what the services allocate per request.
import { StackConfig } from '../../firmware/tcp/config';
import { SocketLayer } from '../../firmware/tcp/socket';
import { Stack } from '../../firmware/tcp/stack';
import { ACK, FIN, PSH, RST, SYN } from '../../firmware/tcp/wire';
import { newClientSegment, writeClientSegment } from '../../host/packet';
import { CLIENT, PORT, SERVER } from './churn';
import { Cancel, Scheduler } from '../../firmware/apps/scheduler';
import { Service } from '../../firmware/apps/service';
import { startService } from '../../firmware/apps/services';
import { Prng } from '../../host/prng';
import { strictTransitions } from '../../firmware/tcp/connection';

// An illegal state change (connection.ts) throws here, where production only counts it.
strictTransitions(true);

/** App timers in fixed arrays: after() reuses a free entry and returns that entry's
 *  Cancel, made once. */
class FixedScheduler implements Scheduler {
  private readonly at: Float64Array;
  private readonly fns: ((() => void) | undefined)[] = [];
  private readonly cancels: Cancel[] = [];

  constructor(private readonly driver: ServiceDriver, capacity: number) {
    this.at = new Float64Array(capacity);
    for (let i = 0; i < capacity; i++) {
      this.fns.push(undefined);
      this.cancels.push({ cancel: () => { this.fns[i] = undefined; } });
    }
  }

  now(): number { return this.driver.time; }

  after(ms: number, fn: () => void): Cancel {
    for (let i = 0; i < this.fns.length; i++) {
      if (this.fns[i] !== undefined) continue;
      this.fns[i] = fn;
      this.at[i] = this.driver.time + ms;
      return this.cancels[i];
    }
    throw new Error('FixedScheduler: no free timer');
  }

  /** The index of the earliest timer due by `target`, or -1. */
  due(target: number): number {
    let best = -1;
    for (let i = 0; i < this.fns.length; i++) {
      if (this.fns[i] !== undefined && this.at[i] <= target && (best < 0 || this.at[i] < this.at[best])) best = i;
    }
    return best;
  }

  fire(i: number): void {
    const fn = this.fns[i] as () => void;
    this.fns[i] = undefined;
    fn();
  }

  whenDue(i: number): number { return this.at[i]; }
}

/** What the client does in one request. */
export interface RequestPlan {
  /** Bytes sent after the handshake (at most one segment). */
  request: Uint8Array;
  /** Send FIN right after the request (echo, discard), or only after the server's FIN. */
  finFirst: boolean;
}

export class ServiceDriver {
  readonly stack: Stack;
  readonly layer: SocketLayer;
  readonly service: Service;
  time = 0;
  /** Bytes of the server's first segment with data (the start of a reply), for checks. */
  readonly firstBytes = new Uint8Array(16);
  received = 0;
  finSeen = false;
  rstSeen = false;
  private readonly scheduler: FixedScheduler;
  private readonly packet: Uint8Array;
  /** The one record every client segment is built from. */
  private readonly segment = newClientSegment();
  private readonly plan: RequestPlan;
  private synAckSeen = false;
  private rcvNxt = 0;
  private ackedTo = 0;

  constructor(spec: string, plan: RequestPlan, config: Partial<StackConfig> = {}) {
    const clock = { now: () => this.time };
    const port = { send: (p: Uint8Array, length: number) => this.capture(p, length) };
    this.stack = new Stack({ localAddr: SERVER >>> 0, ...config }, port, clock, new Prng(12345));
    this.layer = new SocketLayer(this.stack);
    this.scheduler = new FixedScheduler(this, this.stack.config.slots * 2);
    this.service = startService({ layer: this.layer, scheduler: this.scheduler }, PORT, spec);
    this.packet = this.stack.inputBuffer;
    this.plan = plan;
    const s = this.segment;
    s.srcAddr = CLIENT;
    s.dstAddr = SERVER;
    s.dstPort = PORT;
    s.window = 65535;
  }

  /** Reads what the stack sent, as the client would take it in (a lossless link). */
  private capture(p: Uint8Array, length: number): void {
    const t = (p[0] & 15) * 4;
    const seq = ((p[t + 4] << 24) | (p[t + 5] << 16) | (p[t + 6] << 8) | p[t + 7]) | 0;
    const flags = p[t + 13];
    const data = t + (p[t + 12] >>> 4) * 4;
    const dataLength = length - data;
    if (flags & RST) { this.rstSeen = true; return; }
    if (flags & SYN) {
      this.synAckSeen = true;
      this.rcvNxt = (seq + 1) | 0;
      return;
    }
    if (dataLength > 0 && seq === this.rcvNxt) {
      for (let i = 0; i < dataLength && this.received + i < this.firstBytes.length; i++) {
        this.firstBytes[this.received + i] = p[data + i];
      }
      this.received += dataLength;
      this.rcvNxt = (this.rcvNxt + dataLength) | 0;
    }
    if ((flags & FIN) && ((seq + dataLength) | 0) === this.rcvNxt) {
      this.rcvNxt = (this.rcvNxt + 1) | 0;
      this.finSeen = true;
    }
  }

  private send(clientPort: number, seq: number, flags: number, data: Uint8Array | undefined): void {
    const s = this.segment;
    s.srcPort = clientPort;
    s.seq = seq;
    s.ack = flags & ACK ? this.rcvNxt : 0;
    s.flags = flags;
    s.mss = flags & SYN ? 1460 : 0;
    if (data !== undefined) s.data = data;
    s.dataLength = data === undefined ? 0 : data.length;
    const length = writeClientSegment(this.packet, s);
    if (flags & ACK) this.ackedTo = this.rcvNxt;
    this.time++;
    this.stack.receive(this.packet, length);
  }

  /** Moves the clock forward by `ms`, running app and stack timers when due. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (let guard = 0; guard < 1000; guard++) {
      const app = this.scheduler.due(target);
      const stackDue = this.stack.nextDeadline();
      const stackNext = stackDue >= 0 && stackDue <= target ? stackDue : -1;
      if (app < 0 && stackNext < 0) break;
      if (app >= 0 && (stackNext < 0 || this.scheduler.whenDue(app) <= stackNext)) {
        if (this.scheduler.whenDue(app) > this.time) this.time = this.scheduler.whenDue(app);
        this.scheduler.fire(app);
      } else {
        if (stackNext > this.time) this.time = stackNext;
        this.stack.poll();
      }
    }
    this.time = target;
  }

  /** One request on `clientPort`: handshake, the plan's bytes (and FIN), ACKs for all
   *  the server sends until its FIN, then the client's FIN or last ACK. Returns the
   *  bytes received, or -1 if the server reset or never closed. */
  request(clientPort: number, clientIsn: number): number {
    this.received = 0;
    this.finSeen = false;
    this.rstSeen = false;
    const plan = this.plan;
    this.synAckSeen = false;
    let seq = clientIsn | 0;
    this.send(clientPort, seq, SYN, undefined);
    if (!this.synAckSeen) return -1;
    seq = (seq + 1) | 0;
    this.send(clientPort, seq, ACK, undefined);
    if (plan.request.length > 0) {
      this.send(clientPort, seq, ACK | PSH, plan.request);
      seq = (seq + plan.request.length) | 0;
    }
    let finSent = false;
    if (plan.finFirst) {
      this.send(clientPort, seq, FIN | ACK, undefined);
      seq = (seq + 1) | 0;
      finSent = true;
    }
    for (let step = 0; step < 10000 && !this.finSeen && !this.rstSeen; step++) {
      if (this.ackedTo !== this.rcvNxt) this.send(clientPort, seq, ACK, undefined);
      else this.advance(5);
    }
    if (this.rstSeen || !this.finSeen) return -1;
    if (finSent) this.send(clientPort, seq, ACK, undefined);
    else this.send(clientPort, seq, FIN | ACK, undefined);
    return this.rstSeen ? -1 : this.received;
  }

  /** Runs `count` requests from rotating client ports; returns how many got a reply
   *  whose first bytes are `expect` and whose length is at least `minBytes`. */
  run(count: number, firstPort: number, minBytes: number, expect?: Uint8Array): number {
    let ok = 0;
    for (let i = 0; i < count; i++) {
      const port = 1024 + ((firstPort + i) % 64000);
      const got = this.request(port, Math.imul(firstPort + i, 7919 * 65536));
      if (got < minBytes) continue;
      let same = true;
      if (expect !== undefined) for (let k = 0; k < expect.length; k++) if (this.firstBytes[k] !== expect[k]) same = false;
      if (same) ok++;
    }
    return ok;
  }
}
