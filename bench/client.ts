// The bench's client model for slotcp. It sends through ChurnDriver (host-test/support),
// so packets are built exactly as the tests and `bench:xs` build them, without
// allocating; with `buildOnly` it builds every packet of a workload and nothing reaches
// the stack, so the client's own cost can be subtracted.
//
// bench/lwip/harness.c runs the same workloads on lwIP with the same bytes on the wire:
// same ports, sequence numbers, flags, window, MSS option and payload pattern. Change
// one, change the other.
import { BytePrimitives, jsBytes } from '../firmware/tcp/bytes';
import { StackConfig } from '../firmware/tcp/config';
import { ACK, SYN, finishPacket } from '../firmware/tcp/wire';
import { writeHeaders } from '../host/packet';
import { ChurnDriver } from '../host-test/support/churn';

export const SEGMENT_BYTES = 1460;
export const ECHO_BYTES = 100;
export const STREAM_PORT = 5000;
/** ChurnDriver's addresses and listening port. */
const CLIENT = 0xc0000201 | 0; // 192.0.2.1
const SERVER = 0xc0000202 | 0; // 192.0.2.2
const SERVER_PORT = 80;

/** One listener, 4 slots, 8 TIME-WAIT records: the churn configuration of bench:xs. */
export const churnConfig: Partial<StackConfig> = { slots: 4, timeWaitCapacity: 8, mss: 1460, rxBytes: 4096, txBytes: 4096 };
/** One connection receiving full segments: the streaming configuration of bench:xs. */
export const streamConfig: Partial<StackConfig> = { mss: 1460, rxBytes: 8192, txBytes: 4096 };

export class BenchClient {
  readonly driver: ChurnDriver;
  private readonly app = new Uint8Array(SEGMENT_BYTES);
  private streamHandle = -1;
  private streamSeq = 0;
  private streamAck = 0;
  private readonly bytes: BytePrimitives;

  /** `bytes`: the stack's byte primitives (default the portable jsBytes). */
  constructor(config: Partial<StackConfig>, payloadBytes: number, bytes?: BytePrimitives) {
    this.bytes = bytes ?? jsBytes;
    // ChurnDriver gives its stack globalThis.slotcpBytesUnderTest
    // (host-test/support/bytes-under-test.ts): set for the construction only.
    const g = globalThis as { slotcpBytesUnderTest?: BytePrimitives };
    const saved = g.slotcpBytesUnderTest;
    g.slotcpBytesUnderTest = bytes;
    try {
      this.driver = new ChurnDriver(config, payloadBytes);
    } finally {
      g.slotcpBytesUnderTest = saved;
    }
  }

  /** Build packets only: nothing reaches the stack, the app does nothing. */
  get buildOnly(): boolean {
    return this.driver.buildOnly;
  }

  set buildOnly(value: boolean) {
    this.driver.buildOnly = value;
  }

  /** Server segments sent so far. */
  get sent(): number {
    return this.driver.sentCount;
  }

  /** `count` whole connections (ChurnDriver.churn: SYN; SYN-ACK; ACK; 100 bytes in; the
   *  app accepts, reads, writes them back and closes; the client's FIN+ACK; TIME-WAIT);
   *  returns how many went as expected. With buildOnly, the client's packets only. */
  churn(count: number, firstPort: number): number {
    return this.driver.churn(count, firstPort);
  }

  /** Opens the connection that stream() sends on. Returns false if it did not open. */
  openStream(): boolean {
    const d = this.driver;
    d.send(STREAM_PORT, 1000, 0, SYN, 0);
    this.streamAck = (d.sentSeq + 1) | 0;
    this.streamSeq = 1001;
    d.send(STREAM_PORT, 1001, this.streamAck, ACK, 0);
    this.streamHandle = d.stack.accept(d.listener);
    return this.streamHandle >= 0;
  }

  /** `count` in-order 1460-byte segments, each read by the app as soon as receive()
   *  returns. Returns how many were read whole. The segments are the bytes
   *  ChurnDriver.send() would build, built more cheaply: in the stack's input buffer,
   *  which the stack only reads, the payload is written once a call; each segment then
   *  takes its headers and its checksum, summed by the stack's own byte primitives. The
   *  client model's cost, subtracted from every figure, stays small beside the stack's
   *  (ChurnDriver's byte loop alone is ten times the stack's cost on XS with the C
   *  primitives, and its noise would swamp the difference). */
  stream(count: number): number {
    const d = this.driver;
    const build = d.buildOnly;
    const p = d.stack.inputBuffer;
    let seq = this.streamSeq;
    let ok = 0;
    for (let i = 0; i < count; i++) {
      const at = writeHeaders(p, 1, 64, CLIENT, SERVER, STREAM_PORT, SERVER_PORT, seq, this.streamAck, ACK, 65535, 0, SEGMENT_BYTES);
      if (i === 0) for (let k = 0; k < SEGMENT_BYTES; k++) p[at + k] = k & 0xff; // ChurnDriver's payload pattern
      const length = finishPacket(p, this.bytes);
      d.time++;
      if (!build) d.stack.receive(p, length);
      seq = (seq + SEGMENT_BYTES) | 0;
      if (build || d.stack.read(this.streamHandle, this.app, 0, SEGMENT_BYTES) === SEGMENT_BYTES) ok++;
    }
    if (!build) this.streamSeq = seq; // a build-only pass sent nothing
    return ok;
  }
}
