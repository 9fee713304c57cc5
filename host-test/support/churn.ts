// The client model that drives the stack through whole connections without allocating,
// for the allocation tests and every benchmark (bench:xs, bench:device, bench:bytes and
// npm run bench): packets are built in one preallocated buffer from one ClientSegment
// record (host/packet.ts) and the stack's replies are read field by field as they are
// sent. Portable (no Node APIs), so the same driver runs on Node and on XS.
//
// bench/lwip/harness.c runs the benchmark workloads on lwIP with the same bytes on the
// wire: same ports, sequence numbers, flags, window, MSS option and payload pattern.
// Change one, change the other.
import { bytesUnderTest } from './bytes-under-test';
import { BytePrimitives, jsBytes } from '../../firmware/tcp/bytes';
import { StackConfig } from '../../firmware/tcp/config';
import { Stack } from '../../firmware/tcp/stack';
import { ACK, FIN, PSH, SYN, finishPacket } from '../../firmware/tcp/wire';
import { newClientSegment, writeClientSegment, writeHeaders } from '../../host/packet';
import { Prng } from '../../host/prng';
import { strictTransitions } from '../../firmware/tcp/connection';

// An illegal state change (connection.ts) throws here, where production only counts it.
strictTransitions(true);

export const SERVER = 0xc0000202 | 0; // 192.0.2.2
export const CLIENT = 0xc0000201 | 0; // 192.0.2.1
export const PORT = 80;

export const SEGMENT_BYTES = 1460;
export const ECHO_BYTES = 100;
export const STREAM_PORT = 5000;
/** One listener, 4 slots, 8 TIME-WAIT records: the churn workload's configuration. */
export const churnConfig: Partial<StackConfig> = { slots: 4, timeWaitCapacity: 8, mss: 1460, rxBytes: 4096, txBytes: 4096 };
/** One connection receiving full segments: the streaming workload's configuration. */
export const streamConfig: Partial<StackConfig> = { mss: 1460, rxBytes: 8192, txBytes: 4096 };

export class ChurnDriver {
  readonly stack: Stack;
  readonly listener: number;
  time = 0;
  /** The last segment the stack sent, and how many it has sent. */
  sentSeq = 0;
  sentAck = 0;
  sentFlags = 0;
  sentLength = 0;
  sentCount = 0;
  /** Where client packets are built: the stack's input buffer (the fast path a platform
   *  uses), or a buffer of our own when `ownBuffer` is set. */
  private readonly packet: Uint8Array;
  private readonly appBuffer = new Uint8Array(SEGMENT_BYTES);
  private readonly payload: Uint8Array;
  /** The one record every client segment is built from. */
  private readonly segment = newClientSegment();
  /** The stack's byte primitives, which stream() checksums its segments with too. */
  private readonly bytes: BytePrimitives;

  /** `bytes`: the stack's byte primitives (default: bytesUnderTest(), else jsBytes). */
  constructor(config: Partial<StackConfig>, payloadBytes = 100, ownBuffer = false, bytes?: BytePrimitives) {
    const clock = { now: () => this.time };
    const port = { send: (p: Uint8Array, length: number) => this.capture(p, length) };
    this.bytes = bytes ?? bytesUnderTest() ?? jsBytes;
    this.stack = new Stack({ localAddr: SERVER >>> 0, ...config }, port, clock, new Prng(12345), this.bytes);
    this.listener = this.stack.listen(PORT);
    this.packet = ownBuffer ? new Uint8Array(1600) : this.stack.inputBuffer;
    this.payload = new Uint8Array(payloadBytes);
    for (let i = 0; i < payloadBytes; i++) this.payload[i] = i & 0xff;
    const s = this.segment;
    s.dstAddr = SERVER;
    s.dstPort = PORT;
    s.window = 65535;
    s.data = this.payload;
  }

  private capture(p: Uint8Array, length: number): void {
    const t = (p[0] & 15) * 4;
    this.sentSeq = ((p[t + 4] << 24) | (p[t + 5] << 16) | (p[t + 6] << 8) | p[t + 7]) | 0;
    this.sentAck = ((p[t + 8] << 24) | (p[t + 9] << 16) | (p[t + 10] << 8) | p[t + 11]) | 0;
    this.sentFlags = p[t + 13];
    this.sentLength = length - t - (p[t + 12] >>> 4) * 4;
    this.sentCount++;
  }

  /** Build packets but do not hand them to the stack: measures the client model's own
   *  cost, so benchmarks can subtract it. */
  buildOnly = false;

  /** Sends one client segment, with `dataLength` bytes of the payload pattern. */
  send(clientPort: number, seq: number, ack: number, flags: number, dataLength: number): void {
    this.sendFrom(CLIENT, clientPort, seq, ack, flags, dataLength);
  }

  private sendFrom(src: number, clientPort: number, seq: number, ack: number, flags: number, dataLength: number): void {
    const s = this.segment;
    s.srcAddr = src;
    s.srcPort = clientPort;
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.mss = flags & SYN ? 1460 : 0;
    s.dataLength = dataLength;
    // Read into a local on both paths: what runs only when not buildOnly counts as the stack's cost.
    const p = this.packet;
    const length = writeClientSegment(p, s);
    this.time++;
    if (!this.buildOnly) this.stack.receive(p, length);
  }

  /** One full connection: handshake, `payload` bytes in, the same echoed out, server
   *  close, the client's FIN+ACK, TIME-WAIT. Returns false if the stack misbehaved. */
  connection(clientPort: number, clientIsn: number): boolean {
    const stack = this.stack;
    const n = this.payload.length;
    const model = this.buildOnly; // build the same four packets, skip the stack
    this.send(clientPort, clientIsn, 0, SYN, 0);
    if (!model && this.sentFlags !== (SYN | ACK)) return false;
    const serverIsn = this.sentSeq;
    this.send(clientPort, clientIsn + 1, serverIsn + 1, ACK, 0);
    this.send(clientPort, clientIsn + 1, serverIsn + 1, ACK | PSH, n);
    if (!model) {
      const h = stack.accept(this.listener);
      if (h < 0 || stack.read(h, this.appBuffer, 0, n) !== n) return false;
      if (stack.write(h, this.appBuffer, 0, n) !== n) return false;
      stack.close(h);
      if ((this.sentFlags & FIN) === 0) return false;
    }
    this.send(clientPort, clientIsn + 1 + n, serverIsn + 2 + n, FIN | ACK, 0);
    return model || (this.sentFlags === ACK && this.sentAck === ((clientIsn + n + 2) | 0));
  }


  /** Handshake only: SYN, SYN-ACK, ACK, accept. Returns the handle (or -1). */
  handshake(clientPort: number, clientIsn: number): number {
    this.send(clientPort, clientIsn, 0, SYN, 0);
    const serverIsn = this.sentSeq;
    this.send(clientPort, clientIsn + 1, serverIsn + 1, ACK, 0);
    return this.stack.accept(this.listener);
  }

  /** Spoofed SYNs from `count` different sources (addresses in 198.18.0.0/15, the
   *  benchmarking range, and rotating ports). Returns how many SYN-ACKs the stack sent. */
  flood(count: number, first = 0): number {
    const before = this.sentCount;
    for (let i = first; i < first + count; i++) {
      this.sendFrom((0xc6120000 | (i & 0x1ffff)) | 0, 1024 + (i % 60000), Math.imul(i, 2654435761), 0, SYN, 0);
    }
    return this.sentCount - before;
  }

  /** Runs `count` connections from rotating client ports. Returns how many went right. */
  churn(count: number, firstPort = 1024): number {
    let ok = 0;
    for (let i = 0; i < count; i++) {
      const port = 1024 + ((firstPort + i) % 64000); // never 0, never past 65535
      if (this.connection(port, Math.imul(i, 7919 * 65536))) ok++;
    }
    return ok;
  }

  /** Received data segments: `count` full segments in order on one connection, each
   *  read by the app; returns the handle used, or -1. */
  openForStreaming(clientPort: number): number {
    this.send(clientPort, 1000, 0, SYN, 0);
    const serverIsn = this.sentSeq;
    this.streamAck = (serverIsn + 1) | 0;
    this.streamSeq = 1001;
    this.streamPort = clientPort;
    this.send(clientPort, 1001, this.streamAck, ACK, 0);
    return this.stack.accept(this.listener);
  }

  private streamSeq = 0;
  private streamAck = 0;
  private streamPort = 0;
  private streamHandle = -1;

  /** Opens the connection stream() sends on (from STREAM_PORT). Returns false if it did not open. */
  openStream(): boolean {
    this.streamHandle = this.openForStreaming(STREAM_PORT);
    return this.streamHandle >= 0;
  }

  /** `count` in-order segments of the payload's length on the connection openStream()
   *  opened, each read by the app as soon as receive() returns; returns how many were
   *  read whole. With buildOnly the packets are built only, and the next real run goes on
   *  from the same sequence number. The segments are the bytes send() would build, built
   *  more cheaply for the benches: the payload is written once a call (the stack only
   *  reads its input buffer), then each segment takes its headers and its checksum, summed
   *  by the stack's own primitives. send()'s byte loop alone would cost ten times the
   *  stack's work on XS with the C primitives, and its noise would swamp the difference. */
  stream(count: number): number {
    const build = this.buildOnly;
    const n = this.payload.length;
    const p = this.packet;
    let seq = this.streamSeq;
    let ok = 0;
    for (let i = 0; i < count; i++) {
      const at = writeHeaders(p, 1, 64, CLIENT, SERVER, this.streamPort, PORT, seq, this.streamAck, ACK, 65535, 0, n);
      if (i === 0) for (let k = 0; k < n; k++) p[at + k] = this.payload[k];
      const length = finishPacket(p, this.bytes);
      this.time++;
      if (!build) this.stack.receive(p, length);
      seq = (seq + n) | 0;
      if (build || this.stack.read(this.streamHandle, this.appBuffer, 0, n) === n) ok++;
    }
    if (!build) this.streamSeq = seq;
    return ok;
  }

  /** One in-order data segment of the payload's length, read at once by the app. */
  streamSegment(h: number): boolean {
    const n = this.payload.length;
    this.send(this.streamPort, this.streamSeq, this.streamAck, ACK, n);
    this.streamSeq = (this.streamSeq + n) | 0;
    return this.stack.read(h, this.appBuffer, 0, n) === n;
  }
}
