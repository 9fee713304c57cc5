// A client model that drives the stack through whole connections without allocating:
// packets are built in one preallocated buffer and the stack's replies are read field by
// field as they are sent. Portable (no Node APIs), so the same driver runs on Node and
// on XS, for allocation tests and benchmarks.
import { bytesUnderTest } from './bytes-under-test';
import { StackConfig } from '../../firmware/tcp/config';
import { Stack } from '../../firmware/tcp/stack';
import { ACK, FIN, PSH, SYN, finishPacket } from '../../firmware/tcp/wire';
import { writeHeaders } from '../../host/packet';
import { Prng } from '../../host/prng';
import { strictTransitions } from '../../firmware/tcp/connection';

// An illegal state change (connection.ts) throws here, where production only counts it.
strictTransitions(true);

const SERVER = 0xc0000202 | 0; // 192.0.2.2
const CLIENT = 0xc0000201 | 0; // 192.0.2.1
const PORT = 80;

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
  private readonly appBuffer = new Uint8Array(1460);
  private readonly payload: Uint8Array;

  constructor(config: Partial<StackConfig>, payloadBytes = 100, ownBuffer = false) {
    const clock = { now: () => this.time };
    const port = { send: (p: Uint8Array, length: number) => this.capture(p, length) };
    this.stack = new Stack({ localAddr: SERVER >>> 0, ...config }, port, clock, new Prng(12345), bytesUnderTest());
    this.listener = this.stack.listen(PORT);
    this.packet = ownBuffer ? new Uint8Array(1600) : this.stack.inputBuffer;
    this.payload = new Uint8Array(payloadBytes);
    for (let i = 0; i < payloadBytes; i++) this.payload[i] = i & 0xff;
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
    const p = this.packet;
    const at = writeHeaders(p, 1, 64, CLIENT, SERVER, clientPort, PORT, seq | 0, ack | 0, flags, 65535,
      flags & SYN ? 1460 : 0, dataLength);
    for (let i = 0; i < dataLength; i++) p[at + i] = this.payload[i];
    const length = finishPacket(p);
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
    const p = this.packet;
    for (let i = first; i < first + count; i++) {
      const src = (0xc6120000 | (i & 0x1ffff)) | 0;
      writeHeaders(p, 1, 64, src, SERVER, 1024 + (i % 60000), PORT, Math.imul(i, 2654435761), 0, SYN, 65535, 1460, 0);
      const length = finishPacket(p);
      this.time++;
      if (!this.buildOnly) this.stack.receive(p, length);
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

  /** One in-order data segment of the payload's length, read at once by the app. */
  streamSegment(h: number): boolean {
    const n = this.payload.length;
    this.send(this.streamPort, this.streamSeq, this.streamAck, ACK, n);
    this.streamSeq = (this.streamSeq + n) | 0;
    return this.stack.read(h, this.appBuffer, 0, n) === n;
  }
}
