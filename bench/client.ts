// The bench's client model for slotcp. It sends through ChurnDriver (host-test/support),
// so packets are built exactly as the tests and `bench:xs` build them, without
// allocating; with `buildOnly` it builds every packet of a workload and nothing reaches
// the stack, so the client's own cost can be subtracted.
//
// bench/lwip/harness.c runs the same workloads on lwIP with the same bytes on the wire:
// same ports, sequence numbers, flags, window, MSS option and payload pattern. Change
// one, change the other.
import { BytePrimitives } from '../firmware/tcp/bytes';
import { StackConfig } from '../firmware/tcp/config';
import { ACK, SYN } from '../firmware/tcp/wire';
import { ChurnDriver } from '../host-test/support/churn';

export const SEGMENT_BYTES = 1460;
export const ECHO_BYTES = 100;
export const STREAM_PORT = 5000;

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

  /** `bytes`: the stack's byte primitives (default the portable jsBytes). */
  constructor(config: Partial<StackConfig>, payloadBytes: number, bytes?: BytePrimitives) {
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

  /** `count` in-order 1460-byte segments, each read by the app as soon as
   *  receive() returns. Returns how many were read whole. */
  stream(count: number): number {
    const d = this.driver;
    const build = d.buildOnly;
    let seq = this.streamSeq;
    let ok = 0;
    for (let i = 0; i < count; i++) {
      d.send(STREAM_PORT, seq, this.streamAck, ACK, SEGMENT_BYTES);
      seq = (seq + SEGMENT_BYTES) | 0;
      if (build || d.stack.read(this.streamHandle, this.app, 0, SEGMENT_BYTES) === SEGMENT_BYTES) ok++;
    }
    if (!build) this.streamSeq = seq; // a build-only pass sent nothing
    return ok;
  }
}
