// A test bench for the engine: a virtual clock, a seeded random source (host/prng.ts), a port that
// captures what the stack sends (decoded by the script runner's decoder,
// host/pkt/segments.ts), and a client model that builds segments, so tests can state
// exact wire expectations.
import { bytesUnderTest } from './bytes-under-test';
import assert from 'node:assert/strict';
import { StackConfig } from '../../firmware/tcp/config';
import { ListenOptions } from '../../firmware/tcp/stack';
import { Clock, PacketPort } from '../../firmware/tcp/platform';
import { Stack } from '../../firmware/tcp/stack';
import { ACK, FIN, PSH, SYN, flagLetters, parseIpv4 } from '../../firmware/tcp/wire';
import { writeClientSegment } from '../../host/packet';
import { SentSegment, decodeSegment } from '../../host/pkt/segments';
import { Prng } from '../../host/prng';
import { strictTransitions } from '../../firmware/tcp/connection';

// An illegal state change (connection.ts) throws here, where production only counts it.
strictTransitions(true);

export const SERVER = parseIpv4('192.0.2.2');
export const CLIENT = parseIpv4('192.0.2.1');

export class VirtualClock implements Clock {
  time = 0;
  now(): number {
    return this.time;
  }
}

/** When the bench's stack sent a segment, in virtual ms. */
export function sentMs(s: SentSegment): number {
  return s.usecs / 1000;
}

/** TCP flags as packetdrill writes them. */
export const flagString = flagLetters;

export interface SegmentSpec {
  src?: number;
  dst?: number;
  srcPort?: number;
  dstPort: number;
  seq: number;
  ack?: number;
  flags: number;
  window?: number;
  mss?: number;
  /** More option bytes after the MSS option (a multiple of 4 long). */
  options?: number[];
  data?: Uint8Array | string;
}

/** Builds an IPv4/TCP packet as a client would send it. */
export function buildPacket(spec: SegmentSpec): Uint8Array {
  const data = typeof spec.data === 'string' ? new TextEncoder().encode(spec.data) : (spec.data ?? new Uint8Array(0));
  const options = spec.options ?? [];
  const buf = new Uint8Array(64 + options.length + data.length);
  const length = writeClientSegment(buf, {
    srcAddr: spec.src ?? CLIENT, dstAddr: spec.dst ?? SERVER, srcPort: spec.srcPort ?? 40000, dstPort: spec.dstPort, seq: spec.seq,
    ack: spec.ack ?? 0, flags: spec.flags, window: spec.window ?? 65535, mss: spec.mss ?? 0, options, data, dataLength: data.length,
  });
  return buf.slice(0, length);
}

export class Bench {
  readonly clock = new VirtualClock();
  readonly sent: SentSegment[] = [];
  /** Every packet sent, as bytes (IPv4 header included). */
  readonly sentPackets: Uint8Array[] = [];
  readonly stack: Stack;
  /** The local link refuses every packet (PacketPort.send answers false; none is kept). */
  refusing = false;
  private cursor = 0;

  constructor(config: Partial<StackConfig> = {}, seed = 1) {
    const port: PacketPort = {
      send: (packet, length) => {
        if (this.refusing) return false;
        this.sentPackets.push(packet.slice(0, length));
        this.sent.push(decodeSegment(packet.slice(0, length), this.clock.time * 1000));
      },
    };
    this.stack = new Stack({ localAddr: SERVER, ...config }, port, this.clock, new Prng(seed), bytesUnderTest());
  }

  /** Hands a segment to the stack; returns what it sent in reply. */
  send(spec: SegmentSpec): SentSegment[] {
    this.stack.receive(buildPacket(spec));
    return this.take();
  }

  /** Segments sent since the last take(). */
  take(): SentSegment[] {
    const out = this.sent.slice(this.cursor);
    this.cursor = this.sent.length;
    return out;
  }

  /** Moves the clock forward by `ms`, running every timer when it falls due, as a
   *  platform would. Returns what was sent meanwhile. */
  advance(ms: number): SentSegment[] {
    const target = this.clock.time + ms;
    for (let guard = 0; guard < 100000; guard++) {
      const due = this.stack.nextDeadline();
      if (due < 0 || due > target) break;
      this.clock.time = Math.max(this.clock.time, due);
      this.stack.poll();
    }
    this.clock.time = target;
    return this.take();
  }
}

/** One client connection's view of the sequence spaces, for relative numbering. */
export class Client {
  readonly bench: Bench;
  readonly port: number;
  readonly serverPort: number;
  /** Client's next sequence number and the server's (as acknowledged by us). */
  seq: number;
  readonly isn: number;
  serverIsn = 0;
  ack = 0;
  window = 65535;

  constructor(bench: Bench, serverPort: number, port = 40000, isn = 1000) {
    this.bench = bench;
    this.serverPort = serverPort;
    this.port = port;
    this.seq = isn;
    this.isn = isn;
  }

  segment(flags: number, extra: Partial<SegmentSpec> = {}): SentSegment[] {
    return this.bench.send({ srcPort: this.port, dstPort: this.serverPort, seq: this.seq, ack: this.ack, flags,
      window: this.window, ...extra });
  }

  /** SYN → SYN-ACK, numbers recorded, the handshake's ACK not yet sent. Returns the
   *  SYN-ACK. `options`: more SYN options after the MSS (e.g. SACK-permitted). */
  syn(mss = 1460, options?: number[]): SentSegment {
    const replies = this.segment(SYN, { mss, ack: 0, options });
    assert.equal(replies.length, 1, 'one SYN-ACK');
    const synAck = replies[0];
    assert.equal(flagString(synAck.flags), 'S.');
    assert.equal(synAck.ack, (this.seq + 1) >>> 0);
    this.serverIsn = synAck.seq;
    this.seq = (this.seq + 1) >>> 0;
    this.ack = (synAck.seq + 1) >>> 0;
    return synAck;
  }

  /** SYN → SYN-ACK → ACK. Returns the SYN-ACK. */
  connect(mss = 1460, options?: number[]): SentSegment {
    const synAck = this.syn(mss, options);
    assert.deepEqual(this.segment(ACK), [], 'no reply to the handshake ACK');
    return synAck;
  }

  /** Sends data (ACK|PSH) and advances our sequence number. */
  write(data: string | Uint8Array, flags = ACK | PSH): SentSegment[] {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const replies = this.segment(flags, { data: bytes });
    this.seq = (this.seq + bytes.length) >>> 0;
    return replies;
  }

  fin(): SentSegment[] {
    const replies = this.segment(FIN | ACK);
    this.seq = (this.seq + 1) >>> 0;
    return replies;
  }

  /** Server sequence number relative to its ISN. */
  rel(serverSeq: number): number {
    return (serverSeq - this.serverIsn) >>> 0;
  }
}

/** A sent segment in packetdrill's relative numbering: seq relative to the server's
 *  ISN, ack relative to the client's ISN. */
export interface Wire {
  flags: string;
  seq: number;
  ack: number;
  len: number;
  win: number;
}

export function wire(client: Client, s: SentSegment): Wire {
  return {
    flags: flagString(s.flags),
    seq: (s.seq - client.serverIsn) >>> 0,
    ack: s.flags & ACK ? (s.ack - client.isn) >>> 0 : 0,
    len: s.payload.length,
    win: s.window,
  };
}

export function wires(client: Client, list: SentSegment[]): Wire[] {
  return list.map((s) => wire(client, s));
}

/** A stack listening on port 80 with one client connected and accepted; `errors` collects
 *  the connection errors the app is told of. */
export function established(config: Partial<StackConfig> = {}, options: ListenOptions = {}, clientIsn = 1000) {
  const bench = new Bench(config);
  bench.stack.listen(80, options);
  const c = new Client(bench, 80, 40000, clientIsn);
  c.connect();
  const h = bench.stack.accept(0);
  const errors: number[] = [];
  bench.stack.setEvents({ acceptable() {}, readable() {}, writable() {}, ended() {}, error: (_h, e) => errors.push(e) });
  return { bench, c, h, stack: bench.stack, errors };
}
