// Part 1 of `npm run bench`: slotcp's engine on Node with the host runner's byte
// primitives (host/bytes-node.ts, as `slotcp serve` has them), driven in-process by the
// client model (ChurnDriver, host-test/support/churn.ts), no I/O. Each round times the workload twice, once for real
// and once with the client only building its packets; the difference is the engine's
// cost (stack plus the app's calls into it). Rounds are driven by run.ts, interleaved
// with lwIP's so both see the same machine load.
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { nodeBytes } from '../host/bytes-node';
import { ChurnDriver, ECHO_BYTES, SEGMENT_BYTES, churnConfig, streamConfig } from '../host-test/support/churn';

export interface HeapPhase {
  /** Operations in the phase. */
  ops: number;
  /** heapUsed after minus before (no collection in between when gcs is 0). */
  bytes: number;
  bytesPerOp: number;
  /** Collections V8 reported during the phase (a collection makes `bytes` meaningless). */
  gcs: number;
  /** heapUsed after a full collection at the end minus before (after one) at the start. */
  retainedBytes: number;
}

export interface NodeResults {
  segment: { fullNs: number[]; clientNs: number[]; serverSegmentsPerOp: number; heap: HeapPhase };
  connection: {
    fullNs: number[]; clientNs: number[]; serverSegmentsPerOp: number; heap: HeapPhase;
    timeWaitEvictedPerOp: number; timeWaitRecords: number;
  };
  /** heapUsed after a full collection, at the end of all rounds minus after warm-up
   *  (includes the bench's own result arrays and V8's code for the measured paths). */
  retainedBytes: number;
  failures: number;
  memory: {
    churn: { perSlot: number; perTimeWait: number; packetBuffers: number; total: number };
    stream: { perSlot: number; perTimeWait: number; packetBuffers: number; total: number };
  };
}

function exposeGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

// PerformanceObserver hears of a collection on a later timer turn, not at once.
const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 10));

export class NodeBench {
  private readonly streaming = new ChurnDriver(streamConfig, SEGMENT_BYTES, false, nodeBytes);
  private readonly churning = new ChurnDriver(churnConfig, ECHO_BYTES, false, nodeBytes);
  private readonly gc = exposeGc();
  private gcCount = 0;
  private readonly observer = new PerformanceObserver((list) => {
    this.gcCount += list.getEntries().length;
  });
  private port = 2000;
  private failures = 0;
  private readonly seg = { full: [] as number[], client: [] as number[], sent: 0, ops: 0 };
  private readonly conn = { full: [] as number[], client: [] as number[], sent: 0, ops: 0, evicted: 0 };
  private heapAfterWarmUp = 0;

  constructor(private readonly segments: number, private readonly connections: number) {}

  /** Opens the streaming connection and runs every path until V8 has optimized it. */
  async warmUp(): Promise<void> {
    this.observer.observe({ entryTypes: ['gc'] });
    if (!this.streaming.openStream()) throw new Error('slotcp: the streaming connection did not open');
    for (let i = 0; i < 3; i++) {
      this.both(this.streaming, () => this.streaming.stream(Math.ceil(this.segments / 10)));
      this.both(this.churning, () => this.churnNext(Math.ceil(this.connections / 10)));
    }
    this.failures = 0;
    await this.settle();
    this.heapAfterWarmUp = process.memoryUsage().heapUsed;
  }

  private both(client: ChurnDriver, work: () => number): void {
    work();
    client.buildOnly = true;
    work();
    client.buildOnly = false;
  }

  private churnNext(count: number): number {
    const ok = this.churning.churn(count, this.port);
    if (!this.churning.buildOnly) this.port += count;
    return ok;
  }

  /** One timed run of each workload. */
  round(): void {
    const s = this.streaming;
    let sent = s.sentCount;
    let t0 = process.hrtime.bigint();
    this.failures += this.segments - s.stream(this.segments);
    let t1 = process.hrtime.bigint();
    s.buildOnly = true;
    s.stream(this.segments);
    let t2 = process.hrtime.bigint();
    s.buildOnly = false;
    this.seg.full.push(Number(t1 - t0) / this.segments);
    this.seg.client.push(Number(t2 - t1) / this.segments);
    this.seg.sent += s.sentCount - sent;
    this.seg.ops += this.segments;

    const c = this.churning;
    const counters = c.stack.counters;
    const evicted = counters.timeWaitEvicted;
    sent = c.sentCount;
    const port = this.port;
    t0 = process.hrtime.bigint();
    this.failures += this.connections - this.churnNext(this.connections);
    t1 = process.hrtime.bigint();
    c.buildOnly = true;
    c.churn(this.connections, port);
    t2 = process.hrtime.bigint();
    c.buildOnly = false;
    this.conn.full.push(Number(t1 - t0) / this.connections);
    this.conn.client.push(Number(t2 - t1) / this.connections);
    this.conn.sent += c.sentCount - sent;
    this.conn.ops += this.connections;
    this.conn.evicted += counters.timeWaitEvicted - evicted;
  }

  /** A full collection, and time for the GC observer to hear of it. */
  private async settle(): Promise<void> {
    this.gc();
    await pause();
  }

  private async heapPhase(ops: number, work: () => number): Promise<HeapPhase> {
    await this.settle();
    const gcs = this.gcCount;
    const before = process.memoryUsage().heapUsed;
    this.failures += ops - work();
    const after = process.memoryUsage().heapUsed;
    await pause(); // the observer reports collections that ran during the work
    const during = this.gcCount - gcs;
    await this.settle();
    const retained = process.memoryUsage().heapUsed - before;
    const bytes = after - before;
    return { ops, bytes, bytesPerOp: bytes / ops, gcs: during, retainedBytes: retained };
  }

  /** The allocation phases (untimed), then the results. */
  async finish(): Promise<NodeResults> {
    const segHeap = await this.heapPhase(this.segments, () => this.streaming.stream(this.segments));
    const connHeap = await this.heapPhase(this.connections, () => this.churnNext(this.connections));
    await this.settle();
    const retainedBytes = process.memoryUsage().heapUsed - this.heapAfterWarmUp;
    this.observer.disconnect();
    return {
      segment: {
        fullNs: this.seg.full, clientNs: this.seg.client, serverSegmentsPerOp: this.seg.sent / this.seg.ops, heap: segHeap,
      },
      connection: {
        fullNs: this.conn.full, clientNs: this.conn.client, serverSegmentsPerOp: this.conn.sent / this.conn.ops,
        heap: connHeap, timeWaitEvictedPerOp: this.conn.evicted / this.conn.ops,
        timeWaitRecords: this.churning.stack.usage().timeWait,
      },
      retainedBytes,
      failures: this.failures,
      memory: { churn: this.churning.stack.memory(), stream: this.streaming.stack.memory() },
    };
  }
}
