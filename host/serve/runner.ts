// One host runner: the stack on a UDP link, the services on the socket layer, pcap and
// impairment on the packet path, stats on request. Used by `slotcp serve` (and so by
// `slotcp tun`, which runs serve inside a namespace).
import { Stack } from '../../firmware/tcp/stack';
import { SocketLayer } from '../../firmware/tcp/socket';
import { Service } from '../../firmware/apps/service';
import { startService } from '../../firmware/apps/services';
import { Driver, nodeClock, nodeRandom } from '../link/platform';
import { nodeBytes } from '../bytes-node';
import { Impairment } from '../link/impair';
import { UdpLink } from '../link/udp';
import { rmSync } from 'node:fs';
import { checkReplaceable } from '../files';
import { PcapWriter } from '../pcap';
import { formatTrace, traceTime } from '../trace';
import { statsSnapshot, writeStats } from '../stats';
import { EXAMPLE_HTTP, ServeOptions } from './options';
import { Listener, ListenerOptionsEcma, TCP } from '../../firmware/tcp/ecma419';
import { serveHttp } from '../../examples/http-server/server';

/** ECMA-419's Listener bound to this runner's stack. */
function listenerOn(layer: SocketLayer): typeof Listener {
  return class extends Listener {
    constructor(options: ListenerOptionsEcma) {
      super({ ...options, stack: layer });
    }
  };
}

function warn(line: string): void {
  process.stderr.write(`slotcp serve: ${line}\n`);
}

export class Runner {
  readonly stack: Stack;
  readonly driver: Driver;
  readonly services: Service[] = [];
  readonly startedMs = nodeClock.now();
  private readonly pcap: PcapWriter | undefined;
  private readonly impairIn: Impairment | undefined;
  private readonly impairOut: Impairment | undefined;
  private closed = false;
  /** --stats writes that failed (each reported on stderr; never fatal). */
  private statsWriteErrors = 0;
  /** The kernel's drop count for the link's socket when it was closed. */
  private finalKernelDrops: number | null = null;

  private constructor(readonly options: ServeOptions, readonly link: UdpLink, pcap: PcapWriter | undefined) {
    this.pcap = pcap;
    if (pcap) pcap.onError = (err) => warn(`--pcap: cannot write ${pcap.path}: ${err.message}; no more packets recorded`);
    // The packet path. In: link → impairment → pcap → stack. Out: stack → pcap →
    // impairment → link. The pcap shows what the stack itself saw and sent.
    const toStack = (packet: Uint8Array) => {
      this.pcap?.record(packet);
      this.driver.receive(packet);
    };
    const toLink = (packet: Uint8Array) => link.transmit(packet);
    const impair = options.impair;
    if (impair) {
      // Each direction has its own generator, so its decisions depend only on its own packets.
      this.impairIn = new Impairment(impair, impair.seed, toStack);
      this.impairOut = new Impairment(impair, (impair.seed + 0x9e3779b9) >>> 0, toLink);
    }
    const port = {
      send: (packet: Uint8Array, length: number) => {
        if (this.closed) return;
        // The stack reuses its buffer as soon as send() returns; the datagram goes later.
        const copy = Buffer.allocUnsafe(length);
        copy.set(packet.subarray(0, length));
        this.pcap?.record(copy);
        if (this.impairOut) this.impairOut.push(copy);
        else toLink(copy);
      },
    };
    // Node's native copies for payload to and from the services' buffers (bytes-node.ts).
    this.stack = new Stack(options.config, port, nodeClock, nodeRandom, nodeBytes);
    if (options.trace) {
      const localAddr = options.config.localAddr;
      this.stack.setTrace((event, reason, seg) => {
        process.stdout.write(`${traceTime(Date.now())} ${formatTrace(event, reason, seg, localAddr)}\n`);
      });
    }
    this.driver = new Driver(this.stack, nodeClock);
    link.onPacket = this.impairIn ? (p) => this.impairIn!.push(p) : toStack;
    const layer = new SocketLayer(this.stack);
    const ctx = { layer, scheduler: this.driver.scheduler(),
      listen: options.keepalive ? { keepalive: options.keepalive } : undefined };
    for (const { port: tcpPort, spec } of options.services) {
      if (spec === EXAMPLE_HTTP) serveHttp({ Listener: listenerOn(layer), TCP } as never, tcpPort);
      else this.services.push(startService(ctx, tcpPort, spec));
    }
  }

  /** Makes the --pcap file and checks the --stats path (so a mistake there is a usage
   *  error before anything is bound), then opens the link and starts serving. */
  static async start(options: ServeOptions): Promise<Runner> {
    const pcap = options.pcap ? new PcapWriter(options.pcap, { overwrite: options.overwrite }) : undefined;
    let link: UdpLink | undefined;
    try {
      if (options.stats) checkReplaceable(options.stats, '--stats', options.overwrite);
      link = await UdpLink.open(options.link.bind, options.link.peer);
      return new Runner(options, link, pcap);
    } catch (err) {
      await link?.close();
      if (pcap) {
        pcap.close();
        rmSync(pcap.path, { force: true }); // ours, and empty: nothing ran
      }
      throw err;
    }
  }

  /** Datagrams the kernel dropped on the link's socket (its receive buffer was full). */
  kernelDrops(): number | null {
    return this.closed ? this.finalKernelDrops : this.link.kernelDrops();
  }

  snapshot() {
    const extra: Record<string, object> = { link: { ...this.link.stats, droppedKernel: this.kernelDrops() }, driver: { polls: this.driver.polls } };
    if (this.impairIn && this.impairOut) extra.impairment = { in: { ...this.impairIn.stats }, out: { ...this.impairOut.stats } };
    if (this.pcap) extra.pcap = { file: this.pcap.path, packets: this.pcap.packets, lost: this.pcap.lost, writeError: this.pcap.error?.message ?? null };
    if (this.options.stats) extra.statsFile = { file: this.options.stats, writeErrors: this.statsWriteErrors };
    return statsSnapshot({ stack: this.stack, services: this.services, extra, startedMs: this.startedMs, nowMs: nodeClock.now() });
  }

  /** Writes --stats (if given); a failure is reported on stderr and counted, never thrown. */
  private writeStatsFile(): void {
    const path = this.options.stats;
    if (!path) return;
    try {
      writeStats(path, this.snapshot());
    } catch (err) {
      this.statsWriteErrors++;
      warn(`--stats: cannot write ${path}: ${err instanceof Error ? err.message : err}`);
    }
  }

  /** Writes --stats (if given) and flushes the pcap, e.g. on SIGUSR1. */
  checkpoint(): void {
    this.pcap?.flush();
    this.writeStatsFile();
  }

  /** Stops: stats as they are, then every open connection reset (so no client waits on
   *  a server that is gone), the link drained and closed, the pcap closed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.impairIn?.release();
    this.writeStatsFile();
    for (const row of this.stack.connections()) if (row.handle >= 0) this.stack.abort(row.handle);
    this.impairOut?.release();
    this.finalKernelDrops = this.link.kernelDrops();
    this.closed = true;
    this.driver.stop();
    for (const s of this.services) s.listener.close();
    await this.link.close();
    this.pcap?.close();
  }
}
